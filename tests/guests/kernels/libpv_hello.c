/*
 * A guest kernel on libpv's pv transport (hypercalls through the hypercall
 * page), run by hv-core in QEMU: it initialises libpv from start info,
 * writes to its console, reads system time twice from the shared time
 * info, and powers off through the scheduler op.
 */
#include <libpv/libpv.h>

#include "console_line.h"
#include "guest_kernel.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION);


__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  if (pv_init(si) != PVABI_OK) {
    for (;;) {
    }
  }
  pv_console_puts("libpv on hv-core: initialised from start info\n");
  const uint64_t t0 = pv_time_system_ns(0);
  for (volatile int i = 0; i < 100000; ++i) {
  }
  const uint64_t t1 = pv_time_system_ns(0);
  console_printf("libpv on hv-core: system time advanced by ns: %lu", t1 - t0);
  pv_console_puts(t1 > t0 ? "libpv on hv-core: time moves forward\n" : "libpv on hv-core: time stood still\n");
  if (pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF) != PVABI_OK) pv_console_puts("shutdown refused\n");
  for (;;) {
  }
}
