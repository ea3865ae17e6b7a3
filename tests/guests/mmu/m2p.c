/*
 * The read-only machine-to-pseudo-physical table at PVABI_M2P_VIRT_START:
 * the limits describe it, every pfn's machine frame maps back to that pfn,
 * pv_mfn_to_pfn agrees with the table, frames no guest owns (the
 * hypervisor's) read PVABI_M2P_INVALID, and no frame outside this domain
 * claims one of its pfns while the strict assist is on. update_va_mapping
 * cannot reach the table; PVABI_MMU_MACHPHYS_UPDATE changes only the
 * domain's own frames, to pfns it has. Run with a second domain, so frames
 * owned by someone else exist.
 */
#include "mmu_util.h"

PVTEST_KERNEL_NOTES();

static const volatile pvabi_u64 *m2p(void) { return (const volatile pvabi_u64 *)pv_limits()->m2p_virt_start; }

/* Does this domain own mfn (a frame of its p2m, or its shared info page)? */
static int owned(uint64_t mfn) {
  return mfn == pvtest_start_info()->shared_info_maddr >> PVABI_PAGE_SHIFT || mmu_util_pfn_of(mfn) != PV_INVALID_FRAME;
}

PVTEST(the_limits_describe_the_table) {
  const struct pvabi_limits *l = pv_limits();
  PVTEST_EXPECT_EQ(l->m2p_virt_start, PVABI_M2P_VIRT_START);
  PVTEST_CHECK(l->m2p_entries >= l->max_machine_frame);
  PVTEST_CHECK(l->m2p_entries <= PVABI_M2P_MAX_ENTRIES);
  PVTEST_CHECK(l->m2p_virt_start >= l->hv_virt_start);
  PVTEST_CHECK(l->m2p_virt_start + l->m2p_entries * 8 <= l->hv_virt_end);
}

PVTEST(every_pfn_maps_back_to_itself) {
  const uint64_t pages = pvtest_start_info()->nr_pages;
  pvtest_printf("reading the table at 0x%lx", pv_limits()->m2p_virt_start);
  unsigned wrong = 0;
  for (uint64_t pfn = 0; pfn < pages; ++pfn) {
    const uint64_t mfn = pv_pfn_to_mfn(pfn);
    if (mfn >= pv_limits()->m2p_entries) PVTEST_ERROR("pfn %lu: mfn 0x%lx is past the table", pfn, mfn);
    const uint64_t back = m2p()[mfn];
    if (back != pfn && wrong++ < 4) pvtest_printf("pfn %lu: M2P[0x%lx] = 0x%lx", pfn, mfn, back);
  }
  PVTEST_EXPECT_EQ(wrong, 0);
}

PVTEST(pv_mfn_to_pfn_reads_the_same_table) {
  const uint64_t pages = pvtest_start_info()->nr_pages;
  unsigned wrong = 0;
  for (uint64_t pfn = 0; pfn < pages; ++pfn) wrong += pv_mfn_to_pfn(pv_pfn_to_mfn(pfn)) != pfn;
  PVTEST_EXPECT_EQ(wrong, 0);
  PVTEST_EXPECT_EQ(pv_mfn_to_pfn(0), m2p()[0]);
  PVTEST_EXPECT_EQ(pv_mfn_to_pfn(pv_limits()->m2p_entries), PV_INVALID_FRAME);
  PVTEST_EXPECT_EQ(pv_mfn_to_pfn(~0ull >> 12), PV_INVALID_FRAME);
}

/* Frame 0 is the hypervisor's: no domain ever gives it a pfn. */
PVTEST(hypervisor_frames_have_no_pfn) { PVTEST_EXPECT_EQ(m2p()[0], PVABI_M2P_INVALID); }

PVTEST(under_the_strict_assist_only_our_frames_have_pfns) {
  const int64_t rc = pv_hypercall2(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, PVABI_VMASST_M2P_STRICT);
  if (rc == PVABI_ENOSYS) PVTEST_SKIP("PVABI_VMASST_M2P_STRICT is not offered");
  PVTEST_EXPECT_STATUS(rc, PVABI_OK);
  const uint64_t frames = pv_limits()->max_machine_frame;
  unsigned claims = 0;
  for (uint64_t mfn = 0; mfn < frames; ++mfn) {
    if (m2p()[mfn] != PVABI_M2P_INVALID && !owned(mfn) && claims++ < 4) {
      pvtest_printf("mfn 0x%lx is not ours, yet reads pfn 0x%lx", mfn, m2p()[mfn]);
    }
  }
  PVTEST_EXPECT_EQ(claims, 0);
}

PVTEST(machphys_update_changes_only_our_frames) {
  static struct pvabi_mmu_update u;
  const uint64_t pfn = mmu_util_take_pfn();
  if (pfn == PV_INVALID_FRAME) PVTEST_ERROR("no free frame");
  /* Setting our own frame's entry goes through the hypercall. */
  u.ptr = (pv_pfn_to_mfn(pfn) << PVABI_PAGE_SHIFT) | PVABI_MMU_MACHPHYS_UPDATE;
  u.val = pfn;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, 0, PVABI_DOMID_SELF), PVABI_OK);
  PVTEST_EXPECT_EQ(m2p()[pv_pfn_to_mfn(pfn)], pfn);
  /* No update_va_mapping can reach the reserved range the table lives in. */
  PVTEST_EXPECT_STATUS(pv_hypercall3(PVABI_HC_UPDATE_VA_MAPPING, PVABI_M2P_VIRT_START,
                                     (pv_pfn_to_mfn(pfn) << PVABI_PAGE_SHIFT) | MMU_UTIL_RW, PVABI_UVMF_INVLPG),
                       PVABI_EINVAL);
  /* A pfn past the domain's size is refused. */
  u.val = 1ull << 40;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, 0, PVABI_DOMID_SELF), PVABI_ERANGE);
  PVTEST_EXPECT_EQ(m2p()[pv_pfn_to_mfn(pfn)], pfn);
  u.val = pfn;
  /* A frame that is not ours (the hypervisor's) cannot be given a pfn. */
  u.ptr = PVABI_MMU_MACHPHYS_UPDATE;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, 0, PVABI_DOMID_SELF), PVABI_EPERM);
  PVTEST_EXPECT_EQ(m2p()[0], PVABI_M2P_INVALID);
}
