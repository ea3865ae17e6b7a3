// hv-core/core/memory.h: PVABI_HC_MEMORY_OP: growing and shrinking a
// domain's reservation, and where the machine-to-pseudo-physical table is.
#ifndef HV_CORE_CORE_MEMORY_H
#define HV_CORE_CORE_MEMORY_H

#include "hypercall.h"

namespace hv {

int64_t hc_memory_op(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_MEMORY_H
