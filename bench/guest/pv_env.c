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

__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  start_info = si;
  if (pv_init(si) == PVABI_OK) bench_main();
  (void)pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF);
  for (;;) {
  }
}
