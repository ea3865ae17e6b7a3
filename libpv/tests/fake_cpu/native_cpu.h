// libpv/tests/fake_cpu/native_cpu.h: the native backend's ring-0
// instructions, recorded instead of executed (same interface as
// backend/native/cpu/native_cpu.h, chosen by include path), so the native
// backend's logic runs in a host test.
#ifndef LIBPV_BACKEND_NATIVE_NATIVE_CPU_H
#define LIBPV_BACKEND_NATIVE_NATIVE_CPU_H

#include <stdint.h>

namespace libpv::native::cpu {

void outb(uint16_t port, uint8_t value);
uint8_t inb(uint16_t port);
uint64_t read_cr3();
void write_cr3(uint64_t value);
void invlpg(uint64_t va);
uint64_t rdtsc();

// What the fakes saw, and what they answer.
struct Fake {
  uint64_t cr3 = 0;
  uint64_t cr3_writes = 0;
  uint64_t invlpgs = 0;
  uint64_t last_invlpg = 0;
  uint64_t tsc = 0;
  char serial_out[4096] = {};  // bytes written to COM1's data register
  uint64_t serial_out_len = 0;
  const char* serial_in = "";  // bytes COM1 has received
};
Fake& fake();

}  // namespace libpv::native::cpu

#endif  // LIBPV_BACKEND_NATIVE_NATIVE_CPU_H
