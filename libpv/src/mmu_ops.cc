// Operations that depend on queued updates: each flushes the queue first
// (libpv/mmu.h).
#include <libpv/mmu.h>

#include "batch.h"

using namespace libpv;

namespace {

int flush(pv_mmu_queue* pending) { return pending == nullptr ? PVABI_OK : pv_mmu_queue_flush(pending); }

int one_ext(pv_mmu_queue* pending, uint32_t cmd, uint64_t arg1, uint64_t arg2 = 0) {
  const pvabi_mmuext_op op{cmd, 0, arg1, arg2};
  return pv_mmuext(pending, &op, 1, PVABI_DOMID_SELF, nullptr);
}

}  // namespace

extern "C" int pv_mmuext(pv_mmu_queue* pending, const pvabi_mmuext_op* ops, uint32_t count,
                         uint16_t domid, uint32_t* failed) {
  if (const int rc = flush(pending); rc != PVABI_OK) return rc;
  return run_mmu_batch(PVABI_HC_MMUEXT_OP, ops, count, domid, failed);
}

extern "C" int pv_mmu_pin_table(pv_mmu_queue* pending, unsigned level, uint64_t mfn) {
  if (level < 1 || level > 4) return PVABI_EINVAL;
  return one_ext(pending, PVABI_MMUEXT_PIN_L1_TABLE + (level - 1), mfn);
}

extern "C" int pv_mmu_unpin_table(pv_mmu_queue* pending, uint64_t mfn) {
  return one_ext(pending, PVABI_MMUEXT_UNPIN_TABLE, mfn);
}

extern "C" int pv_mmu_set_baseptr(pv_mmu_queue* pending, uint64_t l4_mfn, int user) {
  return one_ext(pending, user != 0 ? PVABI_MMUEXT_NEW_USER_BASEPTR : PVABI_MMUEXT_NEW_BASEPTR, l4_mfn);
}

extern "C" int pv_mmu_flush_tlb(pv_mmu_queue* pending, int all) {
  return one_ext(pending, all != 0 ? PVABI_MMUEXT_TLB_FLUSH_ALL : PVABI_MMUEXT_TLB_FLUSH_LOCAL, 0);
}

extern "C" int pv_mmu_invlpg(pv_mmu_queue* pending, uint64_t va, int all) {
  return one_ext(pending, all != 0 ? PVABI_MMUEXT_INVLPG_ALL : PVABI_MMUEXT_INVLPG_LOCAL, va);
}

extern "C" int pv_mmu_clear_page(pv_mmu_queue* pending, uint64_t mfn) {
  return one_ext(pending, PVABI_MMUEXT_CLEAR_PAGE, mfn);
}

extern "C" int pv_mmu_copy_page(pv_mmu_queue* pending, uint64_t dst_mfn, uint64_t src_mfn) {
  return one_ext(pending, PVABI_MMUEXT_COPY_PAGE, dst_mfn, src_mfn);
}

extern "C" int pv_mmu_update_va_mapping(pv_mmu_queue* pending, uint64_t va, uint64_t pte, uint32_t flags) {
  if (const int rc = flush(pending); rc != PVABI_OK) return rc;
  return status(hc(PVABI_HC_UPDATE_VA_MAPPING, va, pte, flags));
}
