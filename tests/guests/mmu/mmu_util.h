/*
 * Helpers the MMU test kernels share: free frames from start info, the
 * builder's linear map (virt_base + pfn * 4096) of every frame, and the L1
 * entries of the initial tables, found by walking them through that map.
 * Machine-to-pseudo-physical lookups here search the p2m list, so they work
 * without the hypervisor's M2P table.
 */
#ifndef PVABI_TESTS_GUESTS_MMU_MMU_UTIL_H
#define PVABI_TESTS_GUESTS_MMU_MMU_UTIL_H

#include "../pvtest/pvtest.h"

/* Flags of an ordinary present kernel mapping. */
#define MMU_UTIL_RW (PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_USER)
#define MMU_UTIL_RO (PVABI_PTE_PRESENT | PVABI_PTE_USER)

/* The next unused frame from first_free_pfn on; PV_INVALID_FRAME when out. */
uint64_t mmu_util_take_pfn(void);

/* The pfn the p2m list gives `mfn`, by search; PV_INVALID_FRAME if none. */
uint64_t mmu_util_pfn_of(uint64_t mfn);

/* A frame's contents through the linear map (read-only for tables). */
void *mmu_util_frame_va(uint64_t mfn);

/* The L1 entry that maps `va` in the initial tables (pt_base_va), as the
 * guest sees it and as a machine address; 0 if no L1 table maps va. */
const uint64_t *mmu_util_l1_entry(uint64_t va);
uint64_t mmu_util_l1_entry_maddr(uint64_t va);

/* The initial L4 table's machine frame. */
uint64_t mmu_util_initial_l4(void);

/* Maps pfn's linear-map page read-only or writable (update_va_mapping). */
int mmu_util_set_writable(uint64_t pfn, int writable);

/* One extended op; the status of the hypercall, *done if done is given. */
int64_t mmu_util_mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2, uint32_t *done);

/* A machine frame number the machine does not have. */
uint64_t mmu_util_past_last_frame(void);

#endif
