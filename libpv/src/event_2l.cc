// The 2-level layout: the guest's half of the protocol in pvabi/event.h,
// step by step and with its barriers.
#include "event_layout.h"

#include <libpv/init.h>

#include "state.h"

namespace libpv::two_level {
namespace {

constexpr uint32_t kBits = 64;

pvabi_shared_info* shared() { return state().shared_info; }

// Takes the pending, unmasked ports of word w; returns how many.
unsigned take_word(pvabi_shared_info& sh, unsigned w) {
  unsigned taken = 0;
  uint64_t bits = __atomic_load_n(&sh.evtchn_pending[w], __ATOMIC_ACQUIRE) &
                  ~__atomic_load_n(&sh.evtchn_mask[w], __ATOMIC_ACQUIRE);
  while (bits != 0) {
    const unsigned b = static_cast<unsigned>(__builtin_ctzll(bits));
    bits &= bits - 1;
    const uint64_t bit = 1ull << b;
    // Step 3: clear, then handle; a port someone else cleared meanwhile is skipped.
    if ((__atomic_fetch_and(&sh.evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit) == 0) continue;
    dispatch(w * kBits + b);
    ++taken;
  }
  return taken;
}

}  // namespace

unsigned upcall(uint32_t vcpu) {
  pvabi_shared_info* sh = shared();
  pvabi_vcpu_info* vi = pv_vcpu_info(vcpu);
  if (sh == nullptr || vi == nullptr) return 0;
  unsigned taken = 0;
  do {
    __atomic_store_n(&vi->upcall_pending, 0, __ATOMIC_RELAXED);  // step 1
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t sel = __atomic_exchange_n(&vi->pending_sel, 0, __ATOMIC_SEQ_CST);  // step 2
    while (sel != 0) {
      const unsigned w = static_cast<unsigned>(__builtin_ctzll(sel));
      sel &= sel - 1;
      taken += take_word(*sh, w);
    }
  } while (__atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE) != 0);  // step 4
  return taken;
}

void mask(uint32_t port) {
  if (pvabi_shared_info* sh = shared(); sh != nullptr && port < PVABI_EVTCHN_2L_PORTS) {
    __atomic_fetch_or(&sh->evtchn_mask[port / kBits], 1ull << (port % kBits), __ATOMIC_SEQ_CST);
  }
}

int unmask(uint32_t port) {
  pvabi_shared_info* sh = shared();
  if (sh == nullptr || port >= PVABI_EVTCHN_2L_PORTS) return PVABI_ERANGE;
  const uint64_t bit = 1ull << (port % kBits);
  __atomic_fetch_and(&sh->evtchn_mask[port / kBits], ~bit, __ATOMIC_SEQ_CST);
  // Raised while masked: the hypervisor stopped at step 2, so ask it for 3-4.
  if ((__atomic_load_n(&sh->evtchn_pending[port / kBits], __ATOMIC_SEQ_CST) & bit) != 0) {
    return unmask_hypercall(port);
  }
  return PVABI_OK;
}

bool pending(uint32_t port) {
  const pvabi_shared_info* sh = shared();
  return sh != nullptr && port < PVABI_EVTCHN_2L_PORTS &&
         (__atomic_load_n(&sh->evtchn_pending[port / kBits], __ATOMIC_ACQUIRE) & (1ull << (port % kBits))) != 0;
}

void clear(uint32_t port) {
  if (pvabi_shared_info* sh = shared(); sh != nullptr && port < PVABI_EVTCHN_2L_PORTS) {
    __atomic_fetch_and(&sh->evtchn_pending[port / kBits], ~(1ull << (port % kBits)), __ATOMIC_SEQ_CST);
  }
}

}  // namespace libpv::two_level
