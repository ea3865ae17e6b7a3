// hv-core/core/time.h: the three time sources (pvabi/time.h).
#ifndef HV_CORE_CORE_TIME_H
#define HV_CORE_CORE_TIME_H

#include "base.h"

namespace hv {

class Domain;

struct VcpuTime {};

// Lifecycle hook, called by domain.cc once the domain's vCPUs exist.
void time_domain_created(Domain& d);

}  // namespace hv

#endif  // HV_CORE_CORE_TIME_H
