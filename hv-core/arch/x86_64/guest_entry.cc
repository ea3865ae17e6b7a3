#include "guest_entry.h"

#include <stddef.h>

#include "domain_report.h"
#include "fpu_switch.h"
#include "guest_regs_offsets.h"
#include "hv-core/core/cpu.h"
#include "hv-core/core/domain.h"
#include "hv-core/core/guest_access.h"
#include "hv-core/core/hypercall.h"
#include "hv-core/core/pt_write.h"
#include "hv-core/core/sched.h"
#include "hv-core/core/text.h"
#include "hv-core/core/time.h"
#include "platform_x86_64.h"
#include "console_input.h"
#include "serial.h"

using hv::GuestRegs;

extern "C" {
// Shared with entry.S, which reaches them rip-relative through the alias.
GuestRegs* entry_regs_ptr;  // the running vCPU's save area, an alias address
uint64_t entry_scratch;
uint64_t hv_cr3;
uint64_t hv_stack_top;
void syscall_entry();
void soft_interrupt_stubs();  // 256 stubs of 16 bytes, one per vector
void enter_guest(GuestRegs* regs, uint64_t cr3, void* iret_frame);
[[noreturn]] void hv_syscall();
[[noreturn]] void hv_exception(uint64_t vector, uint64_t error, const uint64_t* frame);
#define DECLARE(n) void exception_##n();
DECLARE(0) DECLARE(1) DECLARE(2) DECLARE(3) DECLARE(4) DECLARE(5) DECLARE(6) DECLARE(7) DECLARE(8)
DECLARE(9) DECLARE(10) DECLARE(11) DECLARE(12) DECLARE(13) DECLARE(14) DECLARE(15) DECLARE(16)
DECLARE(17) DECLARE(18) DECLARE(19) DECLARE(32)
#undef DECLARE
}

static_assert(offsetof(GuestRegs, rax) == GR_RAX && offsetof(GuestRegs, rbx) == GR_RBX &&
              offsetof(GuestRegs, rcx) == GR_RCX && offsetof(GuestRegs, rdx) == GR_RDX &&
              offsetof(GuestRegs, rsi) == GR_RSI && offsetof(GuestRegs, rdi) == GR_RDI &&
              offsetof(GuestRegs, rbp) == GR_RBP && offsetof(GuestRegs, rsp) == GR_RSP &&
              offsetof(GuestRegs, r8) == GR_R8 && offsetof(GuestRegs, r9) == GR_R9 &&
              offsetof(GuestRegs, r10) == GR_R10 && offsetof(GuestRegs, r11) == GR_R11 &&
              offsetof(GuestRegs, r12) == GR_R12 && offsetof(GuestRegs, r13) == GR_R13 &&
              offsetof(GuestRegs, r14) == GR_R14 && offsetof(GuestRegs, r15) == GR_R15 &&
              offsetof(GuestRegs, rip) == GR_RIP && offsetof(GuestRegs, rflags) == GR_RFLAGS,
              "guest_regs_offsets.h must match hv::GuestRegs");

namespace hv::arch {
namespace {

template <typename T>
uint64_t alias(T* p) {
  return reinterpret_cast<uint64_t>(p) + HV_ALIAS_BASE;
}

constexpr uint16_t kHvCode = 0x08;
constexpr uint16_t kHvData = 0x10;
constexpr uint16_t kTss = 0x18;
constexpr unsigned kGdtEntries = PVABI_GDT_FIRST_RESERVED_ENTRY + 8;

struct __attribute__((packed)) Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};

struct IdtGate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};

struct __attribute__((packed)) TablePointer {
  uint16_t limit;
  uint64_t base;
};

struct IretFrame {
  uint64_t rip, cs, rflags, rsp, ss;
};

alignas(16) uint64_t g_gdt[kGdtEntries];
alignas(16) Tss g_tss;
alignas(16) IdtGate g_idt[256];
alignas(16) uint8_t g_hv_stack[64 * 1024];
alignas(16) uint8_t g_trap_stack[16 * 1024];
alignas(16) IretFrame g_iret_frame;
GuestRegs g_discarded_regs;  // where an entry from ring 0 saves its registers
Vcpu* g_current = nullptr;
uint64_t g_preemptions[kMaxDomains];  // timer preemptions, by domain id
uint64_t g_entered_at = 0;

constexpr uint32_t kFsBase = 0xc0000100, kGsBase = 0xc0000101;

void wrmsr(uint32_t msr, uint64_t v) {
  asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(v)), "d"(static_cast<uint32_t>(v >> 32)));
}
uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (uint64_t{hi} << 32) | lo;
}
// The local APIC's one-shot timer preempts a guest after its slice; the
// hypervisor itself runs with interrupts off and the timer stopped.
constexpr uint64_t kApicBase = 0xfee00000;
constexpr unsigned kTimerVector = 32;
constexpr uint32_t kApicSvr = 0xf0, kApicEoi = 0xb0, kApicLvtTimer = 0x320, kApicInitialCount = 0x380,
                   kApicCurrentCount = 0x390, kApicDivide = 0x3e0;
uint64_t g_apic_timer_hz = 0;

void apic_write(uint32_t reg, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(kApicBase + reg) = v; }
uint32_t apic_read(uint32_t reg) { return *reinterpret_cast<volatile uint32_t*>(kApicBase + reg); }

// The timer's rate, counted against the (PIT-calibrated) TSC over 10 ms.
void init_timer() {
  apic_write(kApicSvr, 0x1ff);  // enabled; spurious vector 0xff
  apic_write(kApicDivide, 0x3);  // divide by 16
  apic_write(kApicLvtTimer, kTimerVector | (1u << 16));  // masked while counting
  apic_write(kApicInitialCount, 0xffffffffu);
  const uint64_t start = platform::read_tsc();
  while (platform::read_tsc() - start < platform::tsc_hz() / 100) asm volatile("pause");
  g_apic_timer_hz = uint64_t{0xffffffffu - apic_read(kApicCurrentCount)} * 100;
  apic_write(kApicInitialCount, 0);
  apic_write(kApicLvtTimer, kTimerVector);  // one-shot, unmasked
}

void arm_timer(uint64_t slice_ns) {
  const uint64_t count = slice_ns * (g_apic_timer_hz / 1000) / 1000000;
  apic_write(kApicInitialCount, static_cast<uint32_t>(count == 0 ? 1 : count > 0xffffffffu ? 0xffffffffu : count));
}

void stop_timer() { apic_write(kApicInitialCount, 0); }
void end_of_interrupt() { apic_write(kApicEoi, 0); }

uint64_t read_cr2() {
  uint64_t v;
  asm volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}

// SMEP: the hypervisor never executes a page guests can reach. (SMAP is
// left off: QEMU 7.2's emulation of it is unreliable.)
void enable_smep() {
  uint32_t a, b, c, d;
  asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
  if ((b & (1u << 7)) == 0) return;
  uint64_t cr4;
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 20)));
}

// An interrupt gate; dpl 3 lets ring 3 raise it with `int n`.
void set_gate(unsigned vector, uint64_t stub_alias, unsigned dpl = 0) {
  g_idt[vector] = IdtGate{static_cast<uint16_t>(stub_alias), kHvCode, 0, static_cast<uint8_t>(0x8e | dpl << 5),
                          static_cast<uint16_t>(stub_alias >> 16), static_cast<uint32_t>(stub_alias >> 32), 0};
}
void set_gate(unsigned vector, void (*stub)()) { set_gate(vector, alias(stub)); }

// `int n` from the guest enters the hypervisor through a DPL-3 gate for
// every vector the CPU never raises itself: int3 (#BP) and 33..254. The
// guest's trap table then decides (bounce_software_interrupt). Exception
// vectors and the timer keep DPL 0, so `int n` on them is a #GP: their
// stubs could not tell it from the real event. (Decoding the #GP instead
// would need the error code, which QEMU 7.2 gets wrong in 64-bit mode.)
constexpr unsigned kBreakpointVector = 3;
void set_soft_interrupt_gate(unsigned vector) {
  set_gate(vector, alias(soft_interrupt_stubs) + 16 * vector, 3);
}

// Enters v; a new turn starts its slice's clock and timer, a resumed one
// keeps both running.
[[noreturn]] void enter(Vcpu& v, bool new_turn) {
  g_current = &v;
  // A poll that blocked returns now, with how it ended (sched.h).
  if (int64_t result = 0; sched_take_poll_result(v, &result)) v.cpu.regs.rax = static_cast<uint64_t>(result);
  // A pending, unmasked event is taken on the way in (pvabi/event.h); a
  // guest without an event callback has asked for none.
  const pvabi_vcpu_info& info = v.info();
  if (info.upcall_pending != 0 && info.upcall_mask == 0) (void)bounce_event_upcall(v);
  GuestRegs& r = v.cpu.regs;
  // The guest's interrupt flag is its upcall mask; the CPU's stays on, and
  // IOPL stays 0 (iret and the bounces already keep them so).
  g_iret_frame = IretFrame{r.rip, uint64_t{r.cs}, (r.rflags | 0x202) & ~0x3000ull, r.rsp, uint64_t{r.ss}};
  const Mfn table = v.in_user_mode ? v.user_baseptr : v.kernel_baseptr;
  // The segment bases the guest set for the mode it enters: the CPU's are
  // shared by every vCPU, and a selector load in the guest may have changed
  // them (both checked canonical when set).
  wrmsr(kFsBase, v.cpu.fs_base);
  wrmsr(kGsBase, v.in_user_mode ? v.cpu.gs_base_user : v.cpu.gs_base_kernel);
  fpu_switch_to(v);
  if (new_turn) {
    g_entered_at = platform::read_tsc();
    arm_timer(sched_slice_ns());
  }
  auto* regs = reinterpret_cast<GuestRegs*>(alias(&r));
  entry_regs_ptr = regs;
  auto* go = reinterpret_cast<void (*)(GuestRegs*, uint64_t, void*)>(alias(&enter_guest));
  go(regs, table.address().value(), reinterpret_cast<void*>(alias(&g_iret_frame)));
  __builtin_unreachable();
}

// The scheduler's next vCPU; with none runnable, wait for the next timer
// or for console input, which may wake one.
[[noreturn]] void run_next() {
  for (;;) {
    forward_console_input();
    sched_run_timers(hypervisor_time_ns());
    if (Vcpu* v = sched_pick_next()) enter(*v, true);
    const uint64_t deadline = sched_next_timer_deadline();
    if (deadline == ~uint64_t{0}) report_and_exit();
    while (hypervisor_time_ns() < deadline && !forward_console_input()) asm volatile("pause");
  }
}

uint64_t ran_this_turn() { return platform::read_tsc() - g_entered_at; }

// A timer interrupt that came due while the hypervisor ran (interrupts off)
// is taken here, in ring 0, where it ends in run_next; left pending it would
// cut short the next guest's turn.
bool timer_interrupt_pending() {
  constexpr uint32_t kApicIrrOfTimer = 0x200 + 0x10 * (kTimerVector / 32);
  return (apic_read(kApicIrrOfTimer) & (1u << (kTimerVector % 32))) != 0;
}

// The full round: charge the turn (unless the vCPU's domain is gone), then
// the scheduler decides.
[[noreturn]] void reschedule() {
  stop_timer();
  if (g_current != nullptr && sched_current() == g_current) {
    sched_account(*g_current, ran_this_turn());
  } else if (g_current != nullptr) {
    fpu_forget(*g_current);  // its domain is gone
  }
  if (timer_interrupt_pending()) {
    entry_regs_ptr = reinterpret_cast<GuestRegs*>(alias(&g_discarded_regs));  // keep the vCPU's
    asm volatile("sti; nop; cli");
  }
  run_next();
}

// After an entry that did not end the turn: straight back into the same
// vCPU when the scheduler would pick it again anyway, its turn's clock and
// timer still running (a timer that fires meanwhile preempts it at once).
[[noreturn]] void resume_or_reschedule() {
  Vcpu& v = *g_current;
  if (sched_would_keep(v, ran_this_turn())) enter(v, false);
  reschedule();
}

// The current vCPU's registers as the entry left them: the general ones
// saved in place by entry.S, the rest from where the way in keeps them.
GuestRegs& take_guest_regs(uint64_t rip, uint16_t cs, uint64_t rflags, uint64_t rsp, uint16_t ss) {
  GuestRegs& r = g_current->cpu.regs;
  r.rip = rip;
  r.cs = cs;
  r.rflags = rflags;
  r.rsp = rsp;
  r.ss = ss;
  return r;
}

void report_shutdown(const Domain& d) {
  Text t;
  t << "hv-core: " << d.name << " shut down (reason " << uint64_t{d.shutdown_reason} << ")";
  serial_line(t.c_str());
}

// The vectors the CPU pushes an error code for (entry.S pushes 0 for the rest).
constexpr bool exception_has_error_code(uint64_t vector) {
  return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

// A store to a present, read-only page (not a reserved-bit fault, not a
// fetch) may be a page-table write the guest asked us to emulate
// (pt_write.h). The instruction is read from the guest: up to 15 bytes, or
// as many as its page holds when the next one is unreadable.
bool emulated_pt_write(Vcpu& v, uint64_t error, uint64_t cr2) {
  constexpr uint64_t kPresent = 1, kWrite = 2, kReserved = 8, kFetch = 16;
  if ((error & (kPresent | kWrite | kReserved | kFetch)) != (kPresent | kWrite) ||
      !v.domain->vm_assist_on(PVABI_VMASST_PT_WRITE_EMULATION)) {
    return false;
  }
  uint8_t insn[kMaxInsnBytes];
  const Gva rip{v.cpu.regs.rip};
  const size_t in_page = PVABI_PAGE_SIZE - rip.page_offset();
  size_t len = in_page < sizeof insn ? in_page : sizeof insn;
  if (copy_from_guest(v, rip, insn, len) != Status::kOk) return false;
  if (len < sizeof insn && copy_from_guest(v, rip + len, insn + len, sizeof insn - len) == Status::kOk) {
    len = sizeof insn;
  }
  return emulate_pt_write(v, Gva{cr2}, insn, len, v.cpu.regs) == Status::kOk;
}

// The error code and, for a page fault, CR2 are what a porter needs to see
// where an early kernel went wrong.
struct Fault {
  uint64_t error = 0;
  uint64_t cr2 = 0;
  bool has_error = false;
};

void crash(Vcpu& v, const char* why, uint64_t vector, uint64_t rip, Fault fault = {}) {
  Text t;
  t << "hv-core: " << v.domain->name << " crashed: " << why << ", vector " << vector << " at rip ";
  t.hex(rip);
  if (fault.has_error) {
    t << ", error ";
    t.hex(fault.error);
  }
  if (vector == PVABI_VECTOR_PAGE_FAULT) {
    t << ", address ";
    t.hex(fault.cr2);
  }
  serial_line(t.c_str());
  domain_shutdown(*v.domain, PVABI_SHUTDOWN_CRASH);
}

}  // namespace

void init_cpu_tables() {
  g_gdt[kHvCode / 8] = 0x00af9a000000ffffull;
  g_gdt[kHvData / 8] = 0x00cf92000000ffffull;
  const uint64_t tss = alias(&g_tss);
  g_gdt[kTss / 8] = (sizeof(Tss) - 1) | (tss & 0xffffff) << 16 | 0x89ull << 40 | ((tss >> 24) & 0xff) << 56;
  g_gdt[kTss / 8 + 1] = tss >> 32;
  g_gdt[PVABI_FLAT_CS32 >> 3] = 0x00cffa000000ffffull;  // ring 3, 32-bit code
  g_gdt[PVABI_FLAT_DS >> 3] = 0x00cff2000000ffffull;    // ring 3 data
  g_gdt[PVABI_FLAT_CS64 >> 3] = 0x00affa000000ffffull;  // ring 3, 64-bit code
  g_tss.rsp[0] = alias(g_trap_stack + sizeof g_trap_stack);
  g_tss.iomap_base = sizeof(Tss);
  const TablePointer gdt{sizeof g_gdt - 1, alias(g_gdt)};
  asm volatile(
      "lgdt %0\n"
      "pushq %1\n"
      "leaq 1f(%%rip), %%rax\n"
      "pushq %%rax\n"
      "lretq\n"
      "1: movw %w2, %%ds\n movw %w2, %%es\n movw %w2, %%ss\n"
      "ltr %w3\n"
      :
      : "m"(gdt), "i"(uint64_t{kHvCode}), "r"(kHvData), "r"(kTss)
      : "rax", "memory");
  void (*const stubs[])() = {exception_0,  exception_1,  exception_2,  exception_3,  exception_4,
                             exception_5,  exception_6,  exception_7,  exception_8,  exception_9,
                             exception_10, exception_11, exception_12, exception_13, exception_14,
                             exception_15, exception_16, exception_17, exception_18, exception_19};
  for (unsigned v = 0; v < sizeof stubs / sizeof stubs[0]; ++v) set_gate(v, stubs[v]);
  set_gate(kTimerVector, exception_32);
  set_soft_interrupt_gate(kBreakpointVector);
  for (unsigned v = kTimerVector + 1; v < 255; ++v) set_soft_interrupt_gate(v);
  const TablePointer idt{sizeof g_idt - 1, alias(g_idt)};
  asm volatile("lidt %0" : : "m"(idt));
  outb(0x21, 0xff);  // the legacy PICs stay masked: no device interrupts yet
  outb(0xa1, 0xff);
  constexpr uint32_t kEfer = 0xc0000080, kStar = 0xc0000081, kLstar = 0xc0000082, kFmask = 0xc0000084;
  wrmsr(kEfer, rdmsr(kEfer) | 1);  // SCE
  // syscall: cs 0x08, ss 0x10; sysret and iret: the flat ring-3 selectors.
  wrmsr(kStar, uint64_t{PVABI_FLAT_CS32 & ~3u} << 48 | uint64_t{kHvCode} << 32);
  wrmsr(kLstar, alias(&syscall_entry));
  wrmsr(kFmask, 0x47700);  // IF, TF, DF, NT, AC clear on entry
  asm volatile("mov %%cr3, %0" : "=r"(hv_cr3));
  hv_stack_top = reinterpret_cast<uint64_t>(g_hv_stack + sizeof g_hv_stack);
  entry_regs_ptr = reinterpret_cast<GuestRegs*>(alias(&g_discarded_regs));
  enable_smep();
  init_timer();
}

uint64_t preemptions(const Domain& d) { return g_preemptions[d.id.value()]; }

[[noreturn]] void run_guests() { run_next(); }

}  // namespace hv::arch

using namespace hv;

extern "C" void hv_syscall() {
  Vcpu& v = *arch::g_current;
  // syscall_entry saved every register in place, rip (syscall keeps it in
  // rcx) and rflags (r11) included; the selectors are the flat ones it ran with.
  GuestRegs& r = v.cpu.regs;
  if (v.in_user_mode) {
    if (bounce_syscall(v) != Status::kOk) arch::crash(v, "no syscall callback", PVABI_VECTOR_SYSCALL, r.rip);
  } else {
    const bool was_down = v.domain->shut_down;
    const HypercallArgs args{{r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9}};
    r.rax = static_cast<uint64_t>(hypercall(v, r.rax, args));
    if (v.domain->shut_down && !was_down) arch::report_shutdown(*v.domain);
  }
  arch::resume_or_reschedule();
}

extern "C" void hv_exception(uint64_t vector, uint64_t error, const uint64_t* frame) {
  const uint64_t cr2 = arch::read_cr2();
  if (vector == arch::kTimerVector && (frame[1] & 3) == 0) {  // late, in the hypervisor: nothing to preempt
    arch::end_of_interrupt();
    arch::run_next();
  }
  if ((frame[1] & 3) == 0 || arch::g_current == nullptr) {
    Text t;
    t << "hv-core: exception " << vector << " in the hypervisor at rip ";
    t.hex(frame[0]) << ", error " << error << ", cr2 ";
    t.hex(cr2);
    platform::panic("guest_entry.cc", 0, t.c_str());
  }
  Vcpu& v = *arch::g_current;
  // The CPU pushed rip, cs, rflags, rsp and ss.
  GuestRegs& r = arch::take_guest_regs(frame[0], static_cast<uint16_t>(frame[1]), frame[2], frame[3],
                                       static_cast<uint16_t>(frame[4]));
  if (vector == arch::kTimerVector) {  // the slice is over: the scheduler decides
    arch::end_of_interrupt();
    ++arch::g_preemptions[v.domain->id.value()];
    arch::reschedule();
  }
  if ((vector & SOFT_INTERRUPT) != 0) {
    // int3 is one byte (0xcc; the rare two-byte `int $3` is rewound by one
    // if refused); every other vector came from two-byte `int n`.
    const unsigned n = static_cast<unsigned>(vector & 0xff);
    if (bounce_software_interrupt(v, n, n == arch::kBreakpointVector ? 1 : 2) != Status::kOk) {
      arch::crash(v, "no handler for a software interrupt", n, r.rip);
    }
    arch::resume_or_reschedule();
  }
  if (vector == PVABI_VECTOR_PAGE_FAULT && arch::emulated_pt_write(v, error, cr2)) arch::resume_or_reschedule();
  if (bounce_exception(v, static_cast<unsigned>(vector), error, cr2) != Status::kOk) {
    arch::crash(v, "no handler for an exception", vector, r.rip, arch::Fault{error, cr2, arch::exception_has_error_code(vector)});
  }
  arch::resume_or_reschedule();
}
