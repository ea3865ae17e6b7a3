// hv-core/core/grant.h: grant tables (pvabi/grant.h).
#ifndef HV_CORE_CORE_GRANT_H
#define HV_CORE_CORE_GRANT_H

#include "hypercall.h"

namespace hv {

int64_t hc_grant_table_op(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_GRANT_H
