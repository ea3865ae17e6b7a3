// hv-core/core/console.h: each domain's console: a bounded output buffer
// flushed to the platform a line at a time, and a bounded input buffer.
#ifndef HV_CORE_CORE_CONSOLE_H
#define HV_CORE_CORE_CONSOLE_H

#include "hypercall.h"

namespace hv {

class Domain;

inline constexpr uint32_t kConsoleLineMax = 256;
inline constexpr uint32_t kConsoleInputMax = 256;

struct Console {
  char line[kConsoleLineMax];
  uint32_t line_len = 0;
  char input[kConsoleInputMax];
  uint32_t input_head = 0;  // next byte to read
  uint32_t input_len = 0;
  uint64_t bytes_written = 0;
};

int64_t hc_console_io(Vcpu& v, const HypercallArgs& args);

// Appends output; a full line, or a full buffer, goes to the platform.
// Returns how many bytes were taken.
uint32_t console_write(Domain& d, const char* text, uint32_t len);
// Flushes a partial line (at shutdown).
void console_flush(Domain& d);
// Queues input from the platform; returns how many bytes fit. Raises the
// domain's console VIRQ when something was queued.
uint32_t console_input(Domain& d, const char* text, uint32_t len);

}  // namespace hv

#endif  // HV_CORE_CORE_CONSOLE_H
