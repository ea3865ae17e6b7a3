/*
 * Formatted lines on a guest kernel's console (libpv's console write),
 * without libc: a small printf with %s %c %d %u %x %p, l and ll sizes, a
 * width and '0' for numbers. A line is built whole, then written at once,
 * so lines from several domains never interleave mid-line. Shared by pvtest,
 * the benchmark guest and the small kernels.
 */
#ifndef PVABI_TESTS_GUESTS_CONSOLE_LINE_H
#define PVABI_TESTS_GUESTS_CONSOLE_LINE_H

#include <stdarg.h>
#include <stdint.h>

struct console_line {
  char text[256];
  unsigned len;
};

void console_line_putc(struct console_line *l, char c);
void console_line_puts(struct console_line *l, const char *s);
void console_line_number(struct console_line *l, uint64_t v, unsigned base, int negative, unsigned width, char pad);
void console_line_vformat(struct console_line *l, const char *fmt, va_list ap);
/* Ends the line with a newline and writes it (truncated to fit). */
void console_line_write(struct console_line *l);

/* One line: the format, and a newline unless it ends with one. */
void console_printf(const char *fmt, ...);
void console_vprintf(const char *fmt, va_list ap);

#endif
