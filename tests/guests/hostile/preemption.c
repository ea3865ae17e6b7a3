/*
 * Rule 9, preemption and exact done counts: a 512-item and a maximal
 * (PVABI_MMU_BATCH_MAX) batch complete with an exact count, re-issued from
 * the count after PVABI_ERESTART; a failing item stops the batch at its
 * index with everything before it performed and nothing after; a large
 * tree validates whole through libpv (which re-issues after ERESTART); and
 * a multicall stops after an entry that changes control flow.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { DATA = 0, L2 = 1, FIRST_L1 = 2, L1S = 24 };

static struct pvabi_mmu_update items[PVABI_MMU_BATCH_MAX];
static unsigned restarts;

/* The raw contract: re-issue items [done, count) after PVABI_ERESTART. */
static int64_t run(uint32_t count, uint32_t *done_total) {
  static uint32_t done;
  uint32_t total = 0;
  for (;;) {
    done = 0xffffffffu;
    const int64_t s = pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&items[total], count - total, (uint64_t)&done,
                                    PVABI_DOMID_SELF);
    if (done > count - total) {
      pvtest_fail_at(__FILE__, __LINE__, "done count %u past the %u items sent", done, count - total);
      return s;
    }
    total += done;
    if (s != PVABI_ERESTART) {
      *done_total = total;
      return s;
    }
    ++restarts;
  }
}

static uint64_t data_pte(void) { return hostile_pte(hostile_page(DATA).mfn, 0) | PVABI_PTE_USER; }

PVTEST(a_512_entry_batch_completes_exactly) {
  const struct page t = hostile_table_page(FIRST_L1);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  for (unsigned i = 0; i < 512; ++i) items[i] = (struct pvabi_mmu_update){(t.mfn << PVABI_PAGE_SHIFT) + i * 8, data_pte()};
  uint32_t done = 0;
  PVTEST_EXPECT_STATUS(run(512, &done), PVABI_OK);
  PVTEST_EXPECT_EQ(done, 512);
  unsigned wrong = 0;
  for (unsigned i = 0; i < 512; ++i) wrong += t.va[i] != data_pte();
  PVTEST_EXPECT_EQ(wrong, 0);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(a_maximal_batch_completes_exactly) {
  const struct page t = hostile_table_page(FIRST_L1);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  /* Every entry written 8 times, mapped and cleared alternately; the last write maps. */
  for (unsigned i = 0; i < PVABI_MMU_BATCH_MAX; ++i) {
    items[i] = (struct pvabi_mmu_update){(t.mfn << PVABI_PAGE_SHIFT) + (i % 512) * 8, (i / 512) % 2 ? data_pte() : 0};
  }
  uint32_t done = 0;
  PVTEST_EXPECT_STATUS(run(PVABI_MMU_BATCH_MAX, &done), PVABI_OK);
  PVTEST_EXPECT_EQ(done, PVABI_MMU_BATCH_MAX);
  PVTEST_EXPECT_EQ(t.va[0], data_pte());
  PVTEST_EXPECT_EQ(t.va[511], data_pte());
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(a_failing_item_stops_the_batch_at_its_index) {
  const struct page t = hostile_table_page(FIRST_L1);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  for (unsigned i = 0; i < 512; ++i) items[i] = (struct pvabi_mmu_update){(t.mfn << PVABI_PAGE_SHIFT) + i * 8, data_pte()};
  items[300].val = hostile_pte(t.mfn, PVABI_PTE_WRITABLE); /* the table itself, writable */
  uint32_t done = 0;
  PVTEST_EXPECT_STATUS(run(512, &done), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(done, 300);
  PVTEST_EXPECT_EQ(t.va[299], data_pte());
  PVTEST_EXPECT_EQ(t.va[300], 0);
  PVTEST_EXPECT_EQ(t.va[301], 0);
  PVTEST_EXPECT_EQ(t.va[511], 0);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(t), PVABI_OK);
}

PVTEST(a_large_tree_validates_whole) {
  /* An L2 over L1S full L1 tables: L1S * 512 entries validated by one pin. */
  const struct page l2 = hostile_table_page(L2);
  const struct page src = hostile_page(DATA);
  struct page l1[L1S];
  for (unsigned j = 0; j < L1S; ++j) {
    l1[j] = hostile_table_page(FIRST_L1 + j);
  }
  PVTEST_REQUIRE_OK(hostile_make_writable(src));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = data_pte();
  for (unsigned j = 0; j < L1S; ++j) PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, l1[j].mfn, src.mfn));
  for (unsigned i = 0; i < 512; ++i) src.va[i] = i < L1S ? hostile_pte(l1[i].mfn, PVABI_PTE_WRITABLE) : 0;
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, l2.mfn, src.mfn));
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 2, l2.mfn), PVABI_OK);
  for (unsigned j = 0; j < L1S; ++j) PVTEST_EXPECT_STATUS(hostile_make_writable(l1[j]), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, l2.mfn), PVABI_OK);
  for (unsigned j = 0; j < L1S; ++j) PVTEST_EXPECT_STATUS(hostile_make_writable(l1[j]), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(l2), PVABI_OK);
}

PVTEST(a_multicall_stops_after_a_control_flow_entry) {
  static struct pvabi_multicall_entry calls[3];
  static uint32_t done;
  calls[0] = (struct pvabi_multicall_entry){PVABI_HC_VERSION, 0, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}};
  calls[1] = (struct pvabi_multicall_entry){PVABI_HC_SCHED_OP, 0, {PVABI_SCHEDOP_YIELD, 0, 0, 0, 0, 0}};
  calls[2] = (struct pvabi_multicall_entry){PVABI_HC_VERSION, 12345, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}};
  PVTEST_EXPECT_STATUS(pv_hypercall3(PVABI_HC_MULTICALL, (uint64_t)calls, 3, (uint64_t)&done), PVABI_OK);
  PVTEST_EXPECT_EQ(done, 2);
  PVTEST_EXPECT_EQ(calls[2].result, 12345);
}

void pvtest_teardown(void) { pvtest_printf("batches re-issued after PVABI_ERESTART: %u", restarts); }
