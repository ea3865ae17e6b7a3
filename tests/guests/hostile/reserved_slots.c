/*
 * Rule 5, reserved top-level slots: the hypervisor's L4 slots cannot be
 * written through mmu_update, update_va_mapping or a new table, its range
 * cannot be read or written from the guest, and every refusal leaves the
 * slot as the hypervisor installed it.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

int pvtest_setup(void) { return hostile_install_traps(); }

static uint64_t root_slot(unsigned slot) { return (hostile_root_mfn() << PVABI_PAGE_SHIFT) + slot * 8; }

PVTEST(mmu_update_into_each_reserved_slot_is_refused) {
  const struct page victim = hostile_page(0);
  for (unsigned slot = PVABI_L4_FIRST_RESERVED_SLOT; slot < PVABI_L4_FIRST_RESERVED_SLOT + PVABI_L4_RESERVED_SLOTS; ++slot) {
    const uint64_t before = hostile_read_entry(root_slot(slot));
    PVTEST_EXPECT_STATUS(hostile_pt_write(root_slot(slot), 0), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_pt_write(root_slot(slot), hostile_pte(victim.mfn, PVABI_PTE_WRITABLE)), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_mmu_update(root_slot(slot) | PVABI_MMU_PT_UPDATE_PRESERVE_AD, before), PVABI_EINVAL);
    PVTEST_EXPECT_EQ(hostile_read_entry(root_slot(slot)), before);
  }
}

PVTEST(the_slots_around_the_reserved_range_stay_the_guests) {
  /* Slot 255 and 272 are ordinary: an empty write there is accepted. */
  PVTEST_EXPECT_STATUS(hostile_pt_write(root_slot(PVABI_L4_FIRST_RESERVED_SLOT - 1), 0), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_pt_write(root_slot(PVABI_L4_FIRST_RESERVED_SLOT + PVABI_L4_RESERVED_SLOTS), 0), PVABI_OK);
}

PVTEST(update_va_mapping_in_the_reserved_range_is_refused) {
  const struct page p = hostile_page(0);
  const uint64_t vas[] = {PVABI_HV_VIRT_START, PVABI_HV_VIRT_START + 0x1000, PVABI_M2P_VIRT_START,
                          PVABI_HV_VIRT_END - PVABI_PAGE_SIZE};
  for (unsigned i = 0; i < sizeof vas / sizeof vas[0]; ++i) {
    PVTEST_EXPECT_STATUS(hostile_uvm(vas[i], hostile_pte(p.mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_uvm(vas[i], 0, PVABI_UVMF_INVLPG), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_INVLPG_LOCAL, vas[i], 0), PVABI_EINVAL);
  }
}

PVTEST(the_hypervisors_range_cannot_be_read_or_written) {
  const uint64_t vas[] = {PVABI_HV_VIRT_START + (1ull << 39) /* slot 257: the entry code's alias */,
                          PVABI_HV_VIRT_START + (2ull << 39), PVABI_HV_VIRT_END - 8};
  for (unsigned i = 0; i < sizeof vas / sizeof vas[0]; ++i) {
    uint64_t value = 0;
    const int r = hostile_probe_read(vas[i], &value);
    if (PVTEST_CHECK_MSG(r == HOSTILE_FAULTED, "read of %p did not fault", (void *)vas[i])) {
      PVTEST_EXPECT_EQ(hostile_last_fault.vector, PVABI_VECTOR_PAGE_FAULT);
      PVTEST_EXPECT_EQ(hostile_last_fault.address, vas[i]);
    }
    PVTEST_CHECK_MSG(hostile_probe_write(vas[i], 0x4141414141414141ull) == HOSTILE_FAULTED,
                     "write to %p did not fault", (void *)vas[i]);
  }
}

PVTEST(the_m2p_table_is_read_only) {
  /* It is documented as mapped read-only inside the reserved range. */
  const uint64_t mine = hostile_page(0).mfn;
  const uint64_t entry = PVABI_M2P_VIRT_START + mine * 8;
  uint64_t pfn = 0;
  PVTEST_CHECK(hostile_probe_read(entry, &pfn) == HOSTILE_OK);
  PVTEST_EXPECT_EQ(pfn, hostile_mfn_to_pfn(mine));
  PVTEST_CHECK(hostile_probe_write(entry, 0) == HOSTILE_FAULTED);
  PVTEST_CHECK(hostile_probe_write(PVABI_M2P_VIRT_START, 0) == HOSTILE_FAULTED);
  PVTEST_CHECK(hostile_probe_read(entry, &pfn) == HOSTILE_OK && pfn == hostile_mfn_to_pfn(mine));
}

PVTEST(a_new_l4_with_a_forged_reserved_slot_is_refused) {
  const struct page l4 = hostile_table_page(1);
  const struct page src = hostile_page(2);
  (void)hostile_make_writable(src);
  /* Build the table in a writable frame, then copy it into the read-only one. */
  for (unsigned i = 0; i < 512; ++i) src.va[i] = 0;
  src.va[PVABI_L4_FIRST_RESERVED_SLOT + 1] = hostile_pte(src.mfn, PVABI_PTE_WRITABLE | PVABI_PTE_USER);
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, l4.mfn, src.mfn));
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L4_TABLE, l4.mfn, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, l4.mfn, 0), PVABI_EINVAL);
  /* The refused table took nothing: the frames are still plain. */
  PVTEST_EXPECT_STATUS(hostile_make_writable(l4), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_UNPIN_TABLE, l4.mfn, 0), PVABI_ENOENT);
}

PVTEST(a_new_l4_gets_the_hypervisors_slots_installed) {
  /* Zero reserved slots are what a guest building an address space writes:
   * the validator installs the hypervisor's entries, which stay unwritable. */
  const struct page l4 = hostile_table_page(1);
  const uint64_t alias_slot = PVABI_L4_FIRST_RESERVED_SLOT + 1;
  const uint64_t ad = PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY;
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L4_TABLE, l4.mfn, 0), PVABI_OK);
  PVTEST_EXPECT_EQ(l4.va[alias_slot] & ~ad, hostile_read_entry(root_slot(alias_slot)) & ~ad);
  PVTEST_EXPECT_STATUS(hostile_pt_write((l4.mfn << PVABI_PAGE_SHIFT) + 8 * alias_slot, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_UNPIN_TABLE, l4.mfn, 0), PVABI_OK);
  PVTEST_EXPECT_STATUS(hostile_make_writable(l4), PVABI_OK);
}
