#include "grant.h"

namespace hv {

// Not implemented yet.
int64_t hc_grant_table_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }

}  // namespace hv
