// hv-core/core/mmu.h: the MMU hypercalls of pvabi/mmu.h: mmu_update,
// mmuext_op, update_va_mapping and vm_assist. Each item is decoded and
// validated, then performed.
#ifndef HV_CORE_CORE_MMU_H
#define HV_CORE_CORE_MMU_H

#include "hypercall.h"

namespace hv {

class Domain;

int64_t hc_mmu_update(Vcpu& v, const HypercallArgs& args);
int64_t hc_mmuext_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_update_va_mapping(Vcpu& v, const HypercallArgs& args);
// vm_assist: PVABI_VMASST_PT_WRITE_EMULATION is offered (pt_write.h), and
// recorded in Domain::vm_assist; PVABI_VMASST_M2P_STRICT is not (ENOSYS).
int64_t hc_vm_assist(Vcpu& v, const HypercallArgs& args);

// An owned frame in range: ERANGE, then EPERM.
[[nodiscard]] Status check_owned(const Domain& d, Mfn f);

// One PVABI_MMU_NORMAL_PT_UPDATE (preserve_ad: PVABI_MMU_PT_UPDATE_PRESERVE_AD)
// of the entry at machine address `entry`, statuses as pvabi/mmu.h lists
// them; counts an update in d's stats. Shared with the write emulation.
[[nodiscard]] Status pt_update(Domain& d, Maddr entry, uint64_t val, bool preserve_ad);

// Makes `table` a vCPU's kernel (user = false) or user base pointer: takes a
// general and an L4 type reference (validating it if it has no type yet),
// drops the old one's, flushes. EINVAL if it is another type; EPERM, ERANGE.
[[nodiscard]] Status set_baseptr(Vcpu& v, Mfn table, bool user);
// Drops a vCPU's base pointers (vCPU teardown).
void clear_baseptrs(Vcpu& v);

}  // namespace hv

#endif  // HV_CORE_CORE_MMU_H
