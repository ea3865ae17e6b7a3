// libpv/backend/native/cpu/native_cpu.h: the ring-0 instructions the native
// backend uses. Chosen by include path, so a host test can build the native
// backend against recorded fakes instead (libpv/tests/fake_cpu).
#ifndef LIBPV_BACKEND_NATIVE_NATIVE_CPU_H
#define LIBPV_BACKEND_NATIVE_NATIVE_CPU_H

#include <libpv/time_read.h>

namespace libpv::native::cpu {

inline void outb(uint16_t port, uint8_t value) { __asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(port)); }

inline uint8_t inb(uint16_t port) {
  uint8_t value;
  __asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

inline uint64_t read_cr3() {
  uint64_t value;
  __asm__ __volatile__("mov %%cr3, %0" : "=r"(value));
  return value;
}

// Loading cr3 also flushes every non-global TLB entry.
inline void write_cr3(uint64_t value) { __asm__ __volatile__("mov %0, %%cr3" : : "r"(value) : "memory"); }

inline void invlpg(uint64_t va) { __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory"); }

inline uint64_t rdtsc() { return pv_rdtsc(); }

}  // namespace libpv::native::cpu

#endif  // LIBPV_BACKEND_NATIVE_NATIVE_CPU_H
