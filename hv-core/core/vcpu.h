// hv-core/core/vcpu.h: PVABI_HC_VCPU_OP (pvabi/vcpu.h): bringing vCPUs up
// and down, and the areas each vCPU registers. Run-state and time areas and
// the scheduler's part are behind vcpu_hooks.h.
#ifndef HV_CORE_CORE_VCPU_H
#define HV_CORE_CORE_VCPU_H

#include "hypercall.h"

namespace hv {

// Every command's arguments are decoded and validated before anything
// changes; statuses as pvabi/vcpu.h documents them. INITIALISE works for any
// vcpu_id below max_vcpus: offering PVABI_FEATURE0_MULTI_VCPU is version.cc's
// decision. A vCPU that already holds a kernel base pointer counts as
// initialised (INITIALISE: EEXIST; UP accepts it): that is vCPU 0 of a built
// domain, which sched_domain_created brings up.
int64_t hc_vcpu_op(Vcpu& v, const HypercallArgs& args);

// Gives the boot vCPU of a newly built domain its first registers and marks
// it initialised and up (for the domain builder, once it installed the
// kernel base pointer and knows the entry point): rip = entry, rsp =
// stack_top, rsi = start_info, cs/ss flat, the kernel stack for bounces =
// stack_top (as Xen's builder does), events masked, no trap table.
void vcpu_boot(Vcpu& v, uint64_t entry, uint64_t stack_top, uint64_t start_info);

}  // namespace hv

#endif  // HV_CORE_CORE_VCPU_H
