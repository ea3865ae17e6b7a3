// The queue layout (pvabi/event_queue.h): setting it up, and the guest's
// half of its protocol.
#include <libpv/event_queue.h>

#include <libpv/init.h>

#include "call.h"
#include "event_layout.h"
#include "state.h"

namespace libpv::queue {
namespace {

constexpr uint32_t kMaxPages = PVABI_EVTQ_MAX_PORTS / PVABI_EVTQ_WORDS_PER_PAGE;

uint32_t* word(uint32_t port) {
  const State& s = state();
  const uint32_t page = port / PVABI_EVTQ_WORDS_PER_PAGE;
  return page < s.evtq_nr_pages ? &s.evtq_pages[page][port % PVABI_EVTQ_WORDS_PER_PAGE] : nullptr;
}

// Unlinks `port` from the head of its queue: clears LINKED and takes the
// link in one compare-and-swap, so a link the hypervisor writes meanwhile
// is either seen here or makes it start a new queue.
uint32_t unlink(uint32_t* w) {
  uint32_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  while (!__atomic_compare_exchange_n(w, &old, old & ~(PVABI_EVTQ_WORD_LINKED | PVABI_EVTQ_WORD_LINK_MASK),
                                      false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
  }
  return old & PVABI_EVTQ_WORD_LINK_MASK;
}

// Clears PENDING of an unmasked port; true if this call cleared it.
bool take_pending(uint32_t* w) {
  uint32_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  while ((old & PVABI_EVTQ_WORD_PENDING) != 0 && (old & PVABI_EVTQ_WORD_MASKED) == 0) {
    if (__atomic_compare_exchange_n(w, &old, old & ~PVABI_EVTQ_WORD_PENDING, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_ACQUIRE)) {
      return true;
    }
  }
  return false;
}

// Takes the head of queue `prio`. Returns 1 if the port was handled, and
// sets *more when the queue goes on.
unsigned consume_one(pv_evtq_vcpu& q, unsigned prio, bool* more) {
  uint32_t port = q.head[prio];
  // At the end of the queue last time: the hypervisor started a new one at head.
  if (port == 0) port = __atomic_load_n(&q.block->head[prio], __ATOMIC_ACQUIRE);
  uint32_t* w = port == 0 ? nullptr : word(port);
  if (w == nullptr) {
    q.head[prio] = 0;
    *more = false;
    return 0;
  }
  const uint32_t next = unlink(w);
  q.head[prio] = next;
  *more = next != 0;
  if (!take_pending(w)) return 0;  // masked ones stay pending until unmasked
  dispatch(port);
  return 1;
}

}  // namespace

unsigned upcall(uint32_t vcpu) {
  pvabi_vcpu_info* vi = pv_vcpu_info(vcpu);
  pv_evtq_vcpu* q = vcpu < PVABI_SHARED_INFO_VCPUS ? state().evtq[vcpu] : nullptr;
  if (vi == nullptr || q == nullptr) return 0;
  uint32_t* ready_word = &q->block->ready;
  unsigned taken = 0;
  do {
    __atomic_store_n(&vi->upcall_pending, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    // Ready bits are taken whole; a queue found empty drops its bit, and the
    // word is taken again after every event, so a queue the hypervisor
    // readies meanwhile (highest priority first) is not missed.
    uint32_t ready = __atomic_exchange_n(ready_word, 0, __ATOMIC_SEQ_CST);
    while (ready != 0) {
      const unsigned prio = static_cast<unsigned>(__builtin_ctz(ready));
      bool more = false;
      taken += consume_one(*q, prio, &more);
      if (!more) ready &= ~(1u << prio);
      ready |= __atomic_exchange_n(ready_word, 0, __ATOMIC_SEQ_CST);
    }
  } while (__atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) != 0);
  return taken;
}

void mask(uint32_t port) {
  if (uint32_t* w = word(port); w != nullptr) __atomic_fetch_or(w, PVABI_EVTQ_WORD_MASKED, __ATOMIC_SEQ_CST);
}

int unmask(uint32_t port) {
  uint32_t* w = word(port);
  if (w == nullptr) return PVABI_ERANGE;
  const uint32_t old = __atomic_fetch_and(w, ~PVABI_EVTQ_WORD_MASKED, __ATOMIC_SEQ_CST);
  return (old & PVABI_EVTQ_WORD_PENDING) != 0 ? unmask_hypercall(port) : PVABI_OK;
}

bool pending(uint32_t port) {
  const uint32_t* w = word(port);
  return w != nullptr && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & PVABI_EVTQ_WORD_PENDING) != 0;
}

void clear(uint32_t port) {
  if (uint32_t* w = word(port); w != nullptr) __atomic_fetch_and(w, ~PVABI_EVTQ_WORD_PENDING, __ATOMIC_SEQ_CST);
}

}  // namespace libpv::queue

using namespace libpv;

extern "C" int pv_evtq_set_pages(uint32_t** pages, uint32_t max_pages) {
  if (pages == nullptr || max_pages == 0 || max_pages > queue::kMaxPages) return PVABI_EINVAL;
  State& s = state();
  s.evtq_pages = pages;
  s.evtq_max_pages = max_pages;
  s.evtq_nr_pages = 0;
  return PVABI_OK;
}

extern "C" int pv_evtq_init_control(pv_evtq_vcpu* q, pvabi_evtq_control_block* block, uint64_t block_mfn,
                                    uint32_t vcpu) {
  if (vcpu >= PVABI_SHARED_INFO_VCPUS) return PVABI_ERANGE;
  const auto offset = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(block) & (PVABI_PAGE_SIZE - 1));
  if (q == nullptr || block == nullptr || offset % 8 != 0) return PVABI_EINVAL;
  *q = pv_evtq_vcpu{block, {}, vcpu, 0};
  pvabi_evtq_init_control arg{block_mfn, offset, vcpu, 0, 0};
  if (const int rc = op_on(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_INIT_CONTROL, &arg); rc < 0) return rc;
  State& s = state();
  s.evtq[vcpu] = q;
  s.layout = EventLayout::kQueue;  // for good (pvabi/event_queue.h)
  return PVABI_OK;
}

extern "C" int pv_evtq_expand(uint32_t* page, uint64_t page_mfn) {
  State& s = state();
  if (s.evtq_pages == nullptr || page == nullptr ||
      (reinterpret_cast<uintptr_t>(page) & (PVABI_PAGE_SIZE - 1)) != 0) {
    return PVABI_EINVAL;
  }
  if (s.evtq_nr_pages == s.evtq_max_pages) return PVABI_ENOSPC;
  pvabi_evtq_expand_array arg{page_mfn};
  if (const int rc = op_on(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_EXPAND_ARRAY, &arg); rc < 0) return rc;
  s.evtq_pages[s.evtq_nr_pages++] = page;
  return PVABI_OK;
}

extern "C" int pv_evtq_set_priority(uint32_t port, uint32_t priority) {
  pvabi_evtq_set_priority arg{port, priority};
  return op_on(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SET_PRIORITY, &arg);
}

extern "C" int pv_evtq_active(void) { return state().layout == EventLayout::kQueue; }
