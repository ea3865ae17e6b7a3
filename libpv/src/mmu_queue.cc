// The MMU update queue (libpv/mmu.h).
#include <libpv/mmu.h>

#include "batch.h"
#include "state.h"

using namespace libpv;

namespace {

uint32_t max_batch() {
  const uint32_t limit = state().limits.max_mmu_batch;
  return limit == 0 || limit > PVABI_MMU_BATCH_MAX ? PVABI_MMU_BATCH_MAX : limit;
}

}  // namespace

extern "C" int pv_mmu_queue_init(pv_mmu_queue* q, pvabi_mmu_update* slots, uint32_t capacity,
                                 uint16_t domid) {
  if (q == nullptr || slots == nullptr || capacity == 0 || capacity > max_batch()) return PVABI_EINVAL;
  *q = pv_mmu_queue{slots, capacity, 0, 0, domid, 0};
  return PVABI_OK;
}

extern "C" int pv_mmu_queue_flush(pv_mmu_queue* q) {
  const uint32_t n = q->count;
  q->count = 0;  // performed or dropped, either way not sent again
  if (n == 0) return PVABI_OK;
  return run_mmu_batch(PVABI_HC_MMU_UPDATE, q->slots, n, q->domid, &q->failed);
}

extern "C" int pv_mmu_queue_add(pv_mmu_queue* q, uint64_t ptr, uint64_t val) {
  if (q->count == q->capacity) {
    if (const int rc = pv_mmu_queue_flush(q); rc != PVABI_OK) return rc;
  }
  q->slots[q->count++] = pvabi_mmu_update{ptr, val};
  return PVABI_OK;
}

extern "C" int pv_mmu_queue_set_pte(pv_mmu_queue* q, uint64_t entry_maddr, uint64_t pte) {
  if ((entry_maddr & 7) != 0) return PVABI_EINVAL;
  return pv_mmu_queue_add(q, entry_maddr | PVABI_MMU_NORMAL_PT_UPDATE, pte);
}

extern "C" int pv_mmu_queue_set_pte_preserve_ad(pv_mmu_queue* q, uint64_t entry_maddr, uint64_t pte) {
  if ((entry_maddr & 7) != 0) return PVABI_EINVAL;
  return pv_mmu_queue_add(q, entry_maddr | PVABI_MMU_PT_UPDATE_PRESERVE_AD, pte);
}

extern "C" int pv_mmu_queue_set_m2p(pv_mmu_queue* q, uint64_t mfn, uint64_t pfn) {
  return pv_mmu_queue_add(q, (mfn << PVABI_PAGE_SHIFT) | PVABI_MMU_MACHPHYS_UPDATE, pfn);
}

extern "C" uint32_t pv_mmu_queue_pending(const pv_mmu_queue* q) { return q->count; }

extern "C" uint32_t pv_mmu_queue_failed_index(const pv_mmu_queue* q) { return q->failed; }
