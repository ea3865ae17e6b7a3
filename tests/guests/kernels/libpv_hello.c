/*
 * A guest kernel on libpv's pv transport (hypercalls through the hypercall
 * page), run by hv-core in QEMU: it initialises libpv from start info,
 * writes to its console, reads system time twice from the shared time
 * info, and powers off through the scheduler op.
 */
#include <libpv/libpv.h>

#include "guest_kernel.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION);

static void put_number(const char *label, uint64_t v) {
  char buf[64];
  size_t n = 0;
  while (label[n] != '\0') {
    buf[n] = label[n];
    ++n;
  }
  char digits[20];
  int d = 0;
  do {
    digits[d++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (d > 0) buf[n++] = digits[--d];
  buf[n++] = '\n';
  pv_console_write(buf, n);
}

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
  put_number("libpv on hv-core: system time advanced by ns: ", t1 - t0);
  pv_console_puts(t1 > t0 ? "libpv on hv-core: time moves forward\n" : "libpv on hv-core: time stood still\n");
  if (pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF) != PVABI_OK) pv_console_puts("shutdown refused\n");
  for (;;) {
  }
}
