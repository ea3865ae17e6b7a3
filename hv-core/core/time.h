// hv-core/core/time.h: the three time sources (pvabi/time.h).
#ifndef HV_CORE_CORE_TIME_H
#define HV_CORE_CORE_TIME_H

#include "base.h"

namespace hv {

struct VcpuTime {};

}  // namespace hv

#endif  // HV_CORE_CORE_TIME_H
