#include "cpu.h"

namespace hv {

// Not implemented yet: every operation answers "not supported".
int64_t hc_set_trap_table(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_callback_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_stack_switch(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_set_gdt(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_update_descriptor(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_set_segment_base(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_fpu_taskswitch(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_iret(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
void cpu_vcpu_teardown(Vcpu&) {}

}  // namespace hv
