// hv-core/core/sched.h: scheduling and timers (pvabi/sched.h).
#ifndef HV_CORE_CORE_SCHED_H
#define HV_CORE_CORE_SCHED_H

#include "hypercall.h"

namespace hv {

class Domain;

struct DomainSched {
  uint32_t weight = 256;
};
struct VcpuSched {};

int64_t hc_sched_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_timer_op(Vcpu& v, const HypercallArgs& args);

// Lifecycle hooks, called by domain.cc.
void sched_domain_created(Domain& d);
void sched_domain_destroyed(Domain& d);

}  // namespace hv

#endif  // HV_CORE_CORE_SCHED_H
