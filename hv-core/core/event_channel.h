// hv-core/core/event_channel.h: event channels (pvabi/event.h,
// pvabi/event_queue.h).
#ifndef HV_CORE_CORE_EVENT_CHANNEL_H
#define HV_CORE_CORE_EVENT_CHANNEL_H

#include "hypercall.h"

namespace hv {

class Domain;

struct DomainEvents {};
struct VcpuEvents {};

int64_t hc_event_channel_op(Vcpu& v, const HypercallArgs& args);

// Raises virtual IRQ `virq` of vCPU `vcpu` if a port is bound to it.
void raise_virq(Domain& d, uint32_t virq, uint32_t vcpu);
// Lets go of every port (domain teardown).
void event_channel_teardown(Domain& d);

}  // namespace hv

#endif  // HV_CORE_CORE_EVENT_CHANNEL_H
