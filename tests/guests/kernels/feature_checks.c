/*
 * A guest kernel that checks, from ring 3 on hv-core, what the v1 ABI
 * promises, through libpv's pv transport: version and features, console,
 * update_va_mapping with its flush, a refused writable mapping of a page
 * table, pinning and unpinning an L1 table, multicall, the three time
 * sources moving, and a refused bad pointer. Each check prints PASS or
 * FAIL; the kernel powers off when all pass and reports a crash otherwise.
 */
#include <libpv/libpv.h>

#include "guest_kernel.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION);

static unsigned passed, failed;

static void check(const char *name, int ok) {
  pv_console_puts(ok ? "PASS " : "FAIL ");
  pv_console_puts(name);
  pv_console_puts("\n");
  if (ok) {
    ++passed;
  } else {
    ++failed;
  }
}

static uint64_t pte(uint64_t mfn, uint64_t flags) {
  return (mfn << PVABI_PAGE_SHIFT) | PVABI_PTE_PRESENT | PVABI_PTE_USER | flags;
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  check("libpv initialises from start info", pv_init(si) == PVABI_OK);
  check("version", pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0) == PVABI_INTERFACE_VERSION);
  static struct pvabi_feature_query q = {0, 0};
  check("feature word 0 offers the event queue",
        pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, (uint64_t)&q) == PVABI_OK &&
            (q.bits & PVABI_FEATURE0_EVENT_QUEUE) != 0);
  check("console write takes every byte", pv_console_write("console\n", 8) == 8);

  /* A free page of our own: remapped read-only, then writable again. */
  const uint64_t pfn = si->first_free_pfn;
  volatile uint8_t *page = pv_pfn_to_virt(pfn);
  const uint64_t mfn = pv_pfn_to_mfn(pfn);
  page[0] = 42;
  check("update_va_mapping read-only",
        pv_mmu_update_va_mapping(0, (uint64_t)page, pte(mfn, 0), PVABI_UVMF_INVLPG) == PVABI_OK);
  check("update_va_mapping writable again",
        pv_mmu_update_va_mapping(0, (uint64_t)page, pte(mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG) == PVABI_OK &&
            page[0] == 42);
  const uint64_t root = pv_virt_to_mfn((const void *)si->pt_base_va);
  check("a page table cannot be mapped writable",
        pv_mmu_update_va_mapping(0, (uint64_t)page, pte(root, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG) == PVABI_EBUSY);

  /* The next free page becomes an empty L1 table, pinned and unpinned. */
  volatile uint8_t *table = pv_pfn_to_virt(pfn + 1);
  const uint64_t table_mfn = pv_pfn_to_mfn(pfn + 1);
  for (int i = 0; i < 4096; ++i) table[i] = 0;
  check("pin an L1 table",
        pv_mmu_update_va_mapping(0, (uint64_t)table, pte(table_mfn, 0), PVABI_UVMF_INVLPG) == PVABI_OK &&
            pv_mmu_pin_table(0, 1, table_mfn) == PVABI_OK);
  check("a pinned table cannot be pinned twice", pv_mmu_pin_table(0, 1, table_mfn) == PVABI_EEXIST);
  check("unpin it", pv_mmu_unpin_table(0, table_mfn) == PVABI_OK);

  static struct pvabi_multicall_entry calls[2] = {
      {PVABI_HC_VERSION, 0, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}},
      {PVABI_HC_VERSION, 0, {PVABI_VERSION_OP_GET, 0, 0, 0, 0, 0}},
  };
  static uint32_t done;
  check("multicall runs both entries",
        pv_hypercall3(PVABI_HC_MULTICALL, (uint64_t)calls, 2, (uint64_t)&done) == PVABI_OK && done == 2 &&
            calls[1].result == PVABI_INTERFACE_VERSION);

  const uint64_t t0 = pv_time_system_ns(0);
  for (volatile int i = 0; i < 100000; ++i) {
  }
  check("system time moves forward", pv_time_system_ns(0) > t0);
  uint64_t sec = 0;
  uint32_t nsec = 0;
  pv_time_wallclock(0, &sec, &nsec);
  check("wall clock is past 2024", sec >= 1704067200ull && nsec < 1000000000u);

  check("a pointer into the hypervisor is refused",
        pv_hypercall3(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, PVABI_HV_VIRT_START + 0x8000000000ull, 4) ==
            PVABI_EFAULT);

  pv_console_puts(failed == 0 ? "all checks passed\n" : "some checks failed\n");
  (void)pv_sched_shutdown(failed == 0 ? PVABI_SHUTDOWN_POWEROFF : PVABI_SHUTDOWN_CRASH);
  for (;;) {
  }
}
