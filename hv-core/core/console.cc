#include "console.h"

#include "domain.h"
#include "guest_access.h"

namespace hv {

void console_flush(Domain& d) {
  Console& c = d.console;
  if (c.line_len == 0) return;
  platform::console_output(d.id, d.name, c.line, c.line_len);
  c.line_len = 0;
}

uint32_t console_write(Domain& d, const char* text, uint32_t len) {
  Console& c = d.console;
  for (uint32_t i = 0; i < len; ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      console_flush(d);
      continue;
    }
    // Control characters other than tab would reach the operator's terminal.
    c.line[c.line_len++] = (ch == '\t' || (ch >= 0x20 && ch < 0x7f)) ? ch : '?';
    if (c.line_len == kConsoleLineMax) console_flush(d);
  }
  c.bytes_written += len;
  return len;
}

uint32_t console_input(Domain& d, const char* text, uint32_t len) {
  Console& c = d.console;
  uint32_t taken = 0;
  while (taken < len && c.input_len < kConsoleInputMax) {
    c.input[(c.input_head + c.input_len) % kConsoleInputMax] = text[taken++];
    ++c.input_len;
  }
  if (taken > 0) raise_virq(d, PVABI_VIRQ_CONSOLE, 0);
  return taken;
}

int64_t hc_console_io(Vcpu& v, const HypercallArgs& a) {
  const uint64_t op = a.a[0];
  const Gva buf{a.a[1]};
  const uint64_t len = a.a[2];
  if (op != PVABI_CONSOLE_WRITE && op != PVABI_CONSOLE_READ) return PVABI_ENOSYS;
  if (len > PVABI_CONSOLE_IO_MAX) return PVABI_E2BIG;
  Domain& d = *v.domain;
  char chunk[256];
  if (op == PVABI_CONSOLE_WRITE) {
    // Copy everything first, so a fault writes nothing.
    for (uint64_t off = 0; off < len; off += sizeof chunk) {
      const uint64_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
      if (const Status s = copy_from_guest(v, buf + off, chunk, n); s != Status::kOk) return raw(s);
    }
    for (uint64_t off = 0; off < len; off += sizeof chunk) {
      const uint64_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
      HV_CHECK(copy_from_guest(v, buf + off, chunk, n) == Status::kOk);
      console_write(d, chunk, static_cast<uint32_t>(n));
    }
    return static_cast<int64_t>(len);
  }
  Console& c = d.console;
  const uint32_t n = static_cast<uint32_t>(len < c.input_len ? len : c.input_len);
  static_assert(kConsoleInputMax <= sizeof chunk);
  for (uint32_t i = 0; i < n; ++i) chunk[i] = c.input[(c.input_head + i) % kConsoleInputMax];
  if (const Status s = copy_to_guest(v, buf, chunk, n); s != Status::kOk) return raw(s);
  c.input_head = (c.input_head + n) % kConsoleInputMax;
  c.input_len -= n;
  return n;
}

}  // namespace hv
