// hv-core/arch/x86_64/platform_x86_64.cc: the platform seam on bare metal
// (QEMU's x86-64 machine): identity-mapped machine memory from the
// multiboot memory map, a bump-allocated hypervisor heap, the TSC
// calibrated against the PIT, the CPU's TLB, and COM1 for consoles.
#include "platform_x86_64.h"

#include "domain_report.h"
#include "guest_entry.h"
#include "reserved_slots.h"

#include "hv-core/core/domain.h"
#include "hv-core/core/platform.h"
#include "serial.h"

extern "C" char __image_end[];

namespace hv {
namespace {

struct Machine {
  uint64_t frames = 0;
  uint64_t first_guest_frame = 0;
  uint8_t* heap_start = nullptr;
  uint8_t* heap = nullptr;
  uint8_t* heap_end = nullptr;
  uint64_t tsc_hz = 0;
};
Machine g_machine;

// The heap holds the frame table and M2P (32 bytes per machine frame) and
// every domain's hypervisor state: a sixteenth of memory, 64 MiB at least.
constexpr uint64_t kMinHeapBytes = 64ull << 20;
constexpr size_t kPageBytes = 4096;
constexpr uint64_t kIdentityMapped = 4ull << 30;  // what boot.S maps

constexpr uint64_t round_up(uint64_t v, uint64_t align) { return (v + align - 1) & ~(align - 1); }

uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}

// PIT channel 2 gated for 10 ms: how many TSC ticks pass.
uint64_t calibrate_tsc() {
  using arch::inb;
  using arch::outb;
  constexpr uint32_t kPitHz = 1193182;
  constexpr uint16_t kCount = kPitHz / 100;
  outb(0x61, static_cast<uint8_t>((inb(0x61) & ~0x02) | 0x01));  // gate on, speaker off
  outb(0x43, 0xb0);                                               // channel 2, mode 0, binary
  outb(0x42, kCount & 0xff);
  outb(0x42, kCount >> 8);
  const uint64_t start = rdtsc();
  while ((inb(0x61) & 0x20) == 0) {
  }
  return (rdtsc() - start) * 100;
}

}  // namespace

namespace platform {

void panic(const char* file, int line, const char* what) {
  arch::serial_puts("hv-core panic at ");
  arch::serial_puts(file);
  arch::serial_puts(": ");
  arch::serial_puts(what);
  arch::serial_puts("\n");
  (void)line;
  arch::qemu_exit(arch::kExitHypervisorFailed);
}

// Allocations of a page or more start on a page and fill whole pages, so
// one can be mapped into guests (the M2P table) without what lies beside it.
void* alloc_zeroed(size_t bytes) {
  Machine& m = g_machine;
  if (bytes >= kPageBytes) {
    bytes = round_up(bytes, kPageBytes);
    const uint64_t aligned = round_up(reinterpret_cast<uint64_t>(m.heap), kPageBytes);
    if (aligned > reinterpret_cast<uint64_t>(m.heap_end)) return nullptr;
    m.heap = reinterpret_cast<uint8_t*>(aligned);
  }
  bytes = round_up(bytes, 16);
  if (static_cast<size_t>(m.heap_end - m.heap) < bytes) return nullptr;
  void* p = m.heap;
  __builtin_memset(p, 0, bytes);
  m.heap += bytes;
  return p;
}

// The boot heap never gives memory back: the hypervisor's own objects live
// as long as it does in this configuration (domains are not destroyed yet).
void free(void*, size_t) {}

uint64_t machine_frames() { return g_machine.frames; }
uint64_t first_guest_frame() { return g_machine.first_guest_frame; }
uint8_t* frame_memory(pvabi::Mfn frame) {
  HV_CHECK(frame.value() < g_machine.frames);
  return reinterpret_cast<uint8_t*>(frame.value() << PVABI_PAGE_SHIFT);
}

uint64_t read_tsc() { return rdtsc(); }
uint64_t tsc_hz() { return g_machine.tsc_hz; }

void flush_tlb_domain(pvabi::DomId) {
  uint64_t cr3;
  asm volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}
void invlpg_domain(pvabi::DomId, pvabi::Gva va) { asm volatile("invlpg (%0)" : : "r"(va.value()) : "memory"); }

uint64_t reserved_l4_entry(unsigned slot) { return arch::hypervisor_l4_entry(slot); }
bool preemption_requested() { return false; }

void console_output(pvabi::DomId, const char* name, const char* text, size_t len) {
  arch::serial_puts(name);
  arch::serial_puts(": ");
  arch::serial_write(text, len);
  arch::serial_puts("\n");
}

}  // namespace platform

namespace arch {

uint64_t heap_bytes_used() { return static_cast<uint64_t>(g_machine.heap - g_machine.heap_start); }

void qemu_exit(uint32_t code) {
  outl(0xf4, code);  // isa-debug-exit: QEMU exits with (code << 1) | 1
  for (;;) asm volatile("cli; hlt");
}

bool init_platform(uint64_t memory_bytes, uint64_t reserved_end) {
  Machine& m = g_machine;
  if (memory_bytes > kIdentityMapped) memory_bytes = kIdentityMapped;
  m.frames = memory_bytes >> PVABI_PAGE_SHIFT;
  uint64_t heap_start = reinterpret_cast<uint64_t>(__image_end);
  if (reserved_end > heap_start) heap_start = reserved_end;
  heap_start = round_up(heap_start, kPageBytes);
  const uint64_t heap_bytes = memory_bytes / 16 > kMinHeapBytes ? round_up(memory_bytes / 16, kPageBytes) : kMinHeapBytes;
  if (heap_start + heap_bytes >= memory_bytes) return false;
  m.heap = reinterpret_cast<uint8_t*>(heap_start);
  m.heap_start = m.heap;
  m.heap_end = m.heap + heap_bytes;
  m.first_guest_frame = (heap_start + heap_bytes) >> PVABI_PAGE_SHIFT;
  m.tsc_hz = calibrate_tsc();
  return true;
}

}  // namespace arch
}  // namespace hv
