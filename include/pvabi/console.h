/*
 * pvabi/console.h: the per-domain console.
 *
 * Each domain has a console with a bounded output buffer that the hypervisor
 * drains to its own serial line, prefixed by the domain's name, and a bounded
 * input buffer fed from it. New input raises PVABI_VIRQ_CONSOLE.
 *
 *     pv_hypercall3(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, (uint64_t)msg, len);
 */
#ifndef PVABI_CONSOLE_H
#define PVABI_CONSOLE_H

#include <pvabi/base.h>

/**
 * PVABI_HC_CONSOLE_IO(PVABI_CONSOLE_WRITE, buf, len): write bytes.
 * in: buf = guest address of `len` bytes; len <= PVABI_CONSOLE_IO_MAX.
 * out: returns the number of bytes taken (>= 0), which is less than len when
 *   the domain's console buffer is full; the rest is not written.
 * status: PVABI_EFAULT if buf cannot be read (nothing written);
 *   PVABI_E2BIG if len > PVABI_CONSOLE_IO_MAX (nothing written).
 */
#define PVABI_CONSOLE_WRITE 0
/**
 * PVABI_HC_CONSOLE_IO(PVABI_CONSOLE_READ, buf, len): read pending input.
 * in: buf = guest address with room for `len` bytes; len <= PVABI_CONSOLE_IO_MAX.
 * out: returns the number of bytes copied (>= 0; 0 when no input is pending);
 *   those bytes leave the input buffer.
 * status: PVABI_EFAULT if buf cannot be written (no input consumed);
 *   PVABI_E2BIG if len > PVABI_CONSOLE_IO_MAX (no input consumed).
 */
#define PVABI_CONSOLE_READ 1

#define PVABI_CONSOLE_IO_MAX 4096

#endif /* PVABI_CONSOLE_H */
