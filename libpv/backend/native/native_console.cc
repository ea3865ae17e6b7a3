// The console on COM1, polled (16550 UART registers at 0x3f8).
#include "native.h"
#include "native_cpu.h"

namespace libpv::native {
namespace {

constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kData = kCom1, kIrqEnable = kCom1 + 1, kFifo = kCom1 + 2, kLineControl = kCom1 + 3,
                   kModemControl = kCom1 + 4, kLineStatus = kCom1 + 5;
constexpr uint8_t kDataReady = 1u << 0;
constexpr uint8_t kTransmitterEmpty = 1u << 5;

}  // namespace

void console_init() {
  cpu::outb(kIrqEnable, 0);        // polled: no interrupts
  cpu::outb(kLineControl, 0x80);   // divisor latch on
  cpu::outb(kData, 1);             // divisor 1: 115200 baud
  cpu::outb(kIrqEnable, 0);
  cpu::outb(kLineControl, 0x03);   // 8 data bits, no parity, 1 stop bit
  cpu::outb(kFifo, 0xc7);          // FIFOs on and cleared
  cpu::outb(kModemControl, 0x03);  // DTR, RTS
}

int64_t console_io(uint64_t cmd, uint64_t buf, uint64_t len) {
  if (cmd != PVABI_CONSOLE_WRITE && cmd != PVABI_CONSOLE_READ) return PVABI_ENOSYS;
  if (len > PVABI_CONSOLE_IO_MAX) return PVABI_E2BIG;
  auto* bytes = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(buf));
  uint64_t n = 0;
  if (cmd == PVABI_CONSOLE_WRITE) {
    for (; n < len; ++n) {
      while ((cpu::inb(kLineStatus) & kTransmitterEmpty) == 0) {
      }
      cpu::outb(kData, bytes[n]);
    }
  } else {
    for (; n < len && (cpu::inb(kLineStatus) & kDataReady) != 0; ++n) bytes[n] = cpu::inb(kData);
  }
  return static_cast<int64_t>(n);
}

}  // namespace libpv::native
