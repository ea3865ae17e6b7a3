// hv-core/core/sched.h: scheduling (pvabi/sched.h) and vCPU operations
// (pvabi/vcpu.h).
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
int64_t hc_vcpu_op(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_SCHED_H
