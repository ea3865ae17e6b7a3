#include "cpu.h"

#include "cpu_checks.h"
#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "invariants.h"

namespace hv {
namespace {

constexpr uint64_t kRflagsFixed = 1ull << 1;  // always reads as 1
constexpr uint64_t kRflagsTf = 1ull << 8;
constexpr uint64_t kRflagsIf = 1ull << 9;
constexpr uint64_t kRflagsNt = 1ull << 14;
constexpr uint64_t kRflagsRf = 1ull << 16;
constexpr uint64_t kRflagsVm = 1ull << 17;
// What iret takes from the guest: CF, PF, AF, ZF, SF, TF, DF, OF, AC, ID.
// IOPL, NT, RF, VM and the virtual-interrupt bits stay clear, and IF is
// forced on: the guest's interrupt flag is its upcall mask.
constexpr uint64_t kGuestRflags = 0x240dd5;
constexpr uint64_t kIretFlags = PVABI_IRET_UNMASK_EVENTS | PVABI_IRET_TO_USER;
constexpr unsigned kDeviceNotAvailable = 7;  // #NM

static_assert(sizeof(pvabi_exception_frame) % 16 == 0 && sizeof(pvabi_page_fault_frame) % 16 == 0 &&
              sizeof(pvabi_event_upcall_frame) % 16 == 0, "bounce frames keep the stack 16-byte aligned");

// ---- Trap table ----

uint8_t inactive_trap_table(const VcpuCpu& c) { return c.active_trap_table == 0 ? 1 : 0; }

void clear_trap_table(TrapGate* table) {
  for (unsigned i = 0; i < kTrapVectors; ++i) table[i] = TrapGate{};
}

// Adds one guest entry to `table`. Vector 2 (NMI) is refused, and so is a
// vector listed twice: the call replaces the whole table, so there is no
// "later entry wins".
Status add_trap(const pvabi_trap_info& t, TrapGate* table) {
  if (t.vector == 2 || (t.flags & ~(PVABI_TRAP_DPL_MASK | PVABI_TRAP_MASK_EVENTS)) != 0 || t._pad0 != 0 ||
      !is_guest_selector(t.cs, SelectorUse::kCode) || !is_guest_address(t.address) ||
      table[t.vector].present()) {
    return Status::kInvalid;
  }
  table[t.vector] = TrapGate::make(t.address, t.cs, t.flags);
  return Status::kOk;
}

// ---- Descriptor tables ----

bool holds_only_guest_descriptors(Mfn f) {
  const uint64_t* d = table_entries(f);
  for (uint64_t i = 0; i < kDescriptorsPerFrame; ++i) {
    if (!is_guest_descriptor(load_entry(&d[i]))) return false;
  }
  return true;
}

void release_gdt(Domain& d, const GuestGdt& gdt) {
  for (uint32_t i = 0; i < gdt.nr_frames; ++i) put_descriptor_frame(d, gdt.frames[i]);
}

// ---- Entering the guest ----

// Where the vCPU continues: a trap handler or a callback.
struct Handler {
  uint64_t rip;
  uint16_t cs;
  bool masks_events;
};

Handler callback_handler(const GuestCallback& cb, bool always_mask) {
  return Handler{cb.address, PVABI_FLAT_CS64, always_mask || (cb.flags & PVABI_CALLBACK_MASK_EVENTS) != 0};
}

// Switches the vCPU to `h` in kernel mode, its stack at `sp`.
void enter_handler(Vcpu& v, const Handler& h, uint16_t ss, uint64_t sp) {
  GuestRegs& r = v.cpu.regs;
  v.in_user_mode = false;
  if (h.masks_events) v.info().upcall_mask = 1;
  r.rip = h.rip;
  r.cs = h.cs;
  r.ss = ss;
  r.rsp = sp;
  r.rflags = (r.rflags & ~(kRflagsTf | kRflagsNt | kRflagsRf | kRflagsVm)) | kRflagsIf | kRflagsFixed;
  // The return to the guest is a sysret, which leaves these.
  r.rcx = r.rip;
  r.r11 = r.rflags;
}

// A bounce frame's place on the guest kernel stack, the stack segment the
// handler runs with, and the PVABI_FRAME_* flags the frame records.
struct BounceSite {
  Gva frame;
  uint16_t ss = 0;
  uint32_t flags = 0;
};

Result<BounceSite> bounce_site(Vcpu& v, size_t frame_size) {
  const VcpuCpu& c = v.cpu;
  const uint32_t masked = v.info().upcall_mask != 0 ? PVABI_FRAME_EVENTS_WERE_MASKED : 0;
  if (!v.in_user_mode) {
    return Result<BounceSite>::ok(BounceSite{Gva{(c.regs.rsp & ~15ull) - frame_size}, c.regs.ss, masked});
  }
  if (c.kernel_stack.ss == 0) return Result<BounceSite>::error(Status::kNoEntry);
  return Result<BounceSite>::ok(
      BounceSite{Gva{c.kernel_stack.sp - frame_size}, c.kernel_stack.ss, masked | PVABI_FRAME_FROM_USER});
}

// The interrupted state, as the exception and upcall frames both record it.
template <typename Frame>
void record_interrupted(const GuestRegs& r, uint32_t flags, Frame& f) {
  f.rcx = r.rcx;
  f.r11 = r.r11;
  f.rip = r.rip;
  f.cs = r.cs;
  f.rflags = r.rflags;
  f.rsp = r.rsp;
  f.ss = r.ss;
  f.flags = flags;
}

pvabi_exception_frame exception_frame(const GuestRegs& r, const BounceSite& site, uint32_t vector,
                                      uint64_t error_code) {
  pvabi_exception_frame f{};
  record_interrupted(r, site.flags, f);
  f.error_code = error_code;
  f.vector = vector;
  return f;
}

// Writes the frame, then enters the handler; nothing changes if the write faults.
template <typename Frame>
Status deliver(Vcpu& v, const BounceSite& site, const Frame& frame, const Handler& h) {
  if (const Status s = write_guest(v, site.frame, frame); s != Status::kOk) return s;
  enter_handler(v, h, site.ss, site.frame.value());
  return Status::kOk;
}

// ---- iret ----

bool can_return_to(const pvabi_iret_frame& f) {
  return is_guest_selector(f.cs, SelectorUse::kCode) && is_guest_selector(f.ss, SelectorUse::kData) &&
         is_guest_address(f.rip) && Gva{f.rsp}.canonical();
}

void return_to(Vcpu& v, const pvabi_iret_frame& f) {
  GuestRegs& r = v.cpu.regs;
  r.rax = f.rax;
  r.rcx = f.rcx;
  r.r11 = f.r11;
  r.rip = f.rip;
  r.cs = static_cast<uint16_t>(f.cs);
  r.rflags = (f.rflags & kGuestRflags) | kRflagsIf | kRflagsFixed;
  r.rsp = f.rsp;
  r.ss = static_cast<uint16_t>(f.ss);
  v.in_user_mode = (f.flags & PVABI_IRET_TO_USER) != 0;
  if ((f.flags & PVABI_IRET_UNMASK_EVENTS) != 0) v.info().upcall_mask = 0;
}

void set_callback(GuestCallback& cb, uint64_t address) {
  cb = address == 0 ? GuestCallback{} : GuestCallback{address, 0, true};
}

}  // namespace

// ---- Hypercalls ----

int64_t hc_set_trap_table(Vcpu& v, const HypercallArgs& a) {
  const Gva list{a.a[0]};
  const uint64_t count = a.a[1];
  if (count > kTrapVectors) return PVABI_E2BIG;
  TrapGate* next = v.cpu.trap_tables[inactive_trap_table(v.cpu)];
  clear_trap_table(next);
  for (uint64_t i = 0; i < count; ++i) {
    pvabi_trap_info t;
    if (const Status s = read_guest(v, list + i * sizeof t, &t); s != Status::kOk) return raw(s);
    if (const Status s = add_trap(t, next); s != Status::kOk) return raw(s);
  }
  v.cpu.active_trap_table = inactive_trap_table(v.cpu);
  return PVABI_OK;
}

int64_t hc_callback_op(Vcpu& v, const HypercallArgs& a) {
  const uint64_t cmd = a.a[0];
  const Gva arg{a.a[1]};
  if (cmd == PVABI_CALLBACKOP_UNREGISTER) {
    uint32_t type = 0;
    if (const Status s = read_guest(v, arg + offsetof(pvabi_callback, type), &type); s != Status::kOk) return raw(s);
    if (type >= kCallbackTypes) return PVABI_EINVAL;
    v.cpu.callbacks[type] = GuestCallback{};
    return PVABI_OK;
  }
  if (cmd != PVABI_CALLBACKOP_REGISTER) return PVABI_ENOSYS;
  pvabi_callback cb;
  if (const Status s = read_guest(v, arg, &cb); s != Status::kOk) return raw(s);
  if (cb.type >= kCallbackTypes || (cb.flags & ~PVABI_CALLBACK_MASK_EVENTS) != 0 ||
      !is_guest_address(cb.address)) {
    return PVABI_EINVAL;
  }
  v.cpu.callbacks[cb.type] = GuestCallback{cb.address, cb.flags, true};
  return PVABI_OK;
}

int64_t hc_stack_switch(Vcpu& v, const HypercallArgs& a) {
  const uint64_t ss = a.a[0];
  const uint64_t sp = a.a[1];
  if (!is_guest_selector(ss, SelectorUse::kData) || !is_kernel_stack_pointer(sp)) return PVABI_EINVAL;
  v.cpu.kernel_stack = KernelStack{static_cast<uint16_t>(ss), sp};
  return PVABI_OK;
}

int64_t hc_set_gdt(Vcpu& v, const HypercallArgs& a) {
  const uint64_t entries = a.a[1];
  if (entries > PVABI_GDT_FIRST_RESERVED_ENTRY) return PVABI_E2BIG;
  uint64_t frames[PVABI_GDT_MAX_FRAMES] = {};
  if (const Status s = copy_from_guest(v, Gva{a.a[0]}, frames, gdt_frames_for(entries) * sizeof frames[0]);
      s != Status::kOk) {
    return raw(s);
  }
  return raw(install_gdt(v, frames, entries));
}

int64_t hc_update_descriptor(Vcpu& v, const HypercallArgs& a) {
  const Maddr at{a.a[0]};
  const uint64_t desc = a.a[1];
  if ((at.value() & 7) != 0) return PVABI_EINVAL;
  const Mfn f = at.frame();
  FrameTable& ft = frame_table();
  if (!ft.in_range(f)) return PVABI_ERANGE;
  const FrameInfo& fi = ft.info(f);
  if (fi.owner != v.domain->id.value()) return PVABI_EPERM;
  if (fi.type != FrameType::kDescriptorTable && fi.type != FrameType::kNone) return PVABI_EBUSY;
  if (!is_guest_descriptor(desc)) return PVABI_EINVAL;
  __atomic_store_n(&table_entries(f)[at.page_offset() / 8], desc, __ATOMIC_RELAXED);
  return PVABI_OK;
}

int64_t hc_set_segment_base(Vcpu& v, const HypercallArgs& a) {
  const uint64_t base = a.a[1];
  uint64_t* slot = nullptr;
  switch (a.a[0]) {
    case PVABI_SEGBASE_FS: slot = &v.cpu.fs_base; break;
    case PVABI_SEGBASE_GS_USER: slot = &v.cpu.gs_base_user; break;
    case PVABI_SEGBASE_GS_KERNEL: slot = &v.cpu.gs_base_kernel; break;
    default: return PVABI_EINVAL;
  }
  if (!Gva{base}.canonical()) return PVABI_EINVAL;
  *slot = base;
  return PVABI_OK;
}

int64_t hc_fpu_taskswitch(Vcpu& v, const HypercallArgs& a) {
  if (a.a[0] > 1) return PVABI_EINVAL;
  v.cpu.fpu_ts = a.a[0] == 1;
  return PVABI_OK;
}

int64_t hc_iret(Vcpu& v, const HypercallArgs&) {
  GuestRegs& r = v.cpu.regs;
  pvabi_iret_frame f;
  if (const Status s = read_guest(v, Gva{r.rsp}, &f); s != Status::kOk) return raw(s);
  if (f._pad0 != 0 || (f.flags & ~kIretFlags) != 0) return PVABI_EINVAL;
  if (can_return_to(f)) {
    return_to(v, f);
  } else {
    const GuestCallback& failsafe = v.cpu.callbacks[PVABI_CALLBACK_FAILSAFE];
    if (!failsafe.registered) return PVABI_EINVAL;
    enter_handler(v, callback_handler(failsafe, false), r.ss, r.rsp);
  }
  return static_cast<int64_t>(r.rax);
}

// ---- Bounces ----

Status bounce_exception(Vcpu& v, unsigned vector, uint64_t error_code, uint64_t fault_addr) {
  const TrapGate gate = trap_gate(v.cpu, vector);
  if (!gate.present()) return Status::kNoEntry;
  const Handler h{gate.address(), gate.cs(), gate.masks_events()};
  const bool page_fault = vector == PVABI_VECTOR_PAGE_FAULT;
  const Result<BounceSite> site =
      bounce_site(v, page_fault ? sizeof(pvabi_page_fault_frame) : sizeof(pvabi_exception_frame));
  if (!site.is_ok()) return site.status;
  const pvabi_exception_frame f = exception_frame(v.cpu.regs, site.value, vector, error_code);
  if (!page_fault) {
    const Status s = deliver(v, site.value, f, h);
    // The handler may touch the FPU to switch state in (pvabi/cpu.h).
    if (s == Status::kOk && vector == kDeviceNotAvailable) v.cpu.fpu_ts = false;
    return s;
  }
  pvabi_page_fault_frame pf{};
  pf.fault_addr = fault_addr;
  pf.frame = f;
  return deliver(v, site.value, pf, h);
}

Status bounce_software_interrupt(Vcpu& v, unsigned vector, unsigned insn_len) {
  constexpr unsigned kGeneralProtection = 13;
  constexpr unsigned kGuestKernelRing = 1;
  constexpr unsigned kUserRing = 3;
  const TrapGate gate = trap_gate(v.cpu, vector);
  if (gate.present() && gate.dpl() >= (v.in_user_mode ? kUserRing : kGuestKernelRing)) {
    return bounce_exception(v, vector, 0, 0);
  }
  GuestRegs& r = v.cpu.regs;
  const uint64_t after = r.rip;
  r.rip -= insn_len;
  const Status s = bounce_exception(v, kGeneralProtection, uint64_t{vector} * 8 + 2, 0);
  if (s != Status::kOk) r.rip = after;
  return s;
}

Status bounce_event_upcall(Vcpu& v) {
  const GuestCallback& cb = v.cpu.callbacks[PVABI_CALLBACK_EVENT];
  if (!cb.registered) return Status::kNoEntry;
  const Result<BounceSite> site = bounce_site(v, sizeof(pvabi_event_upcall_frame));
  if (!site.is_ok()) return site.status;
  pvabi_event_upcall_frame f{};
  record_interrupted(v.cpu.regs, site.value.flags, f);
  return deliver(v, site.value, f, callback_handler(cb, true));
}

Status bounce_syscall(Vcpu& v) {
  HV_CHECK(v.in_user_mode);  // a syscall from the guest kernel is a hypercall
  const GuestCallback& cb = v.cpu.callbacks[PVABI_CALLBACK_SYSCALL];
  if (!cb.registered) return Status::kNoEntry;
  const Result<BounceSite> site = bounce_site(v, sizeof(pvabi_exception_frame));
  if (!site.is_ok()) return site.status;
  const pvabi_exception_frame f = exception_frame(v.cpu.regs, site.value, PVABI_VECTOR_SYSCALL, 0);
  return deliver(v, site.value, f, callback_handler(cb, false));
}

// ---- State for the rest of the core ----

TrapGate trap_gate(const VcpuCpu& cpu, unsigned vector) {
  HV_CHECK(vector < kTrapVectors);
  return cpu.trap_tables[cpu.active_trap_table][vector];
}

Status get_descriptor_frame(Domain& d, Mfn f) {
  FrameTable& ft = frame_table();
  if (const Status s = ft.get_ref(d, f); s != Status::kOk) return s;
  if (const Status s = ft.get_type(d, f, FrameType::kDescriptorTable); s != Status::kOk) {
    ft.put_ref(f);
    return s;
  }
  // The first type reference: no writable mapping is left, so what the
  // frame holds now is what the CPU will read.
  if (ft.info(f).type_count == 1 && !holds_only_guest_descriptors(f)) {
    put_descriptor_frame(d, f);
    return Status::kInvalid;
  }
  return Status::kOk;
}

void put_descriptor_frame(Domain& d, Mfn f) {
  frame_table().put_type(d, f);
  frame_table().put_ref(f);
}

Status install_gdt(Vcpu& v, const uint64_t* frames, uint64_t entries) {
  if (entries > PVABI_GDT_FIRST_RESERVED_ENTRY) return Status::kTooBig;
  Domain& d = *v.domain;
  GuestGdt next;
  next.entries = static_cast<uint32_t>(entries);
  for (; next.nr_frames < gdt_frames_for(entries); ++next.nr_frames) {
    const Mfn f{frames[next.nr_frames]};
    if (const Status s = get_descriptor_frame(d, f); s != Status::kOk) {
      release_gdt(d, next);
      return s == Status::kOutOfRange ? Status::kNotPermitted : s;  // no such frame: not the domain's
    }
    next.frames[next.nr_frames] = f;
  }
  const GuestGdt old = v.cpu.gdt;
  v.cpu.gdt = next;
  release_gdt(d, old);
  return Status::kOk;
}

pvabi_vcpu_info* moved_vcpu_info(const VcpuCpu& cpu) {
  if (!cpu.vcpu_info.moved) return nullptr;
  return reinterpret_cast<pvabi_vcpu_info*>(platform::frame_memory(cpu.vcpu_info.frame) + cpu.vcpu_info.offset);
}

Status move_vcpu_info(Vcpu& v, Maddr to) {
  // Aligned to its size, so it cannot cross a page.
  HV_CHECK(!v.cpu.vcpu_info.moved && to.value() % sizeof(pvabi_vcpu_info) == 0);
  Domain& d = *v.domain;
  FrameTable& ft = frame_table();
  const Mfn f = to.frame();
  if (ft.get_ref(d, f) != Status::kOk) return Status::kInvalid;
  if (ft.get_type(d, f, FrameType::kWritable) != Status::kOk) {
    ft.put_ref(f);
    return Status::kInvalid;
  }
  const pvabi_vcpu_info current = v.info();
  v.cpu.vcpu_info = MovedVcpuInfo{f, static_cast<uint32_t>(to.page_offset()), true};
  *moved_vcpu_info(v.cpu) = current;
  return Status::kOk;
}

void cpu_load_context(Vcpu& v, const pvabi_vcpu_context& c) {
  VcpuCpu& cpu = v.cpu;
  cpu.regs = GuestRegs{};
  cpu.regs.rip = c.rip;
  cpu.regs.rsp = c.rsp;
  cpu.regs.rdi = c.rdi;
  cpu.regs.rsi = c.rsi;
  cpu.regs.cs = PVABI_FLAT_CS64;
  cpu.regs.ss = static_cast<uint16_t>(c.kernel_ss);
  cpu.regs.rflags = kRflagsIf | kRflagsFixed;
  clear_trap_table(cpu.trap_tables[cpu.active_trap_table]);
  set_callback(cpu.callbacks[PVABI_CALLBACK_EVENT], c.event_callback);
  set_callback(cpu.callbacks[PVABI_CALLBACK_FAILSAFE], c.failsafe_callback);
  set_callback(cpu.callbacks[PVABI_CALLBACK_SYSCALL], c.syscall_callback);
  cpu.kernel_stack = KernelStack{static_cast<uint16_t>(c.kernel_ss), c.kernel_sp};
  cpu.fs_base = c.fs_base;
  cpu.gs_base_kernel = c.gs_base_kernel;
  cpu.gs_base_user = c.gs_base_user;
  cpu.fpu = FpuState{};
  cpu.fpu_ts = false;
  v.in_user_mode = false;
  v.info().upcall_mask = (c.flags & PVABI_VCPU_CONTEXT_EVENTS_MASKED) != 0 ? 1 : 0;
}

void cpu_vcpu_teardown(Vcpu& v) {
  HV_CHECK(v.domain != nullptr);
  Domain& d = *v.domain;
  release_gdt(d, v.cpu.gdt);
  v.cpu.gdt = GuestGdt{};
  if (v.cpu.vcpu_info.moved) {
    frame_table().put_type(d, v.cpu.vcpu_info.frame);
    frame_table().put_ref(v.cpu.vcpu_info.frame);
    v.cpu.vcpu_info = MovedVcpuInfo{};
  }
}

void cpu_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context) {
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    const Vcpu* v = d.vcpus[i];
    if (v == nullptr) continue;
    for (uint32_t f = 0; f < v->cpu.gdt.nr_frames; ++f) {
      visit(context, HeldReference{v->cpu.gdt.frames[f], FrameType::kDescriptorTable});
    }
    if (v->cpu.vcpu_info.moved) visit(context, HeldReference{v->cpu.vcpu_info.frame, FrameType::kWritable});
  }
}

}  // namespace hv
