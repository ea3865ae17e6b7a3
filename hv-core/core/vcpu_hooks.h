// hv-core/core/vcpu_hooks.h: what PVABI_HC_VCPU_OP (vcpu.cc) asks of the
// time and scheduling code (time.cc, sched.cc define these). vcpu.cc has
// decoded the hypercall and found the vCPU before it calls them.
#ifndef HV_CORE_CORE_VCPU_HOOKS_H
#define HV_CORE_CORE_VCPU_HOOKS_H

#include "base.h"

namespace hv {

class Vcpu;

// Keep a pvabi_runstate_info (a pvabi_vcpu_time_info) up to date at guest
// address `gva` of the vCPU's domain, or stop for 0. They validate `gva`
// (EINVAL, EFAULT as pvabi/vcpu.h says); on failure the old registration stays.
[[nodiscard]] Status register_runstate_area(Vcpu& v, uint64_t gva);
[[nodiscard]] Status register_time_area(Vcpu& v, uint64_t gva);
// The vCPU's run state now.
void fill_runstate(const Vcpu& v, pvabi_runstate_info* out);
// Set v.up (clear it) and put the vCPU in (take it out of) the run queue;
// a vCPU that takes itself down runs again once brought up.
void sched_vcpu_up(Vcpu& v);
void sched_vcpu_down(Vcpu& v);

}  // namespace hv

#endif  // HV_CORE_CORE_VCPU_HOOKS_H
