/*
 * Page-table batches: a new four-level hierarchy built from free frames is
 * refused while a frame is still writable, pinned level by level (twice is
 * PVABI_EEXIST), and run on as the kernel base pointer and back; a batch
 * with a refused item in the middle performs exactly the items before it,
 * and says so in its done count; TLB flushes make remaps visible; unpinning
 * lets the frames go back to plain memory.
 */
#include "mmu_util.h"

PVTEST_KERNEL_NOTES();

/* The new tables map these data frames from TEST_VA on (L4 slot 1). */
#define TEST_VA 0x0000008000000000ull
#define DATA_FRAMES 4
#define KERNEL_L4_SLOT 511

static uint64_t table_pfn[5]; /* [level] */
static uint64_t table_mfn[5];
static uint64_t data_pfn[DATA_FRAMES];
static int built, pinned;

static struct pvabi_mmu_update slots[16];
static struct pv_mmu_queue queue;

static uint64_t pattern(unsigned i, unsigned word) { return 0x5eed000000000000ull | (uint64_t)i << 32 | word; }
static uint64_t *pfn_words(uint64_t pfn) { return (uint64_t *)pv_pfn_to_virt(pfn); }
static uint64_t maddr_of_entry(uint64_t mfn, unsigned slot) { return (mfn << PVABI_PAGE_SHIFT) + 8 * slot; }
static uint64_t entry_to(uint64_t mfn, uint64_t flags) { return (mfn << PVABI_PAGE_SHIFT) | flags; }
static uint64_t frame_of(uint64_t entry) { return (entry & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT; }

int pvtest_setup(void) {
  if (pv_mmu_queue_init(&queue, slots, 16, PVABI_DOMID_SELF) != PVABI_OK) return 1;
  for (unsigned level = 1; level <= 4; ++level) {
    table_pfn[level] = mmu_util_take_pfn();
    table_mfn[level] = pv_pfn_to_mfn(table_pfn[level]);
  }
  for (unsigned i = 0; i < DATA_FRAMES; ++i) {
    data_pfn[i] = mmu_util_take_pfn();
    if (data_pfn[i] == PV_INVALID_FRAME) return 1;
    for (unsigned w = 0; w < 512; ++w) pfn_words(data_pfn[i])[w] = pattern(i, w);
  }
  return 0;
}

/* Filled while writable, then made read-only through one queued batch. */
PVTEST(a_new_hierarchy_is_pinned_level_by_level) {
  for (unsigned level = 1; level <= 4; ++level) {
    uint64_t *t = pfn_words(table_pfn[level]);
    for (unsigned s = 0; s < 512; ++s) t[s] = 0;
  }
  for (unsigned i = 0; i < DATA_FRAMES; ++i) pfn_words(table_pfn[1])[i] = entry_to(pv_pfn_to_mfn(data_pfn[i]), MMU_UTIL_RW);
  pfn_words(table_pfn[2])[0] = entry_to(table_mfn[1], MMU_UTIL_RW);
  pfn_words(table_pfn[3])[0] = entry_to(table_mfn[2], MMU_UTIL_RW);
  uint64_t *l4 = pfn_words(table_pfn[4]);
  l4[1] = entry_to(table_mfn[3], MMU_UTIL_RW);
  l4[KERNEL_L4_SLOT] = ((const uint64_t *)pvtest_start_info()->pt_base_va)[KERNEL_L4_SLOT];

  /* Still writable: it cannot take a table type. */
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, table_mfn[1]), PVABI_EBUSY);

  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_REQUIRE_OK(pv_mmu_queue_set_pte(&queue, mmu_util_l1_entry_maddr((uint64_t)pfn_words(table_pfn[level])),
                                           entry_to(table_mfn[level], MMU_UTIL_RO)));
  }
  PVTEST_EXPECT_EQ(pv_mmu_queue_pending(&queue), 4);
  /* The pin flushes the queue first. */
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(&queue, 1, table_mfn[1]), PVABI_OK);
  PVTEST_EXPECT_EQ(pv_mmu_queue_pending(&queue), 0);
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_CHECK((*mmu_util_l1_entry((uint64_t)pfn_words(table_pfn[level])) & PVABI_PTE_WRITABLE) == 0);
  }
  built = 1;
  for (unsigned level = 2; level <= 4; ++level) {
    PVTEST_EXPECT_STATUS(pv_mmu_pin_table(&queue, level, table_mfn[level]), PVABI_OK);
  }
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_EXPECT_STATUS(pv_mmu_pin_table(&queue, level, table_mfn[level]), PVABI_EEXIST);
  }
  /* The hypervisor filled its reserved slots in; the guest's stayed. */
  PVTEST_CHECK(l4[PVABI_L4_FIRST_RESERVED_SLOT] != 0);
  PVTEST_EXPECT_EQ(frame_of(l4[1]), table_mfn[3]);
  pinned = 1;
}

static __attribute__((noinline)) uint64_t sum_on_the_stack(uint64_t n) {
  volatile uint64_t words[64];
  for (unsigned i = 0; i < 64; ++i) words[i] = n + i;
  uint64_t sum = 0;
  for (unsigned i = 0; i < 64; ++i) sum += words[i];
  return sum;
}

PVTEST(the_kernel_runs_on_the_new_base_pointer_and_back) {
  if (!pinned) PVTEST_ERROR("the hierarchy was not pinned");
  const uint64_t initial = mmu_util_initial_l4();
  PVTEST_EXPECT_STATUS(pv_mmu_set_baseptr(0, table_mfn[4], 0), PVABI_OK);
  /* Code, stack and data keep working, and TEST_VA shows the data frames. */
  PVTEST_EXPECT_EQ(sum_on_the_stack(1000), 64 * 1000 + 63 * 64 / 2);
  const volatile uint64_t *test = (const volatile uint64_t *)TEST_VA;
  unsigned mismatches = 0;
  for (unsigned i = 0; i < DATA_FRAMES; ++i) {
    for (unsigned w = 0; w < 512; ++w) mismatches += test[i * 512 + w] != pattern(i, w);
  }
  PVTEST_EXPECT_EQ(mismatches, 0);
  ((volatile uint64_t *)TEST_VA)[3] = 0xabcdef;
  PVTEST_EXPECT_EQ(pfn_words(data_pfn[0])[3], 0xabcdef);
  pfn_words(data_pfn[0])[3] = pattern(0, 3);
  PVTEST_EXPECT_STATUS(pv_mmu_set_baseptr(0, initial, 0), PVABI_OK);
  PVTEST_EXPECT_EQ(sum_on_the_stack(7), 64 * 7 + 63 * 64 / 2);
  PVTEST_EXPECT_EQ(pv_virt_to_mfn((const void *)pvtest_start_info()->pt_base_va), initial);
}

PVTEST(only_a_validated_l4_becomes_a_base_pointer) {
  if (!pinned) PVTEST_ERROR("the hierarchy was not pinned");
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_NEW_BASEPTR, table_mfn[3], 0, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_NEW_BASEPTR, pv_pfn_to_mfn(data_pfn[0]), 0, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_NEW_BASEPTR, 0, 0, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_NEW_BASEPTR, mmu_util_past_last_frame(), 0, 0), PVABI_ERANGE);
  /* Still on the initial tables. */
  PVTEST_EXPECT_EQ(sum_on_the_stack(1), 64 + 63 * 64 / 2);
}

/* Items 0 and 1 map data frames at slots 8 and 9 of the new L1, item 2 is
 * refused, items 3 and 4 would map slots 11 and 12. */
static void queue_batch(struct pvabi_mmu_update *u, uint64_t bad_pte) {
  for (unsigned i = 0; i < 5; ++i) {
    u[i].ptr = maddr_of_entry(table_mfn[1], 8 + i) | PVABI_MMU_NORMAL_PT_UPDATE;
    u[i].val = entry_to(pv_pfn_to_mfn(data_pfn[i % DATA_FRAMES]), MMU_UTIL_RO);
  }
  u[2].val = bad_pte;
}

static void check_only_the_first_two_applied(void) {
  const uint64_t *l1 = pfn_words(table_pfn[1]);
  PVTEST_EXPECT_EQ(frame_of(l1[8]), pv_pfn_to_mfn(data_pfn[0]));
  PVTEST_EXPECT_EQ(frame_of(l1[9]), pv_pfn_to_mfn(data_pfn[1]));
  PVTEST_EXPECT_EQ(l1[10], 0);
  PVTEST_EXPECT_EQ(l1[11], 0);
  PVTEST_EXPECT_EQ(l1[12], 0);
}

static int clear_batch_slots(void) {
  for (unsigned s = 8; s <= 12; ++s) {
    if (pv_mmu_queue_set_pte(&queue, maddr_of_entry(table_mfn[1], s), 0) != PVABI_OK) return PVABI_EINVAL;
  }
  return pv_mmu_queue_flush(&queue);
}

PVTEST(a_refused_item_ends_the_batch_with_an_exact_done_count) {
  if (!pinned) PVTEST_ERROR("the hierarchy was not pinned");
  static struct pvabi_mmu_update u[5];
  static uint32_t done;
  const struct {
    uint64_t pte;
    int64_t status;
  } bad[] = {
      {entry_to(mmu_util_past_last_frame(), MMU_UTIL_RO), PVABI_ERANGE},
      {entry_to(0, MMU_UTIL_RO), PVABI_EPERM},
      {entry_to(pv_pfn_to_mfn(data_pfn[0]), MMU_UTIL_RO | PVABI_PTE_PCD), PVABI_EINVAL},
      {entry_to(table_mfn[2], MMU_UTIL_RW), PVABI_EBUSY},
  };
  for (unsigned b = 0; b < sizeof bad / sizeof bad[0]; ++b) {
    queue_batch(u, bad[b].pte);
    done = 0xdead;
    PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)u, 5, (uint64_t)&done, PVABI_DOMID_SELF),
                         bad[b].status);
    PVTEST_EXPECT_EQ(done, 2);
    check_only_the_first_two_applied();
    PVTEST_REQUIRE_OK(clear_batch_slots());
  }
  /* The same through libpv's queue, which names the failing item. */
  queue_batch(u, entry_to(0, MMU_UTIL_RO));
  for (unsigned i = 0; i < 5; ++i) PVTEST_REQUIRE_OK(pv_mmu_queue_add(&queue, u[i].ptr, u[i].val));
  PVTEST_EXPECT_STATUS(pv_mmu_queue_flush(&queue), PVABI_EPERM);
  PVTEST_EXPECT_EQ(pv_mmu_queue_failed_index(&queue), 2);
  PVTEST_EXPECT_EQ(pv_mmu_queue_pending(&queue), 0);
  check_only_the_first_two_applied();
  PVTEST_REQUIRE_OK(clear_batch_slots());
}

PVTEST(malformed_batches_perform_nothing) {
  if (!pinned) PVTEST_ERROR("the hierarchy was not pinned");
  static struct pvabi_mmu_update u[5];
  static uint32_t done;
  queue_batch(u, entry_to(pv_pfn_to_mfn(data_pfn[2]), MMU_UTIL_RO));
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)u, PVABI_MMU_BATCH_MAX + 1, (uint64_t)&done,
                                     PVABI_DOMID_SELF),
                       PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)u, 5, PVABI_HV_VIRT_START, PVABI_DOMID_SELF),
                       PVABI_EFAULT);
  done = 0xdead;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, PVABI_HV_VIRT_START, 5, (uint64_t)&done, PVABI_DOMID_SELF),
                       PVABI_EFAULT);
  PVTEST_EXPECT_EQ(done, 0);
  /* An entry pointer that is not 8-aligned. */
  u[0].ptr += 4;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)u, 1, (uint64_t)&done, PVABI_DOMID_SELF),
                       PVABI_EINVAL);
  PVTEST_EXPECT_EQ(done, 0);
  /* An entry in a frame that is not a page table. */
  u[0].ptr = maddr_of_entry(pv_pfn_to_mfn(data_pfn[0]), 0);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)u, 1, (uint64_t)&done, PVABI_DOMID_SELF),
                       PVABI_EINVAL);
  PVTEST_EXPECT_EQ(pfn_words(data_pfn[0])[0], pattern(0, 0));
  const uint64_t *l1 = pfn_words(table_pfn[1]);
  for (unsigned s = 8; s <= 12; ++s) PVTEST_EXPECT_EQ(l1[s], 0);
}

/* Repoint a linear-map page at another frame, then flush: reads follow. */
PVTEST(tlb_flushes_make_remaps_visible) {
  static const struct {
    uint32_t cmd;
  } flushes[] = {{PVABI_MMUEXT_INVLPG_LOCAL}, {PVABI_MMUEXT_INVLPG_ALL}, {PVABI_MMUEXT_TLB_FLUSH_LOCAL},
                 {PVABI_MMUEXT_TLB_FLUSH_ALL}};
  const uint64_t va = (uint64_t)pfn_words(data_pfn[3]);
  const uint64_t entry = mmu_util_l1_entry_maddr(va);
  const volatile uint64_t *p = (const volatile uint64_t *)va;
  for (unsigned f = 0; f < 4; ++f) {
    PVTEST_EXPECT_EQ(p[5], pattern(3, 5)); /* cached in the TLB now */
    const unsigned other = f % 3;
    PVTEST_REQUIRE_OK(pv_mmu_queue_set_pte(&queue, entry, entry_to(pv_pfn_to_mfn(data_pfn[other]), MMU_UTIL_RO)));
    PVTEST_REQUIRE_OK(pv_mmu_queue_flush(&queue));
    PVTEST_EXPECT_STATUS(mmu_util_mmuext(flushes[f].cmd, va, 0, 0), PVABI_OK);
    PVTEST_EXPECT_EQ(p[5], pattern(other, 5));
    PVTEST_REQUIRE_OK(pv_mmu_queue_set_pte(&queue, entry, entry_to(pv_pfn_to_mfn(data_pfn[3]), MMU_UTIL_RW)));
    PVTEST_EXPECT_STATUS(pv_mmu_flush_tlb(&queue, 0), PVABI_OK);
  }
  PVTEST_EXPECT_EQ(p[5], pattern(3, 5));
  PVTEST_EXPECT_STATUS(pv_mmu_invlpg(0, va, 1), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_mmu_flush_tlb(0, 1), PVABI_OK);
}

PVTEST(invlpg_takes_only_guest_addresses) {
  const uint64_t bad[] = {0x0000800000000000ull, 0xffff7fffffffffffull, PVABI_HV_VIRT_START, PVABI_HV_VIRT_END - 1};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, bad[i], 0, 0), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_INVLPG_ALL, bad[i], 0, 0), PVABI_EINVAL);
  }
  /* An unmapped but ordinary address is fine. */
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, 0x400000, 0, 0), PVABI_OK);
  PVTEST_EXPECT_STATUS(mmu_util_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, PVABI_HV_VIRT_END, 0, 0), PVABI_OK);
}

PVTEST(unpinning_returns_the_frames_to_plain_memory) {
  if (!built) PVTEST_ERROR("the hierarchy was not built");
  for (unsigned level = 4; level >= 1; --level) {
    PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, table_mfn[level]), PVABI_OK);
    PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, table_mfn[level]), PVABI_ENOENT);
  }
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, pv_pfn_to_mfn(data_pfn[0])), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_mmu_unpin_table(0, mmu_util_past_last_frame()), PVABI_ERANGE);
  /* No table type is left, so each may be mapped writable again. */
  for (unsigned level = 1; level <= 4; ++level) {
    PVTEST_EXPECT_STATUS(mmu_util_set_writable(table_pfn[level], 1), PVABI_OK);
  }
  pfn_words(table_pfn[4])[0] = 1; /* and written */
  PVTEST_EXPECT_EQ(pfn_words(table_pfn[4])[0], 1);
}
