#include "event_channel.h"

namespace hv {

// Not implemented yet.
int64_t hc_event_channel_op(Vcpu&, const HypercallArgs&) { return PVABI_ENOSYS; }
void raise_virq(Domain&, uint32_t, uint32_t) {}
void event_channel_teardown(Domain&) {}

}  // namespace hv
