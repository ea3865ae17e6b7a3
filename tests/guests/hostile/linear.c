/*
 * Rule 6, linear (recursive) page tables: hv-core does not offer them
 * (PVABI_FEATURE0_LINEAR_PAGE_TABLES is off), so every shape is refused:
 * a table naming itself, a table of its own level, a table of a higher
 * level, two levels deep, a loop through fresh frames, and the live root.
 * Writable shapes would be refused even where the feature is offered.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { A = 0, B = 1, X = 2, Y = 3, PLAIN = 4 };

static uint64_t slot(struct page t, unsigned i) { return (t.mfn << PVABI_PAGE_SHIFT) + i * 8; }

int pvtest_setup(void) {
  static struct pvabi_feature_query q = {0, 0};
  if (pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, (uint64_t)&q) != PVABI_OK) return -1;
  /* The cases below assume the feature is off; a hypervisor offering it needs them revised. */
  return (q.bits & PVABI_FEATURE0_LINEAR_PAGE_TABLES) != 0 ? -1 : 0;
}

/* Entry i of t must refuse `mfn` both read-only and writable, and stay 0. */
static void expect_refused(struct page t, unsigned i, uint64_t mfn) {
  PVTEST_EXPECT_STATUS(hostile_pt_write(slot(t, i), hostile_pte(mfn, 0)), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_pt_write(slot(t, i), hostile_pte(mfn, PVABI_PTE_WRITABLE)), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(t.va[i], 0);
}

PVTEST(a_table_cannot_name_itself) {
  /* A fresh frame each time: a frame once pinned as an L4 holds the
   * hypervisor's slots, which no lower level accepts. */
  for (unsigned level = 2; level <= 4; ++level) {
    const struct page a = hostile_table_page(A);
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level, a.mfn));
    expect_refused(a, 5, a.mfn);
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, a.mfn));
  }
  /* An L1 may map itself read-only (that is a plain read-only mapping), never writable. */
  const struct page a = hostile_table_page(A);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, a.mfn));
  PVTEST_EXPECT_STATUS(hostile_pt_write(slot(a, 5), hostile_pte(a.mfn, PVABI_PTE_WRITABLE)), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, a.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(a), PVABI_OK);
}

PVTEST(a_table_cannot_name_its_own_level_or_a_higher_one) {
  for (unsigned la = 2; la <= 4; ++la) {
    for (unsigned lb = la; lb <= 4; ++lb) {
      const struct page a = hostile_table_page(A);
      const struct page b = hostile_table_page(B);
      PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, la, a.mfn));
      PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, lb, b.mfn));
      expect_refused(a, 9, b.mfn);
      PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, b.mfn));
      PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, a.mfn));
    }
  }
}

PVTEST(the_live_root_cannot_be_linked_into_itself) {
  const uint64_t root = hostile_root_mfn();
  const uint64_t free_slot = (root << PVABI_PAGE_SHIFT) + 8 * (PVABI_L4_FIRST_RESERVED_SLOT - 2);
  PVTEST_REQUIRE_OK(hostile_read_entry(free_slot) == 0 ? PVABI_OK : PVABI_EEXIST);
  PVTEST_EXPECT_STATUS(hostile_pt_write(free_slot, hostile_pte(root, 0)), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_pt_write(free_slot, hostile_pte(root, PVABI_PTE_WRITABLE)), PVABI_EBUSY);
  /* Nor its L3 or L2 as a lower level of themselves. */
  const uint64_t here = (uint64_t)&expect_refused;
  const uint64_t l3 = hostile_entry_maddr(here, 3) >> PVABI_PAGE_SHIFT;
  PVTEST_EXPECT_STATUS(hostile_pt_write(free_slot, hostile_pte(hostile_entry_maddr(here, 2) >> PVABI_PAGE_SHIFT, 0)), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_pt_write((l3 << PVABI_PAGE_SHIFT) + 8 * 511, hostile_pte(l3, 0)), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(hostile_read_entry(free_slot), 0);
}

PVTEST(a_loop_through_fresh_frames_is_refused_and_takes_nothing) {
  /* a (L4) -> x, whose entry names a again: x would be an L3 naming an L4. */
  const struct page a = hostile_table_page(A);
  const struct page x = hostile_table_page(X);
  const struct page src = hostile_page(PLAIN);
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
  src.va[3] = hostile_pte(a.mfn, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, x.mfn, src.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 4, a.mfn));
  PVTEST_EXPECT_STATUS(hostile_pt_write(slot(a, 1), hostile_pte(x.mfn, 0)), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, a.mfn));
  /* The same loop met during validation: a names x names a. */
  src.va[3] = 0;
  src.va[1] = hostile_pte(x.mfn, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, a.mfn, src.mfn));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
  src.va[3] = hostile_pte(a.mfn, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, x.mfn, src.mfn));
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L4_TABLE, a.mfn, 0), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L3_TABLE, x.mfn, 0), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_make_writable(a), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(x), PVABI_OK);
}

PVTEST(two_levels_deep_is_refused) {
  /* L4 a -> L3 x -> y, where y is itself a pinned L3. */
  const struct page a = hostile_table_page(A);
  const struct page x = hostile_table_page(X);
  const struct page y = hostile_table_page(Y);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 4, a.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 3, y.mfn));
  PVTEST_REQUIRE_OK(hostile_pt_write(slot(a, 0), hostile_pte(x.mfn, PVABI_PTE_WRITABLE)));
  expect_refused(x, 0, y.mfn);
  expect_refused(x, 1, a.mfn);
  PVTEST_REQUIRE_OK(hostile_pt_write(slot(a, 0), 0));
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, y.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, a.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(x), PVABI_OK);
}
