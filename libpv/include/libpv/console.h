/*
 * libpv/console.h: the domain's console (pvabi/console.h).
 *
 * Output goes to the hypervisor's per-domain buffer, drained to its serial
 * line a line at a time; input arrives with PVABI_VIRQ_CONSOLE. On the
 * native backend both go to the COM1 UART (port 0x3f8), polled.
 *
 *     pv_console_puts("booting\n");
 *     char buf[64];
 *     int64_t n = pv_console_read(buf, sizeof buf);
 */
#ifndef LIBPV_CONSOLE_H
#define LIBPV_CONSOLE_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_console_write: write `len` bytes, in pieces of at most
 * PVABI_CONSOLE_IO_MAX.
 * in: buf, len.
 * out: returns the number of bytes taken (>= 0); less than len when the
 *   console buffer filled up, and the rest was not written.
 * status: PVABI_EFAULT if buf cannot be read (returned only when nothing was
 *   written; after a partial write the count is returned).
 */
int64_t pv_console_write(const char *buf, size_t len);

/** pv_console_puts: pv_console_write of a NUL-terminated string; same returns. */
int64_t pv_console_puts(const char *s);

/**
 * pv_console_read: take pending console input.
 * in: buf with room for len bytes (at most PVABI_CONSOLE_IO_MAX are read).
 * out: returns the number of bytes copied (0 when none is pending).
 * status: PVABI_EFAULT if buf cannot be written (no input consumed).
 */
int64_t pv_console_read(char *buf, size_t len);

PV_END_DECLS

#endif /* LIBPV_CONSOLE_H */
