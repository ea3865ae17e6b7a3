/*
 * Rule 10, reference counts balance: after long runs of failing operations
 * (bad pins, bad base pointers, bad descriptor tables, refused mappings)
 * the frames involved hold nothing: a pinned table unpins exactly once, and
 * an unmapped frame can be handed back to the hypervisor, which refuses
 * (EBUSY) any frame still referenced.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { F = 0, T = 1, SCRATCH = 2, PLAIN = 3, FIRST_CHILD = 4 };

static int64_t give_back(uint64_t mfn) {
  static uint64_t frames[1];
  static struct pvabi_memory_reservation r;
  frames[0] = mfn;
  r = (struct pvabi_memory_reservation){(uint64_t)frames, 1, PVABI_DOMID_SELF, 0};
  return pv_hypercall2(PVABI_HC_MEMORY_OP, PVABI_MEMOP_DECREASE_RESERVATION, (uint64_t)&r);
}

/* Unmaps f from the linear map: then only what the failing calls leaked would hold it. */
static void unmap(struct page f) { (void)hostile_uvm((uint64_t)f.va, 0, PVABI_UVMF_INVLPG); }

PVTEST(a_referenced_frame_cannot_be_given_back) {
  PVTEST_EXPECT_STATUS(give_back(hostile_page(SCRATCH).mfn), PVABI_EBUSY); /* mapped */
  PVTEST_EXPECT_STATUS(give_back(hostile_root_mfn()), PVABI_EBUSY);        /* the live root */
}

PVTEST(failed_validations_leave_no_reference) {
  /* f holds a forbidden entry after good ones that name fresh L1 tables. */
  const struct page f = hostile_table_page(F);
  const struct page src = hostile_page(PLAIN);
  struct page child[4];
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 4; ++i) child[i] = hostile_table_page(FIRST_CHILD + i);
  for (unsigned i = 0; i < 512; ++i) src.va[i] = i < 4 ? hostile_pte(child[i].mfn, 0) : 0;
  src.va[4] = hostile_pte(1, 0);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, f.mfn, src.mfn));
  unmap(f);
  for (unsigned round = 0; round < 50; ++round) {
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L2_TABLE, f.mfn, 0), PVABI_EPERM);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, f.mfn, 0), PVABI_EPERM);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L1_TABLE, f.mfn, 0), PVABI_EPERM);
  }
  for (unsigned i = 0; i < 4; ++i) {
    PVTEST_CHECK_MSG(pv_mmu_pin_table(0, 1, child[i].mfn) == PVABI_OK, "child %u was left typed", i);
    PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, child[i].mfn), PVABI_OK);
    PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, child[i].mfn), PVABI_ENOENT);
  }
  PVTEST_EXPECT_STATUS(give_back(f.mfn), 1);
  PVTEST_EXPECT_STATUS(give_back(f.mfn), PVABI_EPERM); /* gone: no longer ours */
}

PVTEST(refused_mappings_and_descriptor_tables_leave_no_reference) {
  const struct page t = hostile_table_page(T);
  const struct page scratch = hostile_page(SCRATCH);
  const uint64_t entry = hostile_entry_maddr((uint64_t)scratch.va, 1);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  unmap(t);
  static uint64_t frames[2];
  frames[0] = t.mfn;
  frames[1] = 1;
  for (unsigned round = 0; round < 50; ++round) {
    PVTEST_EXPECT_STATUS(hostile_pt_write(entry, hostile_pte(t.mfn, PVABI_PTE_WRITABLE)), PVABI_EBUSY);
    PVTEST_EXPECT_STATUS(hostile_pt_write(entry, hostile_pte(t.mfn, PVABI_PTE_PCD)), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1), PVABI_EBUSY);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L2_TABLE, t.mfn, 0), PVABI_EEXIST);
  }
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, t.mfn), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, t.mfn), PVABI_ENOENT);
  /* A set_gdt whose second frame is refused must drop the first. */
  for (unsigned round = 0; round < 50; ++round) {
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1024), PVABI_EPERM);
  }
  PVTEST_EXPECT_STATUS(give_back(t.mfn), 1);
}

PVTEST(the_domain_can_still_take_memory_back) {
  static uint64_t frames[2];
  static struct pvabi_memory_reservation r;
  r = (struct pvabi_memory_reservation){(uint64_t)frames, 2, PVABI_DOMID_SELF, 0};
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_MEMORY_OP, PVABI_MEMOP_INCREASE_RESERVATION, (uint64_t)&r), 2);
  /* New frames are plain: pin and unpin one, give both back. */
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, frames[0]), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, frames[0]), PVABI_OK);
  PVTEST_EXPECT_STATUS(give_back(frames[0]), 1);
  PVTEST_EXPECT_STATUS(give_back(frames[1]), 1);
}
