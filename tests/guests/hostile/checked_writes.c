/*
 * Rule 8, atomic and checked writes: entry pointers must be 8-aligned and
 * name a real command, virtual addresses canonical, flags and padding
 * known, and batch lists and done counts readable; each refusal leaves the
 * entry as it was and performs nothing.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { SCRATCH = 0 };

static uint64_t scratch_va(void) { return (uint64_t)hostile_page(SCRATCH).va; }

PVTEST(misaligned_entry_pointers_are_refused) {
  const uint64_t entry = hostile_entry_maddr(scratch_va(), 1);
  const uint64_t before = hostile_read_entry(entry);
  /* The low two bits are the command, so bit 2 is the misalignment a
   * pointer can carry: 4 bytes into the entry, for both table writes. */
  PVTEST_EXPECT_STATUS(hostile_mmu_update((entry + 4) | PVABI_MMU_NORMAL_PT_UPDATE, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmu_update((entry + 4) | PVABI_MMU_PT_UPDATE_PRESERVE_AD, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmu_update((entry + 4) | PVABI_MMU_NORMAL_PT_UPDATE, before), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmu_update(entry | 3, 0), PVABI_EINVAL); /* no command 3 */
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
  for (uint64_t off = 1; off < 8; ++off) {
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, (hostile_page(SCRATCH).mfn << PVABI_PAGE_SHIFT) + off, 0),
                         PVABI_EINVAL);
  }
}

PVTEST(non_canonical_addresses_are_refused) {
  const uint64_t bad[] = {0x0000800000000000ull, 0xffff7ffffffff000ull, 0x8000000000000000ull, 0x00ff000000000000ull};
  const struct page p = hostile_page(SCRATCH);
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_uvm(bad[i], hostile_pte(p.mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, bad[i], 0), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_INVLPG_ALL, bad[i], 0), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_SET_LDT, bad[i], 1), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_FS, bad[i]), PVABI_EINVAL);
  }
  /* An LDT whose end crosses into non-canonical space. */
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_SET_LDT, 0x00007ffffffff000ull, 8192), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_SET_LDT, scratch_va() + 8, 1), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_SET_LDT, scratch_va(), 8193), PVABI_EINVAL);
}

PVTEST(unknown_flags_and_padding_are_refused) {
  const struct page p = hostile_page(SCRATCH);
  const uint64_t pte = hostile_pte(p.mfn, PVABI_PTE_WRITABLE);
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), pte, PVABI_UVMF_FLUSH_MASK), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), pte, 8), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_uvm(scratch_va(), pte, 1ull << 63), PVABI_EINVAL);
  static struct pvabi_mmuext_op op;
  static uint32_t done;
  op.cmd = PVABI_MMUEXT_TLB_FLUSH_LOCAL;
  op._pad0 = 1;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMUEXT_OP, (uint64_t)&op, 1, (uint64_t)&done, PVABI_DOMID_SELF), PVABI_EINVAL);
  PVTEST_EXPECT_EQ(done, 0);
}

PVTEST(bad_lists_and_done_pointers_perform_nothing) {
  const uint64_t entry = hostile_entry_maddr(scratch_va(), 1);
  const uint64_t before = hostile_read_entry(entry);
  static struct pvabi_mmu_update u;
  static uint32_t done;
  u.ptr = entry;
  u.val = 0;
  /* done in the reserved range, or unmapped: EFAULT before anything happens. */
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, PVABI_HV_VIRT_START + 0x10000, PVABI_DOMID_SELF), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, 0x1000, PVABI_DOMID_SELF), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
  /* The list itself unreadable: nothing done. */
  done = 77;
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, PVABI_HV_VIRT_START + (1ull << 39), 1, (uint64_t)&done, PVABI_DOMID_SELF), PVABI_EFAULT);
  PVTEST_EXPECT_EQ(done, 0);
  /* Too many items: E2BIG, nothing done. */
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, PVABI_MMU_BATCH_MAX + 1, (uint64_t)&done, PVABI_DOMID_SELF), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(pv_hypercall4(PVABI_HC_MMUEXT_OP, (uint64_t)&u, ~0ull, (uint64_t)&done, PVABI_DOMID_SELF), PVABI_E2BIG);
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
}

PVTEST(multicall_refuses_nesting_and_iret) {
  static struct pvabi_multicall_entry calls[2];
  static uint32_t done;
  const uint64_t nested[] = {PVABI_HC_MULTICALL, PVABI_HC_IRET};
  for (unsigned i = 0; i < 2; ++i) {
    calls[0] = (struct pvabi_multicall_entry){PVABI_HC_VERSION, 0, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}};
    calls[1] = (struct pvabi_multicall_entry){nested[i], 0, {(uint64_t)calls, 2, 0, 0, 0, 0}};
    done = 99;
    PVTEST_EXPECT_STATUS(pv_hypercall3(PVABI_HC_MULTICALL, (uint64_t)calls, 2, (uint64_t)&done), PVABI_EINVAL);
    PVTEST_EXPECT_EQ(done, 1);
    PVTEST_EXPECT_EQ(calls[0].result, PVABI_INTERFACE_VERSION);
  }
}
