// hv-core/core/event_channel.h: event channels: PVABI_HC_EVENT_CHANNEL_OP in
// the 2-level layout (pvabi/event.h) and the queue layout
// (pvabi/event_queue.h), and raising ports from inside the core.
//
// Each domain has a table of ports, allocated on first use and doubled as
// needed up to its layout's limit (PVABI_EVTCHN_2L_PORTS, or
// PVABI_EVTQ_MAX_PORTS once PVABI_EVTCHNOP_INIT_CONTROL switched it). The
// guest's pending and mask state lives where the layout says; raising a port
// follows the memory-ordering protocol of its header, word for word. A port
// that becomes pending wakes a vCPU polling on it; an upcall that becomes
// pending wakes its vCPU if blocked (sched.h). The queue layout holds a
// general and a writable type reference on each frame the guest gave it
// until the domain is torn down.
//
// In the queue layout a port raised before its event word or its vCPU's
// control block exists is remembered and queued when both are there (this
// is how ports pending in the 2-level layout move onto the queues).
//
// The queue layout is always offered (the ENOSYS of pvabi/event_queue.h is
// never returned). INIT_CONTROL answers ENOMEM, outside that header's list,
// when the hypervisor has no memory for the layout's state; a port table
// that cannot grow is ENOSPC, as a full one.
//
// Statistics: events_sent counts SENDs that reached a port, on the sender;
// events_delivered counts ports that became pending, on the receiver.
//
//     raise_virq(d, PVABI_VIRQ_CONSOLE, 0);  // nothing if the domain has not bound it
#ifndef HV_CORE_CORE_EVENT_CHANNEL_H
#define HV_CORE_CORE_EVENT_CHANNEL_H

#include "hypercall.h"

namespace hv {

class Domain;
struct EventPort;
struct EventQueueState;

struct DomainEvents {
  EventPort* ports = nullptr;
  uint32_t capacity = 0;   // entries in `ports`
  uint32_t free_hint = 1;  // no port below it is free
  EventQueueState* queue = nullptr;  // the queue layout's state, once switched
};

struct VcpuEvents {
  uint32_t virq_port[PVABI_VIRQ_COUNT] = {};  // global VIRQs: in vCPU 0's table
};

int64_t hc_event_channel_op(Vcpu& v, const HypercallArgs& args);

// Raises virtual IRQ `virq` of vCPU `vcpu` (0 for a global one) if a port is
// bound to it.
void raise_virq(Domain& d, uint32_t virq, uint32_t vcpu);
// Closes every port (peers in other domains become unbound, offered to this
// domain) and releases the queue layout's frames. Fine on a partially
// created domain.
void event_channel_teardown(Domain& d);

// The number of ports the domain's current layout allows (for
// PVABI_VERSION_OP_GET_LIMITS).
[[nodiscard]] uint32_t event_port_limit(const Domain& d);
[[nodiscard]] bool event_port_allocated(const Domain& d, uint32_t port);
// Pending in the domain's layout, masked or not.
[[nodiscard]] bool event_port_pending(Domain& d, uint32_t port);

}  // namespace hv

#endif  // HV_CORE_CORE_EVENT_CHANNEL_H
