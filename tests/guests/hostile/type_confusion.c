/*
 * Rule 2, one type per frame: a frame cannot be an L1 and an L2 table, a
 * pinned or live page table (the domain's own included) cannot be mapped
 * writable, a writable-mapped frame cannot become a table, and a type does
 * not change while anything still references it. Every refused entry keeps
 * its old value.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { SCRATCH = 0, T = 1, B = 2, G = 3 };

static uint64_t scratch_l1_entry(void) { return hostile_entry_maddr((uint64_t)hostile_page(SCRATCH).va, 1); }

/* Tries to map `mfn` writable at the scratch address: both ways in. */
static void expect_no_writable_mapping(uint64_t mfn, int64_t want) {
  const uint64_t entry = scratch_l1_entry();
  const uint64_t before = hostile_read_entry(entry);
  PVTEST_EXPECT_STATUS(hostile_uvm((uint64_t)hostile_page(SCRATCH).va, hostile_pte(mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), want);
  PVTEST_EXPECT_STATUS(hostile_pt_write(entry, hostile_pte(mfn, PVABI_PTE_WRITABLE)), want);
  PVTEST_EXPECT_STATUS(hostile_mmu_update(entry | PVABI_MMU_PT_UPDATE_PRESERVE_AD, hostile_pte(mfn, PVABI_PTE_WRITABLE)), want);
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
}

PVTEST(the_domains_own_page_tables_cannot_be_mapped_writable) {
  const uint64_t va = (uint64_t)hostile_page(SCRATCH).va;
  for (unsigned level = 1; level <= 4; ++level) {
    const uint64_t table = hostile_entry_maddr(va, level) >> PVABI_PAGE_SHIFT;
    expect_no_writable_mapping(table, PVABI_EBUSY);
    /* Read-only is how the domain reads its tables: allowed. */
    PVTEST_EXPECT_STATUS(hostile_uvm(va, hostile_pte(table, 0), PVABI_UVMF_INVLPG), PVABI_OK);
    PVTEST_EXPECT_STATUS(hostile_make_writable(hostile_page(SCRATCH)), PVABI_OK);
  }
  /* The builder's tables in the linear map stay read-only. */
  const uint64_t root_va = pvtest_start_info()->pt_base_va;
  PVTEST_EXPECT_STATUS(hostile_uvm(root_va, hostile_pte(hostile_root_mfn(), PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), PVABI_EBUSY);
}

PVTEST(a_pinned_table_cannot_be_mapped_writable) {
  const struct page t = hostile_table_page(T);
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, level, t.mfn));
    expect_no_writable_mapping(t.mfn, PVABI_EBUSY);
    PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  }
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(a_frame_cannot_be_an_l1_and_an_l2) {
  const struct page t = hostile_table_page(T);
  const struct page b = hostile_table_page(B);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 2, t.mfn), PVABI_EEXIST);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 2, b.mfn));
  /* b as an L1 under itself, t (an L1) named as an L2 by an L3 entry. */
  PVTEST_EXPECT_STATUS(hostile_pt_write(b.mfn << PVABI_PAGE_SHIFT, hostile_pte(b.mfn, 0)), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, b.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 3, b.mfn));
  PVTEST_EXPECT_STATUS(hostile_pt_write(b.mfn << PVABI_PAGE_SHIFT, hostile_pte(t.mfn, 0)), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(b.va[0], 0);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, b.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  /* Untyped again: now either level takes it. */
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 2, t.mfn), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, t.mfn), PVABI_EEXIST);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, t.mfn), PVABI_OK);
}

PVTEST(a_type_does_not_change_while_referenced) {
  const struct page t = hostile_table_page(T);
  const struct page b = hostile_table_page(B);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 2, b.mfn));
  PVTEST_REQUIRE_OK(hostile_pt_write(b.mfn << PVABI_PAGE_SHIFT, hostile_pte(t.mfn, PVABI_PTE_WRITABLE)));
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, t.mfn), PVABI_OK);
  /* b's entry still holds t as an L1. */
  expect_no_writable_mapping(t.mfn, PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L2_TABLE, t.mfn, 0), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L4_TABLE, t.mfn, 0), PVABI_EBUSY);
  static uint64_t frames[1];
  frames[0] = t.mfn;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, b.mfn));
  /* The last reference went with b: t is plain again. */
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(b), PVABI_OK);
}

PVTEST(a_writable_mapped_frame_cannot_become_a_table) {
  const struct page p = hostile_page(T);
  PVTEST_REQUIRE_OK(hostile_make_writable(p));
  for (unsigned i = 0; i < 512; ++i) p.va[i] = 0;
  for (uint32_t cmd = PVABI_MMUEXT_PIN_L1_TABLE; cmd <= PVABI_MMUEXT_PIN_L4_TABLE; ++cmd) {
    PVTEST_EXPECT_STATUS(hostile_mmuext(cmd, p.mfn, 0), PVABI_EBUSY);
  }
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, p.mfn, 0), PVABI_EINVAL);
  static uint64_t frames[1];
  frames[0] = p.mfn;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1), PVABI_EBUSY);
  p.va[0] = 7; /* still ours to write */
  PVTEST_EXPECT_EQ(p.va[0], 7);
  p.va[0] = 0;
}

PVTEST(a_descriptor_table_is_not_a_page_table) {
  const struct page g = hostile_table_page(G);
  static uint64_t frames[1];
  frames[0] = g.mfn;
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 512));
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L1_TABLE, g.mfn, 0), PVABI_EBUSY);
  expect_no_writable_mapping(g.mfn, PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(hostile_make_writable(g), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 0));
  PVTEST_EXPECT_STATUS(hostile_make_writable(g), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(hostile_page(SCRATCH)), PVABI_OK);
}
