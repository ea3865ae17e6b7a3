#include "serial.h"

namespace hv::arch {
namespace {
constexpr uint16_t kCom1 = 0x3f8;
}

void serial_init() {
  outb(kCom1 + 1, 0x00);  // no interrupts
  outb(kCom1 + 3, 0x80);  // divisor latch
  outb(kCom1 + 0, 0x01);  // 115200 baud
  outb(kCom1 + 1, 0x00);
  outb(kCom1 + 3, 0x03);  // 8N1
  outb(kCom1 + 2, 0xc7);  // FIFO on
}

void serial_write(const char* s, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    while ((inb(kCom1 + 5) & 0x20) == 0) {
    }
    outb(kCom1, static_cast<uint8_t>(s[i]));
  }
}

size_t serial_read(char* out, size_t max) {
  constexpr uint8_t kDataReady = 0x01;
  size_t n = 0;
  while (n < max && (inb(kCom1 + 5) & kDataReady) != 0) out[n++] = static_cast<char>(inb(kCom1));
  return n;
}

void serial_puts(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  serial_write(s, n);
}

void serial_line(const char* s) {
  serial_puts(s);
  serial_puts("\n");
}

}  // namespace hv::arch
