#include "native_cpu.h"

namespace libpv::native::cpu {
namespace {
constexpr uint16_t kCom1Data = 0x3f8, kCom1LineStatus = 0x3fd, kCom1LineControl = 0x3fb;
bool g_divisor_latch = false;
}  // namespace

Fake& fake() {
  static Fake f;
  return f;
}

void outb(uint16_t port, uint8_t value) {
  Fake& f = fake();
  if (port == kCom1LineControl) g_divisor_latch = (value & 0x80) != 0;
  if (port == kCom1Data && !g_divisor_latch && f.serial_out_len < sizeof f.serial_out) {
    f.serial_out[f.serial_out_len++] = static_cast<char>(value);
  }
}

uint8_t inb(uint16_t port) {
  Fake& f = fake();
  if (port == kCom1LineStatus) return static_cast<uint8_t>(0x20 | (*f.serial_in != '\0' ? 1 : 0));
  if (port == kCom1Data && *f.serial_in != '\0') return static_cast<uint8_t>(*f.serial_in++);
  return 0;
}

uint64_t read_cr3() { return fake().cr3; }

void write_cr3(uint64_t value) {
  fake().cr3 = value;
  ++fake().cr3_writes;
}

void invlpg(uint64_t va) {
  fake().last_invlpg = va;
  ++fake().invlpgs;
}

uint64_t rdtsc() { return fake().tsc; }

}  // namespace libpv::native::cpu
