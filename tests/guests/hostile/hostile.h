/*
 * Helpers for the hostile kernels: raw single-item MMU calls (so a test sees
 * the hypervisor's status, not libpv's), scratch pages from the domain's
 * free frames, a walk to the L1 entry mapping an address, and probes that
 * read or write memory and report a fault instead of crashing.
 *
 *     struct page p = hostile_page(0);             // a free frame, mapped writable
 *     PVTEST_EXPECT_STATUS(hostile_pt_write(l1_entry, pte), PVABI_EPERM);
 *     PVTEST_CHECK(hostile_probe_write(p.va, 1) == HOSTILE_FAULTED);
 */
#ifndef PVABI_TESTS_GUESTS_HOSTILE_HOSTILE_H
#define PVABI_TESTS_GUESTS_HOSTILE_HOSTILE_H

#include "../pvtest/pvtest.h"

/* A scratch frame: its place in the builder's linear map and its machine frame. */
struct page {
  volatile uint64_t *va;
  uint64_t mfn;
};

/* The n-th frame past everything the domain builder used; the first few
 * are reserved for the helpers' own mappings. */
struct page hostile_page(unsigned n);
/* The same page, zeroed and remapped read-only, ready to become a table. */
struct page hostile_table_page(unsigned n);
/* Remaps a page's linear address writable again (after its table use ended). */
int64_t hostile_make_writable(struct page p);

static inline uint64_t hostile_pte(uint64_t mfn, uint64_t flags) {
  return (mfn << PVABI_PAGE_SHIFT) | PVABI_PTE_PRESENT | flags;
}

/* One raw item: status of that item, with the done count checked (1 on
 * success, 0 on failure) and reported as a failure of the case otherwise. */
int64_t hostile_mmu_update(uint64_t ptr, uint64_t val);
int64_t hostile_pt_write(uint64_t entry_maddr, uint64_t val);
int64_t hostile_mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2);
int64_t hostile_uvm(uint64_t va, uint64_t pte, uint64_t flags);

/* Machine address of the entry at `level` (1..4) that maps `va` in the
 * current tables; 0 if a table on the way is missing. */
uint64_t hostile_entry_maddr(uint64_t va, unsigned level);
/* The entry at a machine address of one of the domain's own tables (read
 * through the linear map). */
uint64_t hostile_read_entry(uint64_t maddr);
/* The pseudo-physical frame of one of the domain's machine frames. */
uint64_t hostile_mfn_to_pfn(uint64_t mfn);
/* The lowest and highest machine frames the domain owns (from the p2m). */
uint64_t hostile_lowest_mfn(void);
uint64_t hostile_highest_mfn(void);
/* The machine frame of the current kernel base pointer (the boot L4). */
uint64_t hostile_root_mfn(void);

/* Probes: HOSTILE_OK or HOSTILE_FAULTED (a page fault or #GP was taken,
 * recorded in hostile_last_fault). Need hostile_install_traps() first. */
#define HOSTILE_OK 0
#define HOSTILE_FAULTED 1
int hostile_probe_read(uint64_t va, uint64_t *out);
int hostile_probe_write(uint64_t va, uint64_t value);
struct hostile_fault {
  uint64_t vector;
  uint64_t address;
  uint64_t error_code;
};
extern struct hostile_fault hostile_last_fault;
/* Installs page-fault and #GP handlers that serve the probes. */
int hostile_install_traps(void);

/* A free frame number past the end of machine memory. */
uint64_t hostile_frame_past_memory(void);

#endif
