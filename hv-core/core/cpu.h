// hv-core/core/cpu.h: the de-privileged CPU of pvabi/cpu.h: trap table,
// callbacks, kernel stack, descriptor tables, segment bases, the FPU flag,
// iret and the bounce frames.
//
// A vCPU's register state lives in VcpuCpu::regs while the hypervisor runs
// on its behalf: the arch layer saves it there on entry and loads it on the
// way out; the host platform (tests, pvsim) reads and writes it directly.
// Hypercalls here change it (iret) and the bounces build guest frames from it:
//
//     if (bounce_exception(v, 14, error_code, cr2) != Status::kOk) crash the domain;
//     ... return to the guest with v.cpu.regs ...
#ifndef HV_CORE_CORE_CPU_H
#define HV_CORE_CORE_CPU_H

#include "hypercall.h"

namespace hv {

class Domain;

inline constexpr unsigned kTrapVectors = 256;

// The guest's registers, as saved on entry to the hypervisor.
struct GuestRegs {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip, rflags;
  uint16_t cs, ss;
};

// One trap-table entry in 8 bytes (a vCPU keeps two tables of 256): the low
// 48 bits of the handler's canonical address, the GDT index of its ring-3
// code selector (0: no handler), its DPL and whether it masks events.
class TrapGate {
 public:
  constexpr TrapGate() = default;
  // address canonical, cs a ring-3 GDT selector, flags as pvabi_trap_info's.
  [[nodiscard]] static constexpr TrapGate make(uint64_t address, uint16_t cs, uint8_t flags) {
    return TrapGate{(address & kAddressMask) | (uint64_t{cs} >> 3) << kIndexShift |
                    uint64_t{flags & (PVABI_TRAP_DPL_MASK | PVABI_TRAP_MASK_EVENTS)} << kFlagsShift};
  }
  [[nodiscard]] constexpr bool present() const { return selector_index() != 0; }
  [[nodiscard]] constexpr uint64_t address() const {
    return static_cast<uint64_t>(static_cast<int64_t>(bits_ << 16) >> 16);  // sign-extend bit 47
  }
  [[nodiscard]] constexpr uint16_t cs() const { return static_cast<uint16_t>(selector_index() << 3 | 3); }
  [[nodiscard]] constexpr unsigned dpl() const { return flags() & PVABI_TRAP_DPL_MASK; }
  [[nodiscard]] constexpr bool masks_events() const { return (flags() & PVABI_TRAP_MASK_EVENTS) != 0; }

 private:
  static constexpr uint64_t kAddressMask = (1ull << 48) - 1;
  static constexpr unsigned kIndexShift = 48;  // 13 bits
  static constexpr unsigned kFlagsShift = 61;  // 3 bits
  constexpr explicit TrapGate(uint64_t bits) : bits_(bits) {}
  [[nodiscard]] constexpr uint64_t selector_index() const { return (bits_ >> kIndexShift) & 0x1fff; }
  [[nodiscard]] constexpr unsigned flags() const { return static_cast<unsigned>(bits_ >> kFlagsShift); }
  uint64_t bits_ = 0;
};

struct GuestCallback {
  uint64_t address = 0;
  uint32_t flags = 0;  // PVABI_CALLBACK_MASK_EVENTS
  bool registered = false;
};
inline constexpr unsigned kCallbackTypes = PVABI_CALLBACK_SYSCALL + 1;

// The guest kernel stack of stack_switch; ss 0: none registered.
struct KernelStack {
  uint16_t ss = 0;
  uint64_t sp = 0;
};

// The guest's GDT: each frame holds a general and a descriptor-table type
// reference while it is installed.
struct GuestGdt {
  Mfn frames[PVABI_GDT_MAX_FRAMES] = {};
  uint32_t nr_frames = 0;
  uint32_t entries = 0;
};

// Where REGISTER_VCPU_INFO moved the vCPU's pvabi_vcpu_info: the frame holds
// a general and a writable type reference from then on.
struct MovedVcpuInfo {
  Mfn frame;
  uint32_t offset = 0;
  bool moved = false;
};

// The vCPU's x87 and SSE registers in the FXSAVE64 layout (512 bytes): the
// arch layer loads them when the vCPU starts to run in place of another one
// and saves them when another takes its place. The defaults are the state
// after FNINIT with MXCSR at its reset value and every register zero, which
// is how each vCPU starts.
struct alignas(16) FpuState {
  uint16_t fcw = 0x037f;  // exceptions masked, 64-bit precision, round to nearest
  uint16_t fsw = 0;
  uint8_t ftw = 0;        // abridged tag word: every register empty
  uint8_t _reserved0 = 0;
  uint16_t fop = 0;
  uint64_t fip = 0;
  uint64_t fdp = 0;
  uint32_t mxcsr = 0x1f80;  // SSE exceptions masked, round to nearest
  uint32_t mxcsr_mask = 0;  // ignored by FXRSTOR
  uint8_t st[8][16] = {};
  uint8_t xmm[16][16] = {};
  uint8_t _unused[96] = {};
};
static_assert(sizeof(FpuState) == 512 && alignof(FpuState) == 16, "the FXSAVE area");
static_assert(offsetof(FpuState, mxcsr) == 24 && offsetof(FpuState, st) == 32 && offsetof(FpuState, xmm) == 160,
              "the FXSAVE layout");

struct VcpuCpu {
  FpuState fpu;  // first: its 16-byte alignment costs no padding
  uint64_t ldt_base = 0;  // set by PVABI_MMUEXT_SET_LDT
  uint32_t ldt_entries = 0;
  GuestRegs regs = {};
  // set_trap_table builds the new table in the inactive half, then flips.
  TrapGate trap_tables[2][kTrapVectors] = {};
  uint8_t active_trap_table = 0;
  GuestCallback callbacks[kCallbackTypes] = {};
  KernelStack kernel_stack;
  GuestGdt gdt;
  uint64_t fs_base = 0;
  uint64_t gs_base_kernel = 0;
  uint64_t gs_base_user = 0;
  bool fpu_ts = false;  // the guest's CR0.TS: the arch layer sets the CPU's while the vCPU runs
  MovedVcpuInfo vcpu_info;
};

// ---- Hypercalls (statuses as pvabi/cpu.h documents them) ----

int64_t hc_set_trap_table(Vcpu& v, const HypercallArgs& args);
int64_t hc_callback_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_stack_switch(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_gdt(Vcpu& v, const HypercallArgs& args);
int64_t hc_update_descriptor(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_segment_base(Vcpu& v, const HypercallArgs& args);
int64_t hc_fpu_taskswitch(Vcpu& v, const HypercallArgs& args);
// Reads the pvabi_iret_frame at regs.rsp. Returns the value rax must hold
// afterwards (the frame's rax; the entry path stores the result in rax), or
// EFAULT. Beyond the header: EINVAL for a nonzero _pad0 or unknown flags, and
// for a frame it cannot return to when no failsafe callback is registered;
// every failure leaves the vCPU as it was. A frame it cannot return to (cs or
// ss not a ring-3 selector, rip not a guest address, rsp not canonical)
// enters the failsafe callback: rip = its address, cs = PVABI_FLAT_CS64, rsp
// unchanged (pointing at the rejected frame), kernel mode, events masked if
// it was registered with PVABI_CALLBACK_MASK_EVENTS. After unmasking, the
// caller delivers a pending upcall before it returns to the guest.
int64_t hc_iret(Vcpu& v, const HypercallArgs& args);

// ---- Bounces, for the arch layer and the host platform ----
//
// Each writes its frame (pvabi/cpu.h) below the stack: the registered kernel
// stack when the vCPU was in user mode (then switching it to kernel mode,
// setting PVABI_FRAME_FROM_USER), else the current rsp rounded down to 16.
// The handler is entered with rsp at the frame, rcx = rip and r11 = rflags
// (as sysret leaves them), TF/NT/RF cleared, and the upcall mask set if the
// entry asks; PVABI_FRAME_EVENTS_WERE_MASKED records the mask before.
// kNoEntry: no handler, or user mode with no kernel stack registered;
// kFault: the frame could not be written (a frame that crosses into an
// unwritable page may be partly written below the stack). Either way the
// vCPU's state is unchanged and the guest cannot continue: the caller
// crashes the domain.

// A vCPU exception `vector` (< 256) through the trap table; vector 14 gets
// the page-fault frame with `fault_addr` (ignored for other vectors). A
// delivered #NM (vector 7) clears the guest's TS flag (fpu_ts), as
// pvabi/cpu.h says.
[[nodiscard]] Status bounce_exception(Vcpu& v, unsigned vector, uint64_t error_code, uint64_t fault_addr);
// A software interrupt (`int n`, or int3 with insn_len 1) the vCPU raised;
// regs.rip is past the instruction. It goes through the trap table if the
// vector's DPL allows it from the vCPU's mode: DPL 3 from user mode, DPL 1
// to 3 from the guest kernel (as if it ran in ring 1: DPL 0 marks a vector
// no `int n` may raise). Otherwise it is a #GP (error code vector * 8 + 2,
// the IDT flag) at the instruction, as the CPU would raise it.
[[nodiscard]] Status bounce_software_interrupt(Vcpu& v, unsigned vector, unsigned insn_len);
// An event upcall through the EVENT callback; always masks events.
[[nodiscard]] Status bounce_event_upcall(Vcpu& v);
// A `syscall` from guest user mode (the vCPU must be in user mode) through
// the SYSCALL callback, vector PVABI_VECTOR_SYSCALL.
[[nodiscard]] Status bounce_syscall(Vcpu& v);

// ---- State other parts of the core use ----

// The handler for `vector` (< 256); !present() if none.
[[nodiscard]] TrapGate trap_gate(const VcpuCpu& cpu, unsigned vector);

// Installs a GDT of `entries` descriptors in the first ceil(entries / 512)
// of `frames`, then drops the old one's references. E2BIG (entries past
// PVABI_GDT_FIRST_RESERVED_ENTRY), EPERM (not owned or past the end of
// memory), EBUSY (another type in use, e.g. mapped writable), EINVAL (a
// descriptor); on failure the old GDT stays and no frame changes type.
[[nodiscard]] Status install_gdt(Vcpu& v, const uint64_t* frames, uint64_t entries);

// Descriptor-table frames (the GDT's here, the LDT's later): a general and a
// descriptor-table type reference. Taking the type first validates all 512
// descriptors, so a typed frame holds only valid ones. ERANGE, EPERM, EBUSY,
// EINVAL; on failure nothing is held.
[[nodiscard]] Status get_descriptor_frame(Domain& d, Mfn f);
void put_descriptor_frame(Domain& d, Mfn f);

// The vCPU's pvabi_vcpu_info if REGISTER_VCPU_INFO moved it, else nullptr.
// Vcpu::info() returns this when set.
[[nodiscard]] pvabi_vcpu_info* moved_vcpu_info(const VcpuCpu& cpu);
// Moves it to machine address `to` (64-aligned, in a frame of d's that the
// caller holds no reference for yet): takes a general and a writable type
// reference, copies the current contents. EINVAL if the frame is not the
// domain's or cannot be writable-typed.
[[nodiscard]] Status move_vcpu_info(Vcpu& v, Maddr to);

// Sets a vCPU's whole CPU state from a validated first context (vCPU
// INITIALISE; the GDT and base pointers are installed by the caller). The
// trap table starts empty, events masked as c.flags says.
void cpu_load_context(Vcpu& v, const pvabi_vcpu_context& c);

// Lifecycle hook, called by domain.cc before a vCPU is freed (also for a
// partly created domain): drops every reference the CPU state holds.
void cpu_vcpu_teardown(Vcpu& v);

}  // namespace hv

#endif  // HV_CORE_CORE_CPU_H
