/*
 * Rule 11, non-present entries (L1TF): a non-present entry's frame field
 * must be zero or at least PVABI_NONPRESENT_MIN_FRAME, at every level and in
 * tables being validated, so no speculative walk can reach real memory.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { SCRATCH = 0, T = 1, B = 2, PLAIN = 3 };

static uint64_t scratch_va(void) { return (uint64_t)hostile_page(SCRATCH).va; }

static uint64_t not_present(uint64_t frame, uint64_t flags) { return (frame << PVABI_PAGE_SHIFT) | flags; }

PVTEST(non_present_entries_cannot_name_real_frames) {
  const uint64_t entry = hostile_entry_maddr(scratch_va(), 1);
  const uint64_t before = hostile_read_entry(entry);
  const uint64_t frames[] = {1, hostile_page(SCRATCH).mfn, hostile_root_mfn(), hostile_frame_past_memory(),
                             PVABI_NONPRESENT_MIN_FRAME - 1};
  for (unsigned i = 0; i < sizeof frames / sizeof frames[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), not_present(frames[i], PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_pt_write(entry, not_present(frames[i], 0)), PVABI_EINVAL);
    PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
  }
}

PVTEST(the_documented_safe_shapes_are_accepted) {
  const uint64_t ok[] = {0, not_present(0, PVABI_PTE_WRITABLE | PVABI_PTE_PCD),
                         not_present(PVABI_NONPRESENT_MIN_FRAME, 0),
                         not_present(PVABI_PTE_FRAME_MASK >> PVABI_PAGE_SHIFT, PVABI_PTE_NX)};
  for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), ok[i], PVABI_UVMF_INVLPG), PVABI_OK);
  }
  PVTEST_EXPECT_STATUS(hostile_make_writable(hostile_page(SCRATCH)), PVABI_OK);
}

PVTEST(upper_levels_keep_the_same_rule) {
  const struct page upper = hostile_table_page(B);
  for (unsigned level = 2; level <= 4; ++level) {
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level, upper.mfn));
    PVTEST_EXPECT_STATUS(hostile_pt_write((upper.mfn << PVABI_PAGE_SHIFT) + 16, not_present(hostile_root_mfn(), 0)), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_pt_write((upper.mfn << PVABI_PAGE_SHIFT) + 16, not_present(PVABI_NONPRESENT_MIN_FRAME, 0)), PVABI_OK);
    PVTEST_REQUIRE_OK(hostile_pt_write((upper.mfn << PVABI_PAGE_SHIFT) + 16, 0));
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, upper.mfn));
  }
}

PVTEST(a_table_holding_one_is_refused_whole) {
  const struct page t = hostile_table_page(T);
  const struct page src = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
  src.va[7] = not_present(PVABI_NONPRESENT_MIN_FRAME, 0);
  src.va[300] = not_present(1, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, t.mfn, src.mfn));
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, level, t.mfn), PVABI_EINVAL);
  }
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}
