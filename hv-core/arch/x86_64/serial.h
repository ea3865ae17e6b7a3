// hv-core/arch/x86_64/serial.h: the 16550 UART at COM1, polled.
#ifndef HV_CORE_ARCH_X86_64_SERIAL_H
#define HV_CORE_ARCH_X86_64_SERIAL_H

#include <stddef.h>
#include <stdint.h>

namespace hv::arch {

void serial_init();
void serial_write(const char* s, size_t len);
void serial_puts(const char* s);
// `s` and a newline: one line of the hypervisor's console.
void serial_line(const char* s);
// Takes up to `max` received bytes, without waiting; returns how many.
size_t serial_read(char* out, size_t max);

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_SERIAL_H
