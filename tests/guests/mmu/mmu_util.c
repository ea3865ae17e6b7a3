/* Helpers the MMU test kernels share (mmu_util.h). */
#include "mmu_util.h"

static uint64_t next_free_pfn;

uint64_t mmu_util_take_pfn(void) {
  const struct pvabi_start_info *si = pvtest_start_info();
  if (next_free_pfn == 0) next_free_pfn = si->first_free_pfn;
  return next_free_pfn < si->nr_pages ? next_free_pfn++ : PV_INVALID_FRAME;
}

uint64_t mmu_util_pfn_of(uint64_t mfn) {
  const uint64_t pages = pvtest_start_info()->nr_pages;
  for (uint64_t pfn = 0; pfn < pages; ++pfn) {
    if (pv_pfn_to_mfn(pfn) == mfn) return pfn;
  }
  return PV_INVALID_FRAME;
}

void *mmu_util_frame_va(uint64_t mfn) {
  const uint64_t pfn = mmu_util_pfn_of(mfn);
  return pfn == PV_INVALID_FRAME ? 0 : pv_pfn_to_virt(pfn);
}

uint64_t mmu_util_initial_l4(void) { return pv_virt_to_mfn((const void *)pvtest_start_info()->pt_base_va); }

const uint64_t *mmu_util_l1_entry(uint64_t va) {
  const uint64_t *table = (const uint64_t *)pvtest_start_info()->pt_base_va;
  for (unsigned level = 4; level > 1; --level) {
    const uint64_t e = table[(va >> (PVABI_PAGE_SHIFT + 9 * (level - 1))) & 511];
    if ((e & PVABI_PTE_PRESENT) == 0) return 0;
    table = mmu_util_frame_va((e & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT);
    if (table == 0) return 0;
  }
  return &table[(va >> PVABI_PAGE_SHIFT) & 511];
}

uint64_t mmu_util_l1_entry_maddr(uint64_t va) {
  const uint64_t *e = mmu_util_l1_entry(va);
  if (e == 0) return 0;
  const uint64_t offset = (uint64_t)e & (PVABI_PAGE_SIZE - 1);
  return (pv_virt_to_mfn(e) << PVABI_PAGE_SHIFT) + offset;
}

int mmu_util_set_writable(uint64_t pfn, int writable) {
  const uint64_t pte = (pv_pfn_to_mfn(pfn) << PVABI_PAGE_SHIFT) | (writable ? MMU_UTIL_RW : MMU_UTIL_RO);
  return pv_mmu_update_va_mapping(0, (uint64_t)pv_pfn_to_virt(pfn), pte, PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL);
}

int64_t mmu_util_mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2, uint32_t *done) {
  static struct pvabi_mmuext_op op;
  op.cmd = cmd;
  op._pad0 = 0;
  op.arg1 = arg1;
  op.arg2 = arg2;
  return pv_hypercall4(PVABI_HC_MMUEXT_OP, (uint64_t)&op, 1, (uint64_t)done, PVABI_DOMID_SELF);
}

uint64_t mmu_util_past_last_frame(void) { return pv_limits()->max_machine_frame; }
