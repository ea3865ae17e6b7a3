/*
 * Page-table write emulation (PVABI_VMASST_PT_WRITE_EMULATION): with the
 * assist on, the guest writes an entry of its own live L1 table, which is
 * mapped read-only, with the plain stores a kernel's generic page-table
 * code uses: a volatile store (mov), an atomic exchange (xchg) and a
 * compare-and-exchange (lock cmpxchg, both outcomes). Each takes effect
 * (the address the entry maps shows the new frame's data) and execution
 * goes on. Still bounced to the guest's page-fault handler, entry
 * unchanged: a value the validation refuses (the table itself mapped
 * writable), an unaligned store, and any store once the assist is off.
 */
#include "../hostile/hostile.h"
#include "mmu_util.h"

PVTEST_KERNEL_NOTES();

#define AD_BITS (PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY)

static uint64_t a_mfn, b_mfn, a_va, b_va, win_va;
static volatile uint64_t *pte_ptr; /* the window's L1 entry, read-only to us */
static uint64_t table_mfn;         /* the L1 table holding it */

static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << PVABI_PAGE_SHIFT) | flags; }
/* The entry without the bits the CPU may set behind our back. */
static uint64_t entry(void) { return *pte_ptr & ~AD_BITS; }
/* The first word the window shows, after dropping its old translation. */
static uint64_t window_word(void) {
  if (mmu_util_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, win_va, 0, 0) != PVABI_OK) pvtest_error("invlpg");
  return *(volatile uint64_t *)win_va;
}
static int64_t assist(uint32_t cmd) {
  return pv_hypercall2(PVABI_HC_VM_ASSIST, cmd, PVABI_VMASST_PT_WRITE_EMULATION);
}

int pvtest_setup(void) {
  const uint64_t a_pfn = mmu_util_take_pfn(), b_pfn = mmu_util_take_pfn(), win_pfn = mmu_util_take_pfn();
  if (win_pfn == PV_INVALID_FRAME) return 1;
  a_mfn = pv_pfn_to_mfn(a_pfn);
  b_mfn = pv_pfn_to_mfn(b_pfn);
  a_va = (uint64_t)pv_pfn_to_virt(a_pfn);
  b_va = (uint64_t)pv_pfn_to_virt(b_pfn);
  win_va = (uint64_t)pv_pfn_to_virt(win_pfn);
  *(volatile uint64_t *)a_va = 0xaaaa0000aaaa0000ull;
  *(volatile uint64_t *)b_va = 0xbbbb0000bbbb0000ull;
  pte_ptr = (volatile uint64_t *)mmu_util_l1_entry(win_va);
  if (pte_ptr == 0) return 1;
  table_mfn = pv_virt_to_mfn((const void *)pte_ptr);
  if (hostile_install_traps() != 0) return 1;
  return assist(PVABI_VMASST_ENABLE) == PVABI_OK ? 0 : 1;
}

PVTEST(plain_store_remaps_the_window) {
  *pte_ptr = pte(a_mfn, MMU_UTIL_RO);
  PVTEST_EXPECT_EQ(entry(), pte(a_mfn, MMU_UTIL_RO));
  PVTEST_EXPECT_EQ(window_word(), 0xaaaa0000aaaa0000ull);
  *pte_ptr = pte(b_mfn, MMU_UTIL_RW);
  PVTEST_EXPECT_EQ(entry(), pte(b_mfn, MMU_UTIL_RW));
  PVTEST_EXPECT_EQ(window_word(), 0xbbbb0000bbbb0000ull);
  /* Writable for real: a store through the window lands in b. */
  ((volatile uint64_t *)win_va)[1] = 0x5150;
  PVTEST_EXPECT_EQ(((volatile uint64_t *)b_va)[1], 0x5150);
}

PVTEST(exchange_returns_the_old_entry) {
  *pte_ptr = pte(a_mfn, MMU_UTIL_RO);
  const uint64_t before = *pte_ptr;
  uint64_t old = __atomic_exchange_n(pte_ptr, pte(b_mfn, MMU_UTIL_RO), __ATOMIC_SEQ_CST);
  PVTEST_EXPECT_EQ(old, before);
  PVTEST_EXPECT_EQ(entry(), pte(b_mfn, MMU_UTIL_RO));
  PVTEST_EXPECT_EQ(window_word(), 0xbbbb0000bbbb0000ull);
  /* Get-and-clear: the window is gone. */
  old = __atomic_exchange_n(pte_ptr, 0, __ATOMIC_SEQ_CST);
  PVTEST_EXPECT_EQ(old & ~AD_BITS, pte(b_mfn, MMU_UTIL_RO));
  PVTEST_EXPECT_EQ(*pte_ptr, 0);
  PVTEST_REQUIRE_OK(mmu_util_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, win_va, 0, 0));
  uint64_t ignored;
  PVTEST_CHECK(hostile_probe_read(win_va, &ignored) == HOSTILE_FAULTED);
  PVTEST_EXPECT_EQ(hostile_last_fault.address, win_va);
}

PVTEST(compare_exchange_both_outcomes) {
  *pte_ptr = pte(a_mfn, MMU_UTIL_RO);
  const uint64_t current = *pte_ptr;
  /* A stale expectation: no write, and it learns the entry. */
  uint64_t expected = pte(b_mfn, MMU_UTIL_RO);
  PVTEST_CHECK(!__atomic_compare_exchange_n(pte_ptr, &expected, pte(b_mfn, MMU_UTIL_RW), 0, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST));
  PVTEST_EXPECT_EQ(expected, current);
  PVTEST_EXPECT_EQ(entry(), pte(a_mfn, MMU_UTIL_RO));
  /* The right one: written. */
  PVTEST_CHECK(__atomic_compare_exchange_n(pte_ptr, &expected, pte(b_mfn, MMU_UTIL_RW), 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST));
  PVTEST_EXPECT_EQ(entry(), pte(b_mfn, MMU_UTIL_RW));
  PVTEST_EXPECT_EQ(window_word(), 0xbbbb0000bbbb0000ull);
}

PVTEST(refused_values_fault_into_the_guest) {
  *pte_ptr = pte(a_mfn, MMU_UTIL_RO);
  const uint64_t before = *pte_ptr;
  /* The table itself, writable (rule 2): the page fault is the guest's. */
  PVTEST_CHECK(hostile_probe_write((uint64_t)pte_ptr, pte(table_mfn, MMU_UTIL_RW)) == HOSTILE_FAULTED);
  PVTEST_EXPECT_EQ(hostile_last_fault.vector, PVABI_VECTOR_PAGE_FAULT);
  PVTEST_EXPECT_EQ(hostile_last_fault.address, (uint64_t)pte_ptr);
  PVTEST_EXPECT_EQ(hostile_last_fault.error_code & 3, 3); /* present, write */
  PVTEST_EXPECT_EQ(*pte_ptr, before);
  /* Unaligned: not an entry. */
  PVTEST_CHECK(hostile_probe_write((uint64_t)pte_ptr + 4, 0) == HOSTILE_FAULTED);
  PVTEST_EXPECT_EQ(*pte_ptr, before);
  /* The same probe with an acceptable value is emulated. */
  PVTEST_CHECK(hostile_probe_write((uint64_t)pte_ptr, pte(b_mfn, MMU_UTIL_RO)) == HOSTILE_OK);
  PVTEST_EXPECT_EQ(entry(), pte(b_mfn, MMU_UTIL_RO));
}

PVTEST(assist_off_bounces_every_write) {
  *pte_ptr = pte(a_mfn, MMU_UTIL_RO);
  const uint64_t before = *pte_ptr;
  PVTEST_REQUIRE_OK(assist(PVABI_VMASST_DISABLE));
  PVTEST_CHECK(hostile_probe_write((uint64_t)pte_ptr, pte(b_mfn, MMU_UTIL_RO)) == HOSTILE_FAULTED);
  PVTEST_EXPECT_EQ(hostile_last_fault.address, (uint64_t)pte_ptr);
  PVTEST_EXPECT_EQ(*pte_ptr, before);
  PVTEST_REQUIRE_OK(assist(PVABI_VMASST_ENABLE));
  PVTEST_CHECK(hostile_probe_write((uint64_t)pte_ptr, pte(b_mfn, MMU_UTIL_RO)) == HOSTILE_OK);
  PVTEST_EXPECT_EQ(entry(), pte(b_mfn, MMU_UTIL_RO));
}
