/*
 * Rule 1, ownership and range checks: frames the domain does not own (the
 * hypervisor's, the frames just below and above its own, which belong to
 * the hypervisor, another domain or no one) and frame numbers past the end
 * of memory are refused by every operation that names a frame, and the
 * domain's own state is unchanged afterwards.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { SCRATCH = 0, T = 1 };

static uint64_t scratch_va(void) { return (uint64_t)hostile_page(SCRATCH).va; }

/* Every frame-naming operation on `mfn` gets `want` (EPERM or ERANGE). */
static void expect_refused_everywhere(uint64_t mfn, int64_t want) {
  const uint64_t entry = hostile_entry_maddr(scratch_va(), 1);
  const uint64_t before = hostile_read_entry(entry);
  const uint64_t maddr = mfn << PVABI_PAGE_SHIFT;
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), hostile_pte(mfn, 0), PVABI_UVMF_INVLPG), want);
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), hostile_pte(mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), want);
  PVTEST_EXPECT_STATUS(hostile_pt_write(entry, hostile_pte(mfn, 0)), want);
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
  PVTEST_EXPECT_STATUS(hostile_pt_write(maddr + 8, 0), want);            /* an entry inside it */
  PVTEST_EXPECT_STATUS(hostile_mmu_update(maddr | PVABI_MMU_MACHPHYS_UPDATE, 0), want);
  for (uint32_t cmd = PVABI_MMUEXT_PIN_L1_TABLE; cmd <= PVABI_MMUEXT_UNPIN_TABLE; ++cmd) {
    PVTEST_EXPECT_STATUS(hostile_mmuext(cmd, mfn, 0), want);
  }
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, mfn, 0), want);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_CLEAR_PAGE, mfn, 0), want);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_COPY_PAGE, mfn, hostile_page(SCRATCH).mfn), want);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_COPY_PAGE, hostile_page(SCRATCH).mfn, mfn), want);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, maddr, 0), want);
  static uint64_t frames[1];
  frames[0] = mfn;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1), PVABI_EPERM); /* documented: EPERM for both */
  static struct pvabi_memory_reservation r;
  r = (struct pvabi_memory_reservation){(uint64_t)frames, 1, PVABI_DOMID_SELF, 0};
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_MEMORY_OP, PVABI_MEMOP_DECREASE_RESERVATION, (uint64_t)&r), want);
  static struct pvabi_gnttab_copy copy;
  copy = (struct pvabi_gnttab_copy){{mfn, 0, 0, 0}, {hostile_page(SCRATCH).mfn, 0, 0, 0}, 8, 0, 0};
  PVTEST_REQUIRE_OK(pv_hypercall3(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_COPY, (uint64_t)&copy, 1));
  PVTEST_EXPECT_STATUS(copy.status, want);
}

PVTEST(the_hypervisors_frames_are_refused) {
  expect_refused_everywhere(0, PVABI_EPERM);
  expect_refused_everywhere(1, PVABI_EPERM);
}

PVTEST(the_frames_next_to_the_domains_own_are_refused) {
  const uint64_t low = hostile_lowest_mfn(), high = hostile_highest_mfn();
  pvtest_printf("own frames %lu..%lu", low, high);
  /* The shared info page is the domain's too, outside its pseudo-physical map. */
  const uint64_t shared = pvtest_start_info()->shared_info_maddr >> PVABI_PAGE_SHIFT;
  const uint64_t candidates[] = {low - 2, low - 1, high + 1, high + 2, high + 3};
  unsigned tried = 0;
  for (unsigned i = 0; i < sizeof candidates / sizeof candidates[0]; ++i) {
    if (candidates[i] == shared || hostile_mfn_to_pfn(candidates[i]) != PV_INVALID_FRAME) continue;
    expect_refused_everywhere(candidates[i], PVABI_EPERM);
    ++tried;
  }
  PVTEST_CHECK(tried >= 3);
}

PVTEST(frame_numbers_past_memory_are_refused) {
  const uint64_t end = hostile_frame_past_memory();
  expect_refused_everywhere(end, PVABI_ERANGE);
  expect_refused_everywhere(end + 12345, PVABI_ERANGE);
  expect_refused_everywhere(PVABI_PTE_FRAME_MASK >> PVABI_PAGE_SHIFT, PVABI_ERANGE);
}

PVTEST(another_domains_id_needs_privilege) {
  static struct pvabi_mmu_update u;
  static uint32_t done;
  u = (struct pvabi_mmu_update){hostile_entry_maddr(scratch_va(), 1), 0};
  const uint16_t other = pvtest_domid() == 0 ? 1 : 0;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, (uint64_t)&done, other), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, (uint64_t)&done, 0x7fef), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, (uint64_t)&done, 0x10000), PVABI_ESRCH);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMUEXT_OP, (uint64_t)&u, 0, (uint64_t)&done, other), PVABI_EPERM);
  PVTEST_CHECK(hostile_probe_write(scratch_va(), 1) == HOSTILE_OK); /* the scratch page is untouched */
}

int pvtest_setup(void) { return hostile_install_traps(); }
