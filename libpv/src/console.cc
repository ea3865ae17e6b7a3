// The console (libpv/console.h).
#include <libpv/console.h>

#include "call.h"

using namespace libpv;

extern "C" int64_t pv_console_write(const char* buf, size_t len) {
  size_t written = 0;
  while (written < len) {
    const size_t chunk = len - written < PVABI_CONSOLE_IO_MAX ? len - written : PVABI_CONSOLE_IO_MAX;
    const int64_t rc = hc(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, arg_in(buf + written, chunk), chunk);
    if (rc < 0) return written == 0 ? rc : static_cast<int64_t>(written);
    written += static_cast<size_t>(rc);
    if (static_cast<size_t>(rc) < chunk) break;  // the console buffer is full
  }
  return static_cast<int64_t>(written);
}

extern "C" int64_t pv_console_puts(const char* s) {
  size_t len = 0;
  while (s[len] != '\0') ++len;
  return pv_console_write(s, len);
}

extern "C" int64_t pv_console_read(char* buf, size_t len) {
  const size_t n = len < PVABI_CONSOLE_IO_MAX ? len : PVABI_CONSOLE_IO_MAX;
  return hc(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_READ, arg_out(buf, n), n);
}
