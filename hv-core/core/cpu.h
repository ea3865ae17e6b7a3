// hv-core/core/cpu.h: the de-privileged CPU of pvabi/cpu.h: trap table,
// callbacks, kernel stack, descriptor tables, segment bases, the FPU flag,
// iret and the bounce frames.
#ifndef HV_CORE_CORE_CPU_H
#define HV_CORE_CORE_CPU_H

#include "hypercall.h"

namespace hv {

struct VcpuCpu {
  uint64_t ldt_base = 0;  // set by PVABI_MMUEXT_SET_LDT
  uint32_t ldt_entries = 0;
};

int64_t hc_set_trap_table(Vcpu& v, const HypercallArgs& args);
int64_t hc_callback_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_stack_switch(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_gdt(Vcpu& v, const HypercallArgs& args);
int64_t hc_update_descriptor(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_segment_base(Vcpu& v, const HypercallArgs& args);
int64_t hc_fpu_taskswitch(Vcpu& v, const HypercallArgs& args);
int64_t hc_iret(Vcpu& v, const HypercallArgs& args);

// Lifecycle hook, called by domain.cc before a vCPU is freed.
void cpu_vcpu_teardown(Vcpu& v);

}  // namespace hv

#endif  // HV_CORE_CORE_CPU_H
