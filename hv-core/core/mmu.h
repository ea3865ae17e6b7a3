// hv-core/core/mmu.h: the MMU hypercalls of pvabi/mmu.h: mmu_update,
// mmuext_op, update_va_mapping and vm_assist. Each item is decoded and
// validated, then performed.
#ifndef HV_CORE_CORE_MMU_H
#define HV_CORE_CORE_MMU_H

#include "hypercall.h"

namespace hv {

int64_t hc_mmu_update(Vcpu& v, const HypercallArgs& args);
int64_t hc_mmuext_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_update_va_mapping(Vcpu& v, const HypercallArgs& args);
int64_t hc_vm_assist(Vcpu& v, const HypercallArgs& args);

// Makes `table` a vCPU's kernel (user = false) or user base pointer: takes a
// general and an L4 type reference (validating it if it has no type yet),
// drops the old one's, flushes. EINVAL if it is another type; EPERM, ERANGE.
[[nodiscard]] Status set_baseptr(Vcpu& v, Mfn table, bool user);
// Drops a vCPU's base pointers (vCPU teardown).
void clear_baseptrs(Vcpu& v);

}  // namespace hv

#endif  // HV_CORE_CORE_MMU_H
