/*
 * Rule 4, flag whitelist and fast path: cache-attribute bits, the large-page
 * bit, bits 52-62 and GLOBAL above L1 are refused at every level; a change
 * of frame or of the writable bit revalidates even when the other flags stay
 * (so it cannot smuggle a page table or foreign frame in), while accessed,
 * dirty, available and no-execute changes are accepted. Refused entries keep
 * their old value.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { SCRATCH = 0, DATA = 1, T = 2, B = 3 };

static uint64_t scratch_va(void) { return (uint64_t)hostile_page(SCRATCH).va; }
static uint64_t scratch_entry(void) { return hostile_entry_maddr(scratch_va(), 1); }

/* Both ways of writing the scratch L1 entry refuse `pte` with `want`; the entry stays. */
static void expect_l1_refused(uint64_t pte, int64_t want) {
  const uint64_t before = hostile_read_entry(scratch_entry());
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), pte, PVABI_UVMF_INVLPG), want);
  PVTEST_EXPECT_STATUS(hostile_pt_write(scratch_entry(), pte), want);
  PVTEST_EXPECT_STATUS(hostile_mmu_update(scratch_entry() | PVABI_MMU_PT_UPDATE_PRESERVE_AD, pte), want);
  PVTEST_EXPECT_EQ(hostile_read_entry(scratch_entry()), before);
}

static const uint64_t forbidden[] = {PVABI_PTE_PWT, PVABI_PTE_PCD, PVABI_PTE_PAT_OR_LARGE, 1ull << 52, 1ull << 58,
                                     1ull << 59, 1ull << 62};

PVTEST(cache_and_reserved_bits_are_refused_in_l1_entries) {
  const uint64_t data = hostile_page(DATA).mfn;
  for (unsigned i = 0; i < sizeof forbidden / sizeof forbidden[0]; ++i) {
    expect_l1_refused(hostile_pte(data, PVABI_PTE_WRITABLE | forbidden[i]), PVABI_EINVAL);
  }
  /* GLOBAL is a leaf flag: accepted here. */
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), hostile_pte(data, PVABI_PTE_GLOBAL), PVABI_UVMF_INVLPG), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(hostile_page(SCRATCH)), PVABI_OK);
}

PVTEST(large_global_and_cache_bits_are_refused_above_l1) {
  const struct page l1 = hostile_table_page(T);
  const struct page upper = hostile_table_page(B);
  const uint64_t bad[] = {PVABI_PTE_PAT_OR_LARGE, PVABI_PTE_GLOBAL, PVABI_PTE_PCD, PVABI_PTE_PWT, 1ull << 52};
  for (unsigned level = 2; level <= 4; ++level) {
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level, upper.mfn));
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level - 1, l1.mfn));
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
      PVTEST_EXPECT_STATUS(hostile_pt_write(upper.mfn << PVABI_PAGE_SHIFT, hostile_pte(l1.mfn, PVABI_PTE_WRITABLE | bad[i])),
                           PVABI_EINVAL);
      PVTEST_EXPECT_EQ(upper.va[0], 0);
    }
    /* The same entry without them is fine, and then keeps its place against a fast-path smuggle. */
    PVTEST_EXPECT_STATUS(hostile_pt_write(upper.mfn << PVABI_PAGE_SHIFT, hostile_pte(l1.mfn, PVABI_PTE_WRITABLE)), PVABI_OK);
    const uint64_t good = upper.va[0];
    PVTEST_EXPECT_STATUS(hostile_pt_write(upper.mfn << PVABI_PAGE_SHIFT, good | PVABI_PTE_PAT_OR_LARGE), PVABI_EINVAL);
    PVTEST_EXPECT_EQ(upper.va[0], good);
    PVTEST_REQUIRE_OK(hostile_pt_write(upper.mfn << PVABI_PAGE_SHIFT, 0));
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, l1.mfn));
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, upper.mfn));
  }
}

PVTEST(the_fast_path_takes_only_accessed_dirty_available_and_nx) {
  const uint64_t data = hostile_page(DATA).mfn;
  const uint64_t base = hostile_pte(data, PVABI_PTE_WRITABLE);
  PVTEST_REQUIRE_OK(hostile_uvm(scratch_va(), base, PVABI_UVMF_INVLPG));
  const uint64_t fast[] = {PVABI_PTE_ACCESSED, PVABI_PTE_DIRTY, PVABI_PTE_AVAIL_MASK, PVABI_PTE_NX};
  for (unsigned i = 0; i < sizeof fast / sizeof fast[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_pt_write(scratch_entry(), base | fast[i]), PVABI_OK);
    PVTEST_EXPECT_EQ(hostile_read_entry(scratch_entry()) & fast[i], fast[i]);
  }
  /* A cache bit on top of a valid entry is no fast-path change. */
  for (unsigned i = 0; i < sizeof forbidden / sizeof forbidden[0]; ++i) {
    expect_l1_refused(base | PVABI_PTE_ACCESSED | forbidden[i], PVABI_EINVAL);
  }
  PVTEST_EXPECT_STATUS(hostile_make_writable(hostile_page(SCRATCH)), PVABI_OK);
}

PVTEST(a_frame_change_with_the_same_flags_revalidates) {
  const struct page t = hostile_table_page(T);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  PVTEST_REQUIRE_OK(hostile_make_writable(hostile_page(SCRATCH)));
  const uint64_t old = hostile_read_entry(scratch_entry());
  const uint64_t flags = old & ~PVABI_PTE_FRAME_MASK;
  /* Same flags, new frame: a page table, the hypervisor's, past memory. */
  expect_l1_refused((t.mfn << PVABI_PAGE_SHIFT) | flags, PVABI_EBUSY);
  expect_l1_refused((1ull << PVABI_PAGE_SHIFT) | flags, PVABI_EPERM);
  expect_l1_refused((hostile_frame_past_memory() << PVABI_PAGE_SHIFT) | flags, PVABI_ERANGE);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
}

PVTEST(setting_only_the_writable_bit_revalidates) {
  const struct page t = hostile_table_page(T);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  PVTEST_REQUIRE_OK(hostile_uvm(scratch_va(), hostile_pte(t.mfn, PVABI_PTE_ACCESSED), PVABI_UVMF_INVLPG));
  const uint64_t ro = hostile_read_entry(scratch_entry());
  expect_l1_refused(ro | PVABI_PTE_WRITABLE, PVABI_EBUSY);
  expect_l1_refused(ro | PVABI_PTE_WRITABLE | PVABI_PTE_DIRTY, PVABI_EBUSY);
  PVTEST_REQUIRE_OK(hostile_make_writable(hostile_page(SCRATCH)));
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}
