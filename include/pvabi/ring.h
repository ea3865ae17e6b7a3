/*
 * pvabi/ring.h: a request/response ring in a shared page, for split drivers.
 *
 * The frontend (the domain using a device) and the backend (the domain that
 * owns it) share one or more pages, granted by the frontend. The page starts
 * with a struct pvabi_ring_header; `slots` fixed-size slots follow, a power
 * of two of them. A slot holds a request until the backend has consumed it,
 * then that request's response. Indices run freely and wrap at 2^32; slot i
 * is i & (slots - 1).
 *
 * The frontend produces requests (req_prod) and consumes responses; the
 * backend does the reverse. A producer writes the slots, then publishes the
 * new producer index with a release store; a consumer reads the producer
 * index with an acquire load, then the slots. Notifications go over an
 * event channel, only when needed: the consumer sets its event index to
 * "the next one I have not seen" before it sleeps, and the producer notifies
 * when its publish crosses that index (pvabi_ring_needs_notify).
 *
 *     struct pvabi_ring_header *r = page;
 *     pvabi_ring_init(r, PVABI_PAGE_SIZE, sizeof(union my_slot));
 *     memcpy(pvabi_ring_slot(r, prod), &req, sizeof req);
 *     if (pvabi_ring_publish_requests(r, ++prod)) notify_backend();
 *
 * The C++ wrapper pvabi/ring.hpp gives typed front and back ends.
 */
#ifndef PVABI_RING_H
#define PVABI_RING_H

#include <pvabi/base.h>

struct pvabi_ring_header {
  uint32_t req_prod;  /* written by the frontend */
  uint32_t req_event; /* written by the backend: notify when req_prod passes it */
  uint32_t rsp_prod;  /* written by the backend */
  uint32_t rsp_event; /* written by the frontend */
  uint32_t slots;     /* power of two, set by the frontend before sharing */
  uint32_t slot_size; /* bytes, a multiple of 8 */
  uint8_t _pad0[40];  /* to one cache line */
};
PVABI_ASSERT_SIZE(pvabi_ring_header, 64, 4);
PVABI_ASSERT_OFFSET(pvabi_ring_header, req_prod, 0);
PVABI_ASSERT_OFFSET(pvabi_ring_header, req_event, 4);
PVABI_ASSERT_OFFSET(pvabi_ring_header, rsp_prod, 8);
PVABI_ASSERT_OFFSET(pvabi_ring_header, rsp_event, 12);
PVABI_ASSERT_OFFSET(pvabi_ring_header, slots, 16);
PVABI_ASSERT_OFFSET(pvabi_ring_header, slot_size, 20);
PVABI_ASSERT_OFFSET(pvabi_ring_header, _pad0, 24);

/* Slots that fit in `bytes` of shared memory: the largest power of two. */
static inline uint32_t pvabi_ring_slots_for(uint32_t bytes, uint32_t slot_size) {
  uint32_t fit, slots = 1;
  if (slot_size == 0 || bytes < sizeof(struct pvabi_ring_header) + slot_size) return 0;
  fit = (uint32_t)((bytes - sizeof(struct pvabi_ring_header)) / slot_size);
  while (slots * 2 <= fit) slots *= 2;
  return slots;
}

static inline void pvabi_ring_init(struct pvabi_ring_header *r, uint32_t bytes,
                                   uint32_t slot_size) {
  r->req_prod = 0;
  r->req_event = 1;
  r->rsp_prod = 0;
  r->rsp_event = 1;
  r->slots = pvabi_ring_slots_for(bytes, slot_size);
  r->slot_size = slot_size;
}

static inline void *pvabi_ring_slot(struct pvabi_ring_header *r, uint32_t index) {
  return (uint8_t *)(r + 1) + (size_t)(index & (r->slots - 1)) * r->slot_size;
}

/* Did moving a producer index from old_prod to new_prod pass `event`? */
static inline int pvabi_ring_needs_notify(uint32_t old_prod, uint32_t new_prod,
                                          uint32_t event) {
  return (uint32_t)(new_prod - event) < (uint32_t)(new_prod - old_prod);
}

/* Publish requests up to new_prod; returns nonzero if the backend needs an event. */
static inline int pvabi_ring_publish_requests(struct pvabi_ring_header *r,
                                              uint32_t new_prod) {
  uint32_t old_prod = r->req_prod;
  __atomic_store_n(&r->req_prod, new_prod, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return pvabi_ring_needs_notify(old_prod, new_prod,
                                 __atomic_load_n(&r->req_event, __ATOMIC_RELAXED));
}

/* Publish responses up to new_prod; returns nonzero if the frontend needs an event. */
static inline int pvabi_ring_publish_responses(struct pvabi_ring_header *r,
                                               uint32_t new_prod) {
  uint32_t old_prod = r->rsp_prod;
  __atomic_store_n(&r->rsp_prod, new_prod, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return pvabi_ring_needs_notify(old_prod, new_prod,
                                 __atomic_load_n(&r->rsp_event, __ATOMIC_RELAXED));
}

#endif /* PVABI_RING_H */
