// hv-core/core/vcpu.h: PVABI_HC_VCPU_OP (pvabi/vcpu.h): bringing vCPUs up
// and down, and the areas each vCPU registers.
#ifndef HV_CORE_CORE_VCPU_H
#define HV_CORE_CORE_VCPU_H

#include "hypercall.h"

namespace hv {

int64_t hc_vcpu_op(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_VCPU_H
