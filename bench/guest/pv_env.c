/* The benchmark guest on hv-core: a guest kernel entered with start info. */
#include "../../tests/guests/kernels/guest_kernel.h"
#include "bench_env.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION);

static const struct pvabi_start_info *start_info;

int env_is_pv(void) { return 1; }
const uint64_t *env_root_table(void) { return (const uint64_t *)start_info->pt_base_va; }
uint64_t env_first_free_pfn(void) { return start_info->first_free_pfn; }
uint64_t env_free_frames(void) { return start_info->nr_pages - start_info->first_free_pfn; }
const char *env_cmdline(void) { return (const char *)start_info->cmdline; }

int env_install_skip_handlers(void) {
  static struct pvabi_trap_info table[2];
  if (pv_trap_entry(&table[0], 6, 0, 0, (uint64_t)bench_invalid_opcode_entry) != PVABI_OK ||
      pv_trap_entry(&table[1], PVABI_VECTOR_PAGE_FAULT, 0, 0, (uint64_t)bench_page_fault_entry) != PVABI_OK) {
    return -1;
  }
  return pv_set_trap_table(table, 2) == PVABI_OK ? 0 : -1;
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  start_info = si;
  if (pv_init(si) == PVABI_OK) bench_main();
  (void)pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF);
  for (;;) {
  }
}
