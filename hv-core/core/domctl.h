// hv-core/core/domctl.h: PVABI_HC_DOMCTL, domain control for a privileged
// domain (pvabi/domctl.h).
#ifndef HV_CORE_CORE_DOMCTL_H
#define HV_CORE_CORE_DOMCTL_H

#include "hypercall.h"

namespace hv {

int64_t hc_domctl(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_DOMCTL_H
