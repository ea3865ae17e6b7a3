/* Formatted console lines for guest kernels, on libpv's console. */
#include "console_line.h"

#include <libpv/libpv.h>

void console_line_putc(struct console_line *l, char c) {
  if (l->len < sizeof l->text) l->text[l->len++] = c;
}

void console_line_puts(struct console_line *l, const char *s) {
  if (s == 0) s = "(null)";
  while (*s != '\0') console_line_putc(l, *s++);
}

void console_line_number(struct console_line *l, uint64_t v, unsigned base, int negative, unsigned width, char pad) {
  char digits[24];
  unsigned n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  if (negative) digits[n++] = '-';
  while (width > n) {
    console_line_putc(l, pad);
    --width;
  }
  while (n > 0) console_line_putc(l, digits[--n]);
}

void console_line_vformat(struct console_line *l, const char *fmt, va_list ap) {
  for (; *fmt != '\0'; ++fmt) {
    if (*fmt != '%') {
      console_line_putc(l, *fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    unsigned width = 0;
    if (*fmt == '0') {
      pad = '0';
      ++fmt;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (unsigned)(*fmt++ - '0');
    int longs = 0;
    while (*fmt == 'l') {
      ++longs;
      ++fmt;
    }
    switch (*fmt) {
      case 's': console_line_puts(l, va_arg(ap, const char *)); break;
      case 'c': console_line_putc(l, (char)va_arg(ap, int)); break;
      case 'd': {
        const int64_t v = longs > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
        console_line_number(l, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
        break;
      }
      case 'u': console_line_number(l, longs > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad); break;
      case 'x': console_line_number(l, longs > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad); break;
      case 'p':
        console_line_puts(l, "0x");
        console_line_number(l, (uint64_t)va_arg(ap, void *), 16, 0, width, pad);
        break;
      case '%': console_line_putc(l, '%'); break;
      default: console_line_putc(l, '?'); return;
    }
  }
}

void console_line_write(struct console_line *l) {
  if (l->len == sizeof l->text) l->len = sizeof l->text - 1;
  l->text[l->len++] = '\n';
  (void)pv_console_write(l->text, l->len);
}

void console_vprintf(const char *fmt, va_list ap) {
  struct console_line l = {{0}, 0};
  console_line_vformat(&l, fmt, ap);
  if (l.len > 0 && l.text[l.len - 1] == '\n') --l.len;
  console_line_write(&l);
}

void console_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_vprintf(fmt, ap);
  va_end(ap);
}
