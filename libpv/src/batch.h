// libpv/src/batch.h: the batch rule of pvabi/mmu.h and pvabi/hypercall.h,
// from the guest side: issue the items; after PVABI_ERESTART, or after a
// multicall stopped early with PVABI_OK, issue the rest; stop at the first
// failure and say which item it was.
#ifndef LIBPV_SRC_BATCH_H
#define LIBPV_SRC_BATCH_H

#include "call.h"

namespace libpv {

// issue(first, n, &done) sends items [first, first + n) and returns the
// status; done counts the items performed. Returns PVABI_OK or the failure,
// with *failed (if not null) = the index of the first item not performed.
template <typename Issue>
[[nodiscard]] int run_batch(uint32_t count, uint32_t* failed, Issue&& issue) {
  uint32_t first = 0;
  while (first < count) {
    const uint32_t n = count - first;
    uint32_t done = 0;
    const int64_t rc = issue(first, n, &done);
    if (done > n) done = n;  // a done count past the batch is not believable
    if (rc < 0 && rc != PVABI_ERESTART) {
      if (failed != nullptr) *failed = first + done;
      return status(rc);
    }
    // Success with everything (or, defensively, nothing) done is the end.
    if (rc >= 0 && (done == n || done == 0)) break;
    first += done;
  }
  return PVABI_OK;
}

// An mmu_update or mmuext_op list, sent with PVABI_HC_<nr>.
template <typename Item>
[[nodiscard]] int run_mmu_batch(uint64_t nr, const Item* items, uint32_t count, uint16_t domid,
                                uint32_t* failed) {
  return run_batch(count, failed, [&](uint32_t first, uint32_t n, uint32_t* done) {
    return hc(nr, arg_in(items + first, n * sizeof(Item)), n, arg_out(done, sizeof *done), domid);
  });
}

}  // namespace libpv

#endif  // LIBPV_SRC_BATCH_H
