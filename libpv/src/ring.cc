// The two ends of a ring (libpv/ring.h), on the primitives of pvabi/ring.h.
#include <libpv/ring.h>

namespace {

bool power_of_two(uint32_t n) { return n != 0 && (n & (n - 1)) == 0; }

// The entry at `cons`, or null after asking for an event when it is the
// producer's next (so a publish in between is not missed).
const void* peek(pv_ring* r, const uint32_t* prod, uint32_t* event) {
  if (r->consumed == __atomic_load_n(prod, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(event, r->consumed + 1, __ATOMIC_SEQ_CST);
    if (r->consumed == __atomic_load_n(prod, __ATOMIC_ACQUIRE)) return nullptr;
  }
  return pvabi_ring_slot(r->shared, r->consumed);
}

}  // namespace

extern "C" int pv_ring_front_init(pv_ring* r, void* shared, uint32_t bytes, uint32_t slot_size) {
  if (slot_size == 0 || slot_size % 8 != 0 || pvabi_ring_slots_for(bytes, slot_size) == 0) return PVABI_EINVAL;
  auto* header = static_cast<pvabi_ring_header*>(shared);
  pvabi_ring_init(header, bytes, slot_size);
  *r = pv_ring{header, 0, 0};
  return PVABI_OK;
}

extern "C" int pv_ring_back_attach(pv_ring* r, void* shared, uint32_t bytes, uint32_t slot_size) {
  auto* header = static_cast<pvabi_ring_header*>(shared);
  const uint32_t slots = header->slots;
  if (header->slot_size != slot_size || !power_of_two(slots) ||
      slots > pvabi_ring_slots_for(bytes, slot_size)) {
    return PVABI_EINVAL;
  }
  // Start where the frontend is: requests already published are taken next.
  *r = pv_ring{header, header->rsp_prod, header->rsp_prod};
  return PVABI_OK;
}

extern "C" void* pv_ring_front_request_slot(pv_ring* r) {
  if (r->produced - r->consumed == r->shared->slots) return nullptr;
  return pvabi_ring_slot(r->shared, r->produced++);
}

extern "C" int pv_ring_front_push(pv_ring* r) { return pvabi_ring_publish_requests(r->shared, r->produced); }

extern "C" const void* pv_ring_front_peek_response(pv_ring* r) {
  if (r->consumed == r->produced) return nullptr;  // nothing asked, nothing to answer
  return peek(r, &r->shared->rsp_prod, &r->shared->rsp_event);
}

extern "C" void pv_ring_front_pop_response(pv_ring* r) { ++r->consumed; }

extern "C" const void* pv_ring_back_peek_request(pv_ring* r) {
  return peek(r, &r->shared->req_prod, &r->shared->req_event);
}

extern "C" void pv_ring_back_pop_request(pv_ring* r) { ++r->consumed; }

extern "C" void* pv_ring_back_response_slot(pv_ring* r) {
  if (r->produced == r->consumed) return nullptr;  // every request taken is answered
  return pvabi_ring_slot(r->shared, r->produced++);
}

extern "C" int pv_ring_back_push(pv_ring* r) { return pvabi_ring_publish_responses(r->shared, r->produced); }
