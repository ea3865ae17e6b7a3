// libpv/src/event_layout.h: the two pending/mask layouts behind the event
// functions of libpv/event.h, and the handler dispatch they share.
#ifndef LIBPV_SRC_EVENT_LAYOUT_H
#define LIBPV_SRC_EVENT_LAYOUT_H

#include <stdint.h>

namespace libpv {

// Calls `port`'s handler, if it has one.
void dispatch(uint32_t port);
// PVABI_EVTCHNOP_UNMASK: the hypervisor delivers a port that is pending.
[[nodiscard]] int unmask_hypercall(uint32_t port);

// The 2-level bitmaps in the shared info page (pvabi/event.h).
namespace two_level {
unsigned upcall(uint32_t vcpu);
void mask(uint32_t port);
[[nodiscard]] int unmask(uint32_t port);
bool pending(uint32_t port);
void clear(uint32_t port);
}  // namespace two_level

// The event words and queues of pvabi/event_queue.h.
namespace queue {
unsigned upcall(uint32_t vcpu);
void mask(uint32_t port);
[[nodiscard]] int unmask(uint32_t port);
bool pending(uint32_t port);
void clear(uint32_t port);
}  // namespace queue

}  // namespace libpv

#endif  // LIBPV_SRC_EVENT_LAYOUT_H
