/*
 * Multicall: mixed entries (version, console, update_va_mapping,
 * mmu_update) each get their own result; a failing entry does not stop the
 * rest; more than PVABI_MULTICALL_MAX entries is PVABI_E2BIG; a nested
 * multicall or an iret is PVABI_EINVAL and the batch stops before it; an
 * unreadable list or done count is PVABI_EFAULT with an exact done count;
 * and the batch ends after an entry that may change control flow, which
 * libpv then completes.
 */
#include "mmu_util.h"

PVTEST_KERNEL_NOTES();

#define UNTOUCHED 0x0dd0dd0dd0ll

static struct pvabi_multicall_entry entries[8];
static uint32_t done;
static uint64_t page_pfn, page_mfn, page_va;

static void set(unsigned i, uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  entries[i] = (struct pvabi_multicall_entry){op, UNTOUCHED, {a0, a1, a2, a3, 0, 0}};
}
static int64_t multicall(uint64_t list, uint64_t count, uint64_t done_ptr) {
  return pv_hypercall3(PVABI_HC_MULTICALL, list, count, done_ptr);
}
static int64_t run(unsigned count) {
  done = 0xdead;
  return multicall((uint64_t)entries, count, (uint64_t)&done);
}
static uint64_t page_entry(void) { return *mmu_util_l1_entry(page_va); }
static void set_version(unsigned i) { set(i, PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0, 0, 0); }

int pvtest_setup(void) {
  page_pfn = mmu_util_take_pfn();
  if (page_pfn == PV_INVALID_FRAME) return 1;
  page_mfn = pv_pfn_to_mfn(page_pfn);
  page_va = (uint64_t)pv_pfn_to_virt(page_pfn);
  return 0;
}

PVTEST(mixed_entries_each_get_their_result) {
  static const char text[] = "multicall: written from inside a multicall\n";
  static struct pvabi_mmu_update u;
  u.ptr = mmu_util_l1_entry_maddr(page_va) | PVABI_MMU_NORMAL_PT_UPDATE;
  u.val = (page_mfn << PVABI_PAGE_SHIFT) | MMU_UTIL_RW;
  set_version(0);
  set(1, PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, (uint64_t)text, sizeof text - 1, 0);
  set(2, PVABI_HC_UPDATE_VA_MAPPING, page_va, (page_mfn << PVABI_PAGE_SHIFT) | MMU_UTIL_RO,
      PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL, 0);
  set(3, PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, 0, PVABI_DOMID_SELF);
  PVTEST_EXPECT_STATUS(run(4), PVABI_OK);
  PVTEST_EXPECT_EQ(done, 4);
  PVTEST_EXPECT_EQ(entries[0].result, PVABI_INTERFACE_VERSION);
  PVTEST_EXPECT_EQ(entries[1].result, sizeof text - 1);
  PVTEST_EXPECT_STATUS(entries[2].result, PVABI_OK);
  PVTEST_EXPECT_STATUS(entries[3].result, PVABI_OK);
  /* In order: read-only by entry 2, then writable again by entry 3. */
  PVTEST_CHECK((page_entry() & PVABI_PTE_WRITABLE) != 0);
  PVTEST_EXPECT_STATUS(pv_mmu_invlpg(0, page_va, 0), PVABI_OK);
  ((volatile uint64_t *)page_va)[0] = 42;
}

PVTEST(a_failing_entry_does_not_stop_the_rest) {
  set(0, PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, PVABI_HV_VIRT_START, 8, 0);
  set(1, PVABI_HC_UPDATE_VA_MAPPING, page_va, 0 /* frame 0, not ours */ | MMU_UTIL_RO, PVABI_UVMF_INVLPG, 0);
  set(2, PVABI_HC_COUNT, 0, 0, 0, 0); /* no such hypercall */
  set(3, PVABI_HC_CONSOLE_IO, 7, 0, 0, 0);
  set_version(4);
  PVTEST_EXPECT_STATUS(run(5), PVABI_OK);
  PVTEST_EXPECT_EQ(done, 5);
  PVTEST_EXPECT_STATUS(entries[0].result, PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(entries[1].result, PVABI_EPERM);
  PVTEST_EXPECT_STATUS(entries[2].result, PVABI_ENOSYS);
  PVTEST_EXPECT_STATUS(entries[3].result, PVABI_ENOSYS);
  PVTEST_EXPECT_EQ(entries[4].result, PVABI_INTERFACE_VERSION);
  PVTEST_CHECK((page_entry() & PVABI_PTE_WRITABLE) != 0);
}

PVTEST(more_than_the_limit_is_refused_whole) {
  set_version(0);
  set_version(1);
  PVTEST_EXPECT_STATUS(run(PVABI_MULTICALL_MAX + 1), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(run(~0u), PVABI_E2BIG);
  PVTEST_EXPECT_EQ(entries[0].result, UNTOUCHED);
  /* Zero entries: nothing to do. */
  PVTEST_EXPECT_STATUS(run(0), PVABI_OK);
  PVTEST_EXPECT_EQ(done, 0);
}

/* The limit itself is allowed: PVABI_MULTICALL_MAX cheap entries. */
PVTEST(the_limit_itself_is_taken) {
  static struct pvabi_multicall_entry many[PVABI_MULTICALL_MAX];
  for (unsigned i = 0; i < PVABI_MULTICALL_MAX; ++i) {
    many[i] = (struct pvabi_multicall_entry){PVABI_HC_VERSION, UNTOUCHED, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}};
  }
  done = 0;
  int64_t rc;
  uint32_t total = 0;
  /* PVABI_ERESTART (preempted) is allowed: issue the rest again. */
  do {
    rc = multicall((uint64_t)&many[total], PVABI_MULTICALL_MAX - total, (uint64_t)&done);
    total += done;
  } while (rc == PVABI_ERESTART);
  PVTEST_EXPECT_STATUS(rc, PVABI_OK);
  PVTEST_EXPECT_EQ(total, PVABI_MULTICALL_MAX);
  unsigned wrong = 0;
  for (unsigned i = 0; i < PVABI_MULTICALL_MAX; ++i) wrong += many[i].result != PVABI_INTERFACE_VERSION;
  PVTEST_EXPECT_EQ(wrong, 0);
}

PVTEST(nested_multicall_and_iret_stop_the_batch_before_them) {
  const uint64_t refused[] = {PVABI_HC_MULTICALL, PVABI_HC_IRET};
  for (unsigned r = 0; r < 2; ++r) {
    set_version(0);
    set(1, refused[r], (uint64_t)entries, 1, 0, 0);
    set_version(2);
    PVTEST_EXPECT_STATUS(run(3), PVABI_EINVAL);
    PVTEST_EXPECT_EQ(done, 1);
    PVTEST_EXPECT_EQ(entries[0].result, PVABI_INTERFACE_VERSION);
    PVTEST_EXPECT_EQ(entries[1].result, UNTOUCHED);
    PVTEST_EXPECT_EQ(entries[2].result, UNTOUCHED);
  }
}

PVTEST(unreadable_lists_give_efault_with_a_done_count) {
  set_version(0);
  PVTEST_EXPECT_STATUS(multicall(PVABI_HV_VIRT_START, 1, (uint64_t)&done), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(done, 0);
  PVTEST_EXPECT_STATUS(multicall(0x0000800000000000ull, 1, (uint64_t)&done), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(multicall(0x400000, 1, 0), PVABI_EFAULT);
  /* An unwritable done count: refused before anything runs. */
  PVTEST_EXPECT_STATUS(multicall((uint64_t)entries, 1, PVABI_HV_VIRT_START), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(entries[0].result, UNTOUCHED);
  PVTEST_EXPECT_STATUS(multicall((uint64_t)entries, 1, pvtest_start_info()->pt_base_va), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(entries[0].result, UNTOUCHED);

  /* A list that runs off the end of mapped memory: the last entry of one
   * page, then the first of the next, which is unmapped for the purpose. */
  const uint64_t first = mmu_util_take_pfn(), second = mmu_util_take_pfn();
  if (second != first + 1) PVTEST_ERROR("no two adjacent free frames");
  struct pvabi_multicall_entry *edge =
      (struct pvabi_multicall_entry *)((char *)pv_pfn_to_virt(second) - sizeof(struct pvabi_multicall_entry));
  *edge = (struct pvabi_multicall_entry){PVABI_HC_VERSION, UNTOUCHED, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}};
  PVTEST_REQUIRE_OK(pv_mmu_update_va_mapping(0, (uint64_t)pv_pfn_to_virt(second), 0, PVABI_UVMF_INVLPG));
  done = 0xdead;
  PVTEST_EXPECT_STATUS(multicall((uint64_t)edge, 2, (uint64_t)&done), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(done, 1);
  PVTEST_EXPECT_EQ(edge->result, PVABI_INTERFACE_VERSION);
  PVTEST_REQUIRE_OK(mmu_util_set_writable(second, 1));
}

PVTEST(control_flow_entries_end_the_batch) {
  static struct pvabi_trap_info no_traps[1];
  const struct {
    uint64_t op, a0, a1;
  } enders[] = {
      {PVABI_HC_SCHED_OP, PVABI_SCHEDOP_YIELD, 0},
      {PVABI_HC_SET_TRAP_TABLE, (uint64_t)no_traps, 0},
      {PVABI_HC_STACK_SWITCH, 0, 0}, /* refused, and still ends the batch */
  };
  for (unsigned k = 0; k < sizeof enders / sizeof enders[0]; ++k) {
    set_version(0);
    set(1, enders[k].op, enders[k].a0, enders[k].a1, 0, 0);
    set_version(2);
    PVTEST_EXPECT_STATUS(run(3), PVABI_OK);
    PVTEST_EXPECT_EQ(done, 2);
    PVTEST_EXPECT_EQ(entries[0].result, PVABI_INTERFACE_VERSION);
    PVTEST_CHECK(entries[1].result != UNTOUCHED);
    PVTEST_EXPECT_EQ(entries[2].result, UNTOUCHED);
  }
}

/* libpv issues the rest after an early end, so every entry runs. */
PVTEST(libpv_completes_a_batch_that_ended_early) {
  static struct pvabi_multicall_entry e[4];
  static uint64_t payload[64];
  struct pv_multicall mc;
  PVTEST_REQUIRE_OK(pv_multicall_init(&mc, e, 4, payload, sizeof payload));
  const uint64_t version[] = {PVABI_VERSION_OP_GET, 0};
  const uint64_t yield[] = {PVABI_SCHEDOP_YIELD, 0};
  PVTEST_REQUIRE_OK(pv_multicall_add(&mc, PVABI_HC_VERSION, version, 2));
  PVTEST_REQUIRE_OK(pv_multicall_add(&mc, PVABI_HC_SCHED_OP, yield, 2));
  PVTEST_REQUIRE_OK(pv_multicall_add_update_va_mapping(&mc, page_va, (page_mfn << PVABI_PAGE_SHIFT) | MMU_UTIL_RO,
                                                       PVABI_UVMF_INVLPG));
  static struct pvabi_mmu_update u;
  u.ptr = mmu_util_l1_entry_maddr(page_va) | PVABI_MMU_NORMAL_PT_UPDATE;
  u.val = (page_mfn << PVABI_PAGE_SHIFT) | MMU_UTIL_RW;
  PVTEST_REQUIRE_OK(pv_multicall_add_mmu_update(&mc, &u, 1, PVABI_DOMID_SELF));
  PVTEST_EXPECT_STATUS(pv_multicall_flush(&mc), PVABI_OK);
  PVTEST_EXPECT_EQ(pv_multicall_result(&mc, 0), PVABI_INTERFACE_VERSION);
  PVTEST_EXPECT_STATUS(pv_multicall_result(&mc, 1), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_multicall_result(&mc, 2), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_multicall_result(&mc, 3), PVABI_OK);
  PVTEST_CHECK((page_entry() & PVABI_PTE_WRITABLE) != 0);
  /* A nested multicall is refused before it is sent. */
  PVTEST_EXPECT_STATUS(pv_multicall_add(&mc, PVABI_HC_MULTICALL, version, 2), PVABI_EINVAL);
}
