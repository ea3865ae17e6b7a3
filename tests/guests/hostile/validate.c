/*
 * Rule 3, validate before use: a base pointer must name a valid L4 (not
 * garbage, another level, a writable frame, a foreign or missing frame),
 * pinning takes only the four table levels, a table that fails validation
 * anywhere in its tree takes nothing, and mmu_update writes only into
 * validated tables. The domain runs on its old tables after every refusal.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { GARBAGE = 0, L1 = 1, L2 = 2, L3 = 3, PLAIN = 4, TREE = 8 };

static void expect_baseptr(uint64_t mfn, int64_t want) {
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, mfn, 0), want);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_USER_BASEPTR, mfn, 0), want);
}

/* Still on the old tables: an update through the kernel base pointer works. */
static void expect_still_running(void) {
  const struct page p = hostile_page(PLAIN);
  PVTEST_EXPECT_STATUS(hostile_make_writable(p), PVABI_OK);
  p.va[0] = 0x5a;
  PVTEST_EXPECT_EQ(p.va[0], 0x5a);
}

PVTEST(new_baseptr_to_a_frame_of_garbage_is_refused) {
  const struct page g = hostile_table_page(GARBAGE);
  const struct page src = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0x8000000000000fffull ^ (i * 0x1234567ull << 12);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, g.mfn, src.mfn));
  expect_baseptr(g.mfn, PVABI_EINVAL);
  expect_still_running();
  PVTEST_EXPECT_STATUS(hostile_make_writable(g), PVABI_OK); /* nothing typed it */
}

PVTEST(new_baseptr_to_another_level_is_refused) {
  const struct page tables[3] = {hostile_table_page(L1), hostile_table_page(L2), hostile_table_page(L3)};
  for (unsigned level = 1; level <= 3; ++level) {
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level, tables[level - 1].mfn));
    expect_baseptr(tables[level - 1].mfn, PVABI_EINVAL);
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, tables[level - 1].mfn));
  }
  /* The live L1 and L2 that map this code. */
  expect_baseptr(hostile_entry_maddr((uint64_t)&expect_baseptr, 1) >> PVABI_PAGE_SHIFT, PVABI_EINVAL);
  expect_baseptr(hostile_entry_maddr((uint64_t)&expect_baseptr, 2) >> PVABI_PAGE_SHIFT, PVABI_EINVAL);
  expect_still_running();
}

PVTEST(new_baseptr_to_a_writable_foreign_or_missing_frame_is_refused) {
  expect_baseptr(hostile_page(PLAIN).mfn, PVABI_EINVAL);
  expect_baseptr(1, PVABI_EPERM);
  expect_baseptr(hostile_frame_past_memory(), PVABI_ERANGE);
  expect_baseptr(~0ull >> 12, PVABI_ERANGE);
  expect_still_running();
}

PVTEST(pin_takes_only_the_four_table_levels) {
  const struct page t = hostile_table_page(L1);
  const uint32_t bad[] = {PVABI_MMUEXT_SET_LDT + 1, 64, 0xffffffffu};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_mmuext(bad[i], t.mfn, 0), PVABI_EINVAL);
  }
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 0, t.mfn), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 5, t.mfn), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_UNPIN_TABLE, t.mfn, 0), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(an_l1_pinned_as_an_l2_is_refused) {
  /* Entries that are fine in an L1 (read-only data pages) name frames that
   * cannot be L1 tables: they are mapped writable in the linear map. */
  const struct page t = hostile_table_page(L1);
  const struct page src = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
  src.va[0] = hostile_pte(src.mfn, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, t.mfn, src.mfn));
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L2_TABLE, t.mfn, 0), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L1_TABLE, t.mfn, 0), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_UNPIN_TABLE, t.mfn, 0), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(a_bad_entry_deep_in_a_tree_refuses_the_whole_tree) {
  /* L4 -> L3 -> L2 -> L1, whose last entry has a cache-attribute bit. */
  struct page t[4];
  const struct page src = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned level = 1; level <= 4; ++level) t[level - 1] = hostile_table_page(TREE + level);
  for (unsigned level = 1; level <= 4; ++level) {
    for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
    if (level == 1) {
      src.va[0] = hostile_pte(src.mfn, 0);
      src.va[511] = hostile_pte(src.mfn, PVABI_PTE_PCD);
    } else {
      src.va[0] = hostile_pte(t[level - 2].mfn, PVABI_PTE_WRITABLE);
    }
    PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, t[level - 1].mfn, src.mfn));
  }
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L4_TABLE, t[3].mfn, 0), PVABI_EINVAL);
  expect_baseptr(t[3].mfn, PVABI_EINVAL);
  expect_still_running();
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_CHECK_MSG(hostile_make_writable(t[level - 1]) == PVABI_OK, "the L%u table kept a type", level);
  }
}

PVTEST(mmu_update_writes_only_into_validated_tables) {
  const struct page ro = hostile_table_page(L1);
  const struct page rw = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(rw));
  PVTEST_EXPECT_STATUS(hostile_pt_write(ro.mfn << PVABI_PAGE_SHIFT, hostile_pte(rw.mfn, PVABI_PTE_WRITABLE)), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_pt_write((rw.mfn << PVABI_PAGE_SHIFT) + 8, hostile_pte(ro.mfn, PVABI_PTE_WRITABLE)), PVABI_EINVAL);
  PVTEST_EXPECT_EQ(ro.va[0], 0);
  PVTEST_EXPECT_STATUS(hostile_make_writable(ro), PVABI_OK);
}
