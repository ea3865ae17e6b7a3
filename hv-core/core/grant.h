// hv-core/core/grant.h: grant tables (pvabi/grant.h).
#ifndef HV_CORE_CORE_GRANT_H
#define HV_CORE_CORE_GRANT_H

#include "hypercall.h"

namespace hv {

class Domain;

int64_t hc_grant_table_op(Vcpu& v, const HypercallArgs& args);

// page_table.cc calls this when an L1 entry of `mapper` that maps a frame it
// does not own goes away (unmap, overwrite refused, table devalidated).
void grant_mapping_dropped(Domain& mapper, Mfn frame);
// The invariant checker asks whether `mapper` may map `frame` of another domain.
[[nodiscard]] bool grant_allows_mapping(const Domain& mapper, Mfn frame);

}  // namespace hv

#endif  // HV_CORE_CORE_GRANT_H
