/*
 * libpv/event_queue.h: the queue/priority event layout (pvabi/event_queue.h),
 * for more ports than the 2-level layout's 4096, offered when feature word 0
 * has PVABI_FEATURE0_EVENT_QUEUE.
 *
 * The guest gives the hypervisor pages of 32-bit event words (one per port,
 * 1024 ports a page) and, per vCPU, a control block with a queue head per
 * priority. Once pv_evtq_init_control succeeds, libpv's event functions
 * (libpv/event.h: pv_event_upcall, pv_event_mask, pv_event_unmask, ...) use
 * this layout for good; handlers stay in the same dispatch table.
 *
 *     static uint32_t *pages[8];                 // room for 8192 ports
 *     pv_evtq_set_pages(pages, 8);
 *     if (pv_evtq_init_control(&cpu0_queues, block, block_mfn, 0) == PVABI_ENOSYS)
 *         use_two_level();                       // the v1 fallback
 *     pv_evtq_expand(page, page_mfn);            // ports 0..1023
 */
#ifndef LIBPV_EVENT_QUEUE_H
#define LIBPV_EVENT_QUEUE_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/* Per-vCPU queue state: caller storage, libpv's fields. */
struct pv_evtq_vcpu {
  struct pvabi_evtq_control_block *block;
  uint32_t head[PVABI_EVTQ_PRIORITIES]; /* next port to take per queue, 0: read the block's head */
  uint32_t vcpu;
  uint32_t _pad0;
};

/**
 * pv_evtq_set_pages: where libpv records the event-word pages added with
 * pv_evtq_expand (max_pages pointers of caller storage). Call before
 * pv_evtq_expand.
 * status: PVABI_OK; PVABI_EINVAL (pages NULL, max_pages 0 or more than
 *   PVABI_EVTQ_MAX_PORTS / PVABI_EVTQ_WORDS_PER_PAGE).
 */
PV_NODISCARD int pv_evtq_set_pages(uint32_t **pages, uint32_t max_pages);

/**
 * pv_evtq_init_control: register vCPU `vcpu`'s control block (at `block`,
 * in machine frame block_mfn, 8-aligned) and switch the domain to the queue
 * layout (PVABI_EVTCHNOP_INIT_CONTROL).
 * in: q, caller storage kept for as long as the vCPU takes events.
 * status: PVABI_OK; PVABI_ERANGE (vcpu >= PVABI_SHARED_INFO_VCPUS);
 *   PVABI_EINVAL (block misaligned); else the hypercall's status, e.g.
 *   PVABI_ENOSYS when the layout is not offered (stay on the 2-level layout).
 */
PV_NODISCARD int pv_evtq_init_control(struct pv_evtq_vcpu *q, struct pvabi_evtq_control_block *block,
                                      uint64_t block_mfn, uint32_t vcpu);

/**
 * pv_evtq_expand: add one page of event words (the next 1024 ports); the
 * frame becomes writable-typed for good.
 * in: page, the frame's address, page-aligned; page_mfn its machine frame.
 * status: PVABI_OK; PVABI_EINVAL (no page table from pv_evtq_set_pages, or
 *   page misaligned); PVABI_ENOSPC (that table is full); else
 *   PVABI_EVTCHNOP_EXPAND_ARRAY's status.
 */
PV_NODISCARD int pv_evtq_expand(uint32_t *page, uint64_t page_mfn);

/**
 * pv_evtq_set_priority: the queue `port`'s events go to (0 highest).
 * status: as PVABI_EVTCHNOP_SET_PRIORITY.
 */
PV_NODISCARD int pv_evtq_set_priority(uint32_t port, uint32_t priority);

/** pv_evtq_active: nonzero once the domain uses the queue layout. */
int pv_evtq_active(void);

PV_END_DECLS

#endif /* LIBPV_EVENT_QUEUE_H */
