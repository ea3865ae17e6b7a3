#include "domctl.h"

namespace hv {

// Not implemented yet.
int64_t hc_domctl(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }

}  // namespace hv
