/*
 * update_va_mapping: a page is remapped read-only, writable and non-present
 * with every flush type and scope, and the entry and the data seen through
 * a second mapping agree; refused: frames the domain does not own, a page
 * table mapped writable, reserved flag bits, the L1TF rule for non-present
 * entries, bad flush flags, and addresses that are non-canonical, in the
 * reserved range or have no L1 table. A refusal leaves the entry as it was.
 */
#include "mmu_util.h"

PVTEST_KERNEL_NOTES();

static uint64_t target_pfn, target_mfn, target_va;
static uint64_t other_pfn, other_va; /* a second window, onto target_mfn */

static const uint32_t all_flushes[] = {
    PVABI_UVMF_NONE | PVABI_UVMF_LOCAL,      PVABI_UVMF_TLB_FLUSH | PVABI_UVMF_LOCAL,
    PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL,    PVABI_UVMF_NONE | PVABI_UVMF_ALL,
    PVABI_UVMF_TLB_FLUSH | PVABI_UVMF_ALL,   PVABI_UVMF_INVLPG | PVABI_UVMF_ALL,
};
#define NR_FLUSHES (sizeof all_flushes / sizeof all_flushes[0])

static int64_t uvm(uint64_t va, uint64_t pte, uint64_t flags) {
  return pv_hypercall3(PVABI_HC_UPDATE_VA_MAPPING, va, pte, flags);
}
static uint64_t target_entry(void) { return *mmu_util_l1_entry(target_va); }
static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << PVABI_PAGE_SHIFT) | flags; }
static uint64_t other_word(unsigned w) { return ((const volatile uint64_t *)other_va)[w]; }
static const uint32_t invlpg = PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL;

int pvtest_setup(void) {
  target_pfn = mmu_util_take_pfn();
  other_pfn = mmu_util_take_pfn();
  if (other_pfn == PV_INVALID_FRAME) return 1;
  target_mfn = pv_pfn_to_mfn(target_pfn);
  target_va = (uint64_t)pv_pfn_to_virt(target_pfn);
  other_va = (uint64_t)pv_pfn_to_virt(other_pfn);
  for (unsigned w = 0; w < 512; ++w) ((uint64_t *)target_va)[w] = 0x7a7a000000000000ull + w;
  /* other_pfn's own frame is left unmapped while the window is in use. */
  return uvm(other_va, pte(target_mfn, MMU_UTIL_RO), invlpg) == PVABI_OK ? 0 : 1;
}

PVTEST(read_only_and_writable_with_every_flush) {
  for (unsigned f = 0; f < NR_FLUSHES; ++f) {
    PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RO), all_flushes[f]), PVABI_OK);
    PVTEST_EXPECT_EQ(target_entry() & (PVABI_PTE_FRAME_MASK | PVABI_PTE_WRITABLE | PVABI_PTE_PRESENT),
                     pte(target_mfn, PVABI_PTE_PRESENT));
    PVTEST_EXPECT_EQ(((const volatile uint64_t *)target_va)[f], 0x7a7a000000000000ull + f);
    PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW), all_flushes[f]), PVABI_OK);
    PVTEST_EXPECT_EQ(target_entry() & (PVABI_PTE_FRAME_MASK | PVABI_PTE_WRITABLE | PVABI_PTE_PRESENT),
                     pte(target_mfn, PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE));
  }
  /* Writable for sure after an invlpg: a write shows through the window. */
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW), invlpg), PVABI_OK);
  ((volatile uint64_t *)target_va)[100] = 0x1234;
  PVTEST_EXPECT_EQ(other_word(100), 0x1234);
  /* Every entry the hypervisor writes carries USER (pvabi/mmu.h). */
  PVTEST_CHECK((target_entry() & PVABI_PTE_USER) != 0);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE), invlpg), PVABI_OK);
  PVTEST_CHECK((target_entry() & PVABI_PTE_USER) != 0);
}

PVTEST(non_present_with_every_flush) {
  for (unsigned f = 0; f < NR_FLUSHES; ++f) {
    PVTEST_EXPECT_STATUS(uvm(target_va, 0, all_flushes[f]), PVABI_OK);
    PVTEST_EXPECT_EQ(target_entry(), 0);
    PVTEST_EXPECT_EQ(other_word(7), 0x7a7a000000000007ull); /* the frame keeps its data */
    PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW), all_flushes[f]), PVABI_OK);
  }
  /* L1TF: a non-present entry may hold a frame only at or above the limit. */
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(PVABI_NONPRESENT_MIN_FRAME, 0), invlpg), PVABI_OK);
  PVTEST_EXPECT_EQ(target_entry(), pte(PVABI_NONPRESENT_MIN_FRAME, 0));
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, 0), invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(PVABI_NONPRESENT_MIN_FRAME - 1, PVABI_PTE_WRITABLE), invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_EQ(target_entry(), pte(PVABI_NONPRESENT_MIN_FRAME, 0));
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW), invlpg), PVABI_OK);
  PVTEST_EXPECT_EQ(((const volatile uint64_t *)target_va)[7], 0x7a7a000000000007ull);
}

PVTEST(frames_not_owned_are_refused) {
  const uint64_t before = target_entry();
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(0, MMU_UTIL_RO), invlpg), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(0, MMU_UTIL_RW), invlpg), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(mmu_util_past_last_frame(), MMU_UTIL_RO), invlpg), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(PVABI_PTE_FRAME_MASK >> PVABI_PAGE_SHIFT, MMU_UTIL_RO), invlpg),
                       PVABI_ERANGE);
  PVTEST_EXPECT_EQ(target_entry(), before);
}

PVTEST(page_tables_are_never_mapped_writable) {
  const uint64_t l4_va = pvtest_start_info()->pt_base_va;
  const uint64_t l4_mfn = mmu_util_initial_l4();
  const uint64_t l1_va = (uint64_t)mmu_util_l1_entry(target_va) & ~(uint64_t)(PVABI_PAGE_SIZE - 1);
  const uint64_t l1_mfn = pv_virt_to_mfn((const void *)l1_va);
  const uint64_t before = *mmu_util_l1_entry(l4_va);
  /* Its own linear-map entry, and a second window onto it. */
  PVTEST_EXPECT_STATUS(uvm(l4_va, pte(l4_mfn, MMU_UTIL_RW), invlpg), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(uvm(l1_va, pte(l1_mfn, MMU_UTIL_RW), invlpg), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(uvm(other_va, pte(l1_mfn, MMU_UTIL_RW), invlpg), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(*mmu_util_l1_entry(l4_va), before);
  PVTEST_EXPECT_EQ(*mmu_util_l1_entry(other_va) & PVABI_PTE_FRAME_MASK, pte(target_mfn, 0));
  /* Read-only is fine. */
  PVTEST_EXPECT_STATUS(uvm(other_va, pte(l1_mfn, MMU_UTIL_RO), invlpg), PVABI_OK);
  PVTEST_EXPECT_EQ(other_word((target_va >> PVABI_PAGE_SHIFT) & 511), target_entry());
  PVTEST_EXPECT_STATUS(uvm(other_va, pte(target_mfn, MMU_UTIL_RO), invlpg), PVABI_OK);
}

PVTEST(reserved_flag_bits_are_refused) {
  const uint64_t before = target_entry();
  const uint64_t bad[] = {PVABI_PTE_PWT, PVABI_PTE_PCD, PVABI_PTE_PAT_OR_LARGE, 1ull << 52, 1ull << 62};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW | bad[i]), invlpg), PVABI_EINVAL);
  }
  PVTEST_EXPECT_EQ(target_entry(), before);
  /* Global is allowed on a leaf entry. */
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW | PVABI_PTE_GLOBAL), invlpg), PVABI_OK);
  PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RW), invlpg), PVABI_OK);
}

PVTEST(bad_flush_flags_are_refused) {
  const uint64_t before = target_entry();
  const uint64_t bad[] = {PVABI_UVMF_FLUSH_MASK, 8, 1ull << 32, ~0ull};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    PVTEST_EXPECT_STATUS(uvm(target_va, pte(target_mfn, MMU_UTIL_RO), bad[i]), PVABI_EINVAL);
  }
  PVTEST_EXPECT_EQ(target_entry(), before);
}

PVTEST(addresses_outside_the_guest_are_refused) {
  const uint64_t p = pte(target_mfn, MMU_UTIL_RO);
  PVTEST_EXPECT_STATUS(uvm(0x0000800000000000ull, p, invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(uvm(0xffff7ffffffff000ull, p, invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(uvm(PVABI_HV_VIRT_START, p, invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(uvm(PVABI_M2P_VIRT_START + 0x1000, p, invlpg), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(uvm(PVABI_HV_VIRT_END - PVABI_PAGE_SIZE, p, invlpg), PVABI_EINVAL);
  /* Canonical and ordinary, but no L1 table maps it. */
  PVTEST_EXPECT_STATUS(uvm(0x400000, p, invlpg), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(uvm(PVABI_HV_VIRT_END, p, invlpg), PVABI_ENOENT);
}
