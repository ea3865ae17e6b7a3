// pvabi/ring.hpp: typed front and back ends of a pvabi/ring.h ring.
//
//     pvabi::RingFront<BlkRequest, BlkResponse> front(page, PVABI_PAGE_SIZE);
//     front.push(request);
//     if (front.publish()) notify(port);
//     while (auto* rsp = front.peek_response()) { handle(*rsp); front.pop_response(); }
//
// A slot holds a request or its response, so its size is the larger of the two.
#ifndef PVABI_RING_HPP
#define PVABI_RING_HPP

#include <pvabi/ring.h>

namespace pvabi {

template <typename Request, typename Response>
struct RingSlot {
  static constexpr uint32_t kSize =
      static_cast<uint32_t>((sizeof(Request) > sizeof(Response) ? sizeof(Request) : sizeof(Response)) + 7) & ~7u;
};

template <typename Request, typename Response>
class RingFront {
 public:
  // Initialises the shared header; call once, before granting the page.
  RingFront(void* shared, uint32_t bytes) : ring_(static_cast<pvabi_ring_header*>(shared)) {
    pvabi_ring_init(ring_, bytes, RingSlot<Request, Response>::kSize);
  }
  [[nodiscard]] uint32_t free_slots() const { return ring_->slots - (produced_ - consumed_); }
  // Copies a request into the next slot; false if the ring is full.
  bool push(const Request& r) {
    if (free_slots() == 0) return false;
    *static_cast<Request*>(pvabi_ring_slot(ring_, produced_++)) = r;
    return true;
  }
  // Makes pushed requests visible; true if the backend must be notified.
  bool publish() { return pvabi_ring_publish_requests(ring_, produced_) != 0; }
  [[nodiscard]] const Response* peek_response() {
    if (consumed_ == __atomic_load_n(&ring_->rsp_prod, __ATOMIC_ACQUIRE)) {
      // Ask for an event at the next response, then look once more.
      __atomic_store_n(&ring_->rsp_event, consumed_ + 1, __ATOMIC_SEQ_CST);
      if (consumed_ == __atomic_load_n(&ring_->rsp_prod, __ATOMIC_ACQUIRE)) return nullptr;
    }
    return static_cast<const Response*>(pvabi_ring_slot(ring_, consumed_));
  }
  void pop_response() { ++consumed_; }

 private:
  pvabi_ring_header* ring_;
  uint32_t produced_ = 0;  // requests pushed
  uint32_t consumed_ = 0;  // responses taken
};

template <typename Request, typename Response>
class RingBack {
 public:
  // Attaches to a ring the frontend initialised; slot size must match.
  explicit RingBack(void* shared) : ring_(static_cast<pvabi_ring_header*>(shared)) {}
  [[nodiscard]] bool compatible() const {
    return ring_->slot_size == RingSlot<Request, Response>::kSize && ring_->slots != 0 &&
           (ring_->slots & (ring_->slots - 1)) == 0;
  }
  [[nodiscard]] const Request* peek_request() {
    if (consumed_ == __atomic_load_n(&ring_->req_prod, __ATOMIC_ACQUIRE)) {
      __atomic_store_n(&ring_->req_event, consumed_ + 1, __ATOMIC_SEQ_CST);
      if (consumed_ == __atomic_load_n(&ring_->req_prod, __ATOMIC_ACQUIRE)) return nullptr;
    }
    return static_cast<const Request*>(pvabi_ring_slot(ring_, consumed_));
  }
  // Answers the oldest unanswered request, in its slot.
  void respond(const Response& r) {
    *static_cast<Response*>(pvabi_ring_slot(ring_, produced_++)) = r;
  }
  void pop_request() { ++consumed_; }
  bool publish() { return pvabi_ring_publish_responses(ring_, produced_) != 0; }

 private:
  pvabi_ring_header* ring_;
  uint32_t consumed_ = 0;  // requests taken
  uint32_t produced_ = 0;  // responses written
};

}  // namespace pvabi

#endif  // PVABI_RING_HPP
