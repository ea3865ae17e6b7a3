/*
 * Rule 7, TLB coherence: a writable mapping blocks a pin; once removed
 * (even without a flush asked for), the frame may become a table, and the
 * old writable translation must not survive the pin: a write through it
 * faults and the table is unchanged. A frame becomes writable-mappable
 * again only after its table use ends.
 *
 * (On x86-64 hv-core reloads CR3 on every entry, which flushes too; these
 * cases check the end result, so they hold a port with global or tagged
 * translations to the same rule.)
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { F = 0, SECOND = 1 };

int pvtest_setup(void) { return hostile_install_traps(); }

PVTEST(a_stale_writable_mapping_does_not_survive_a_pin) {
  const struct page f = hostile_page(F);
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)f.va, hostile_pte(f.mfn, PVABI_PTE_WRITABLE | PVABI_PTE_GLOBAL), PVABI_UVMF_INVLPG));
  for (unsigned i = 0; i < 512; ++i) f.va[i] = 0; /* the translation is in the TLB now */
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)f.va, hostile_pte(f.mfn, 0), PVABI_UVMF_NONE));
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, f.mfn), PVABI_OK);
  /* An entry mapping the hypervisor's frame 1 writable, if the write went through. */
  PVTEST_CHECK_MSG(hostile_probe_write((uint64_t)&f.va[3], hostile_pte(1, PVABI_PTE_WRITABLE | PVABI_PTE_USER)) == HOSTILE_FAULTED,
                   "a write through the old writable mapping reached the pinned table");
  PVTEST_EXPECT_EQ(hostile_last_fault.address, (uint64_t)&f.va[3]);
  PVTEST_EXPECT_EQ(f.va[3], 0);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, f.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(f), PVABI_OK);
}

PVTEST(a_writable_mapping_anywhere_blocks_the_pin) {
  const struct page f = hostile_page(F);
  const struct page second = hostile_page(SECOND);
  PVTEST_REQUIRE_OK(hostile_make_writable(f));
  for (unsigned i = 0; i < 512; ++i) f.va[i] = 0;
  /* A second writable mapping of f at another address. */
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)second.va, hostile_pte(f.mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG));
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)f.va, hostile_pte(f.mfn, 0), PVABI_UVMF_NONE));
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, f.mfn), PVABI_EBUSY);
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)second.va, hostile_pte(second.mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_NONE));
  PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, f.mfn), PVABI_OK);
  PVTEST_CHECK(hostile_probe_write((uint64_t)second.va, 1) == HOSTILE_OK); /* second is its own again */
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, f.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(f), PVABI_OK);
}

PVTEST(a_table_becomes_writable_only_after_unpin) {
  const struct page f = hostile_table_page(F);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, f.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(f), PVABI_EBUSY);
  PVTEST_CHECK(hostile_probe_write((uint64_t)f.va, 0x1234) == HOSTILE_FAULTED);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, f.mfn));
  PVTEST_EXPECT_STATUS(hostile_make_writable(f), PVABI_OK);
  PVTEST_CHECK(hostile_probe_write((uint64_t)f.va, 0x1234) == HOSTILE_OK);
  PVTEST_EXPECT_EQ(f.va[0], 0x1234);
}

PVTEST(a_stale_writable_mapping_does_not_survive_a_descriptor_table) {
  const struct page f = hostile_page(F);
  PVTEST_REQUIRE_OK(hostile_make_writable(f));
  for (unsigned i = 0; i < 512; ++i) f.va[i] = 0;
  PVTEST_REQUIRE_OK(hostile_uvm((uint64_t)f.va, hostile_pte(f.mfn, 0), PVABI_UVMF_NONE));
  static uint64_t frames[1];
  frames[0] = f.mfn;
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 512));
  /* A ring-0 code descriptor, if the write went through. */
  PVTEST_CHECK(hostile_probe_write((uint64_t)&f.va[1], 0x00af9a000000ffffull) == HOSTILE_FAULTED);
  PVTEST_EXPECT_EQ(f.va[1], 0);
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 0));
  PVTEST_EXPECT_STATUS(hostile_make_writable(f), PVABI_OK);
}
