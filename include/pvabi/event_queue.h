/*
 * pvabi/event_queue.h: the queue/priority event channel layout, for more
 * ports than the 2-level layout's PVABI_EVTCHN_2L_PORTS
 * (PVABI_FEATURE0_EVENT_QUEUE).
 *
 * Each port has a 32-bit event word in an array of guest pages the domain
 * gives the hypervisor; each vCPU has a control block with one queue head per
 * priority. A raised, unmasked port is linked at the tail of its priority's
 * queue on its vCPU, and the vCPU's `ready` bit for that priority is set.
 * The guest takes the highest-priority ready queue (lowest number), follows
 * the links from head, and handles each port in order.
 *
 * Event word: PENDING, MASKED, LINKED and BUSY flags, and in the low bits the
 * port that follows in the queue (0 = end). Memory ordering:
 *   hypervisor: set PENDING; if MASKED or LINKED, stop; set LINKED and write
 *     the link of the old tail with a compare-and-swap (retrying while the
 *     guest holds BUSY), then set the ready bit;
 *   guest: read head; clear LINKED and take the link with one
 *     compare-and-swap on the event word; clear PENDING before handling the
 *     port; when the queue is empty, clear its ready bit, then recheck head.
 * Unmask: clear MASKED with a compare-and-swap; if PENDING was set, call
 * PVABI_EVTCHNOP_UNMASK. Ports keep their numbers and bindings from
 * pvabi/event.h; only the pending/mask layout changes.
 *
 * Once PVABI_EVTCHNOP_INIT_CONTROL succeeds on any vCPU, the domain uses this
 * layout for good, and the shared info page's evtchn_pending and evtchn_mask
 * are no longer read or written.
 */
#ifndef PVABI_EVENT_QUEUE_H
#define PVABI_EVENT_QUEUE_H

#include <pvabi/base.h>

#define PVABI_EVTQ_PRIORITIES 16
#define PVABI_EVTQ_DEFAULT_PRIORITY 7
#define PVABI_EVTQ_LINK_BITS 17
#define PVABI_EVTQ_MAX_PORTS (1u << 17)
#define PVABI_EVTQ_WORDS_PER_PAGE 1024

#define PVABI_EVTQ_WORD_PENDING (1u << 31)
#define PVABI_EVTQ_WORD_MASKED (1u << 30)
#define PVABI_EVTQ_WORD_LINKED (1u << 29)
#define PVABI_EVTQ_WORD_BUSY (1u << 28)
#define PVABI_EVTQ_WORD_LINK_MASK ((1u << 17) - 1)

/* One per vCPU, at an offset the guest chooses inside one of its frames. */
struct pvabi_evtq_control_block {
  uint32_t ready; /* bit p: the queue of priority p is non-empty */
  uint32_t _pad0;
  uint32_t head[16]; /* PVABI_EVTQ_PRIORITIES */
};
PVABI_ASSERT_SIZE(pvabi_evtq_control_block, 72, 4);
PVABI_ASSERT_OFFSET(pvabi_evtq_control_block, ready, 0);
PVABI_ASSERT_OFFSET(pvabi_evtq_control_block, _pad0, 4);
PVABI_ASSERT_OFFSET(pvabi_evtq_control_block, head, 8);

/**
 * PVABI_EVTCHNOP_INIT_CONTROL: register vCPU `vcpu`'s control block and
 * switch the domain to the queue layout.
 * in: control_frame = machine frame the domain owns; offset = byte offset
 *   of the block in it (8-aligned, block within the frame); vcpu.
 * out: link_bits = PVABI_EVTQ_LINK_BITS. Ports pending in the 2-level
 *   layout are moved onto the queues.
 * status: PVABI_OK; PVABI_ENOSYS (feature not offered); PVABI_EEXIST
 *   (this vCPU has one); PVABI_ESRCH (vcpu); PVABI_EPERM (frame not owned);
 *   PVABI_EINVAL (offset, _pad0); PVABI_EBUSY (frame is a page table).
 *   On failure the domain keeps the layout it had.
 */
#define PVABI_EVTCHNOP_INIT_CONTROL 9
struct pvabi_evtq_init_control {
  pvabi_u64 control_frame;
  uint32_t offset;
  uint32_t vcpu;
  uint32_t link_bits;
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_evtq_init_control, 24, 8);
PVABI_ASSERT_OFFSET(pvabi_evtq_init_control, control_frame, 0);
PVABI_ASSERT_OFFSET(pvabi_evtq_init_control, offset, 8);
PVABI_ASSERT_OFFSET(pvabi_evtq_init_control, vcpu, 12);
PVABI_ASSERT_OFFSET(pvabi_evtq_init_control, link_bits, 16);
PVABI_ASSERT_OFFSET(pvabi_evtq_init_control, _pad0, 20);

/**
 * PVABI_EVTCHNOP_EXPAND_ARRAY: add a page of event words (ports
 * 1024 * n .. 1024 * n + 1023 for the n-th page added).
 * in: array_frame = a machine frame the domain owns; it takes the writable
 *   type for as long as the domain lives, so it cannot become a page table.
 * status: PVABI_OK; PVABI_ENOSYS; PVABI_EINVAL (queue layout not
 *   initialised); PVABI_ENOSPC (PVABI_EVTQ_MAX_PORTS reached); PVABI_EPERM;
 *   PVABI_EBUSY. On failure no page is added.
 */
#define PVABI_EVTCHNOP_EXPAND_ARRAY 10
struct pvabi_evtq_expand_array {
  pvabi_u64 array_frame;
};
PVABI_ASSERT_SIZE(pvabi_evtq_expand_array, 8, 8);
PVABI_ASSERT_OFFSET(pvabi_evtq_expand_array, array_frame, 0);

/**
 * PVABI_EVTCHNOP_SET_PRIORITY: the queue a port's events go to.
 * in: port, priority < PVABI_EVTQ_PRIORITIES (0 is the highest). Applies to
 *   the next raise; an event already queued stays where it is.
 * status: PVABI_OK; PVABI_ENOSYS; PVABI_EINVAL (queue layout not
 *   initialised); PVABI_ERANGE (port or priority).
 */
#define PVABI_EVTCHNOP_SET_PRIORITY 11
struct pvabi_evtq_set_priority {
  uint32_t port;
  uint32_t priority;
};
PVABI_ASSERT_SIZE(pvabi_evtq_set_priority, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_evtq_set_priority, port, 0);
PVABI_ASSERT_OFFSET(pvabi_evtq_set_priority, priority, 4);

#endif /* PVABI_EVENT_QUEUE_H */
