#include "vcpu.h"

namespace hv {

// Not implemented yet.
int64_t hc_vcpu_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }

}  // namespace hv
