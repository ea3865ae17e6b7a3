#include "sched.h"

namespace hv {

// Not implemented yet.
int64_t hc_sched_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
int64_t hc_set_timer_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
void sched_domain_created(Domain&) {}
void sched_domain_destroyed(Domain&) {}

}  // namespace hv
