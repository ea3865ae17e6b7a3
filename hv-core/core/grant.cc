#include "grant.h"

namespace hv {

// Not implemented yet.
int64_t hc_grant_table_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
void grant_mapping_dropped(Domain&, Mfn) {}
bool grant_allows_mapping(const Domain&, Mfn) { return false; }

}  // namespace hv
