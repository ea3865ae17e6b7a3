/*
 * libpv/ring.h: the two ends of a pvabi/ring.h request/response ring, in C.
 *
 * The frontend fills request slots and publishes them; the backend takes
 * requests, answers each in its slot and publishes responses. Each end keeps
 * its private indices in a struct pv_ring; notify the peer over an event
 * channel (pv_evtchn_send) when a publish says so.
 *
 *     struct pv_ring front;
 *     pv_ring_front_init(&front, page, PVABI_PAGE_SIZE, sizeof(union blk_slot));
 *     struct blk_request *req = pv_ring_front_request_slot(&front);
 *     ...fill *req...
 *     if (pv_ring_front_push(&front)) pv_evtchn_send(port);
 *     const struct blk_response *rsp;
 *     while ((rsp = pv_ring_front_peek_response(&front))) { use(rsp); pv_ring_front_pop_response(&front); }
 */
#ifndef LIBPV_RING_H
#define LIBPV_RING_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/* One end's private state. */
struct pv_ring {
  struct pvabi_ring_header *shared;
  uint32_t produced; /* frontend: requests filled; backend: responses filled */
  uint32_t consumed; /* frontend: responses taken; backend: requests taken */
};

/**
 * pv_ring_front_init: lay out a ring in `bytes` of shared memory (before
 * granting it) and attach the frontend to it.
 * status: PVABI_OK; PVABI_EINVAL (slot_size 0 or not a multiple of 8, or no
 *   slot fits).
 */
PV_NODISCARD int pv_ring_front_init(struct pv_ring *r, void *shared, uint32_t bytes,
                                    uint32_t slot_size);

/**
 * pv_ring_back_attach: attach the backend to a ring the frontend laid out
 * in `bytes` of shared memory, checking the header the frontend wrote.
 * status: PVABI_OK; PVABI_EINVAL (slot size differs from slot_size, slot
 *   count not a power of two or not fitting in bytes).
 */
PV_NODISCARD int pv_ring_back_attach(struct pv_ring *r, void *shared, uint32_t bytes,
                                     uint32_t slot_size);

/** pv_ring_front_request_slot: the next free request slot to fill, or NULL when every slot awaits a response. */
void *pv_ring_front_request_slot(struct pv_ring *r);

/** pv_ring_front_push: publish the requests filled so far; nonzero if the backend needs an event. */
int pv_ring_front_push(struct pv_ring *r);

/**
 * pv_ring_front_peek_response: the oldest response not yet taken, or NULL.
 * When there is none it asks for an event at the next one and looks again.
 */
const void *pv_ring_front_peek_response(struct pv_ring *r);

/** pv_ring_front_pop_response: done with the response peek returned (its slot is free again). */
void pv_ring_front_pop_response(struct pv_ring *r);

/** pv_ring_back_peek_request: the oldest request not yet taken, or NULL (asking for an event, as above). */
const void *pv_ring_back_peek_request(struct pv_ring *r);

/** pv_ring_back_pop_request: take the request peek returned; answer it later. */
void pv_ring_back_pop_request(struct pv_ring *r);

/** pv_ring_back_response_slot: the slot of the oldest taken, unanswered request, to write its response into; NULL if none. */
void *pv_ring_back_response_slot(struct pv_ring *r);

/** pv_ring_back_push: publish the responses written so far; nonzero if the frontend needs an event. */
int pv_ring_back_push(struct pv_ring *r);

PV_END_DECLS

#endif /* LIBPV_RING_H */
