#include "vcpu.h"

#include "cpu_checks.h"
#include "domain.h"
#include "guest_access.h"
#include "mmu.h"
#include "vcpu_hooks.h"
#include "version.h"

namespace hv {
namespace {

bool is_callback_address(uint64_t va) { return va == 0 || is_guest_address(va); }

// The GDT fields: entries within the guest's part, frames past those used zero.
bool is_valid_gdt(const pvabi_vcpu_context& c) {
  if (c.gdt_entries > PVABI_GDT_FIRST_RESERVED_ENTRY) return false;
  for (uint64_t i = gdt_frames_for(c.gdt_entries); i < PVABI_GDT_MAX_FRAMES; ++i) {
    if (c.gdt_frames[i] != 0) return false;
  }
  return true;
}

// Every field of a first context but those that need references (the base
// pointers and GDT frames are checked as they are taken).
bool is_valid_context(const pvabi_vcpu_context& c) {
  return is_guest_address(c.rip) && Gva{c.rsp}.canonical() && is_guest_selector(c.kernel_ss, SelectorUse::kData) &&
         is_kernel_stack_pointer(c.kernel_sp) && c.kernel_baseptr != 0 && is_callback_address(c.event_callback) &&
         is_callback_address(c.failsafe_callback) && is_callback_address(c.syscall_callback) &&
         Gva{c.fs_base}.canonical() && Gva{c.gs_base_kernel}.canonical() && Gva{c.gs_base_user}.canonical() &&
         is_valid_gdt(c) && (c.flags & ~PVABI_VCPU_CONTEXT_EVENTS_MASKED) == 0;
}

// vCPU 0 of a built domain holds the builder's kernel base pointer even if
// nothing called vcpu_boot: it has its context all the same.
bool is_initialised(const Vcpu& t) { return t.initialised || t.kernel_baseptr != kNoFrame; }

Status initialise(Vcpu& caller, Vcpu& t, Gva arg) {
  if (is_initialised(t)) return Status::kExists;
  pvabi_vcpu_context c;
  if (const Status s = read_guest(caller, arg, &c); s != Status::kOk) return s;
  if (!is_valid_context(c)) return Status::kInvalid;
  // The references, each validated as it is taken; a failure lets go of
  // those already held, so the vCPU is left as it was.
  if (set_baseptr(t, Mfn{c.kernel_baseptr}, false) != Status::kOk) return Status::kInvalid;
  if ((c.user_baseptr != 0 && set_baseptr(t, Mfn{c.user_baseptr}, true) != Status::kOk) ||
      install_gdt(t, c.gdt_frames, c.gdt_entries) != Status::kOk) {
    clear_baseptrs(t);
    return Status::kInvalid;
  }
  cpu_load_context(t, c);
  t.initialised = true;
  return Status::kOk;
}

Status bring_up(Vcpu& t) {
  if (t.up) return Status::kOk;
  if (!is_initialised(t)) return Status::kInvalid;
  sched_vcpu_up(t);
  return Status::kOk;
}

bool another_vcpu_up(const Domain& d, const Vcpu& t) {
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    if (d.vcpus[i] != &t && d.vcpus[i]->up) return true;
  }
  return false;
}

Status take_down(Vcpu& t) {
  if (!t.up) return Status::kOk;
  if (!another_vcpu_up(*t.domain, t)) return Status::kInvalid;  // the guest shuts down instead
  sched_vcpu_down(t);
  return Status::kOk;
}

Status get_runstate_info(Vcpu& caller, Vcpu& t, Gva arg) {
  pvabi_runstate_info info{};
  fill_runstate(t, &info);
  return write_guest(caller, arg, info);
}

using AreaHook = Status (*)(Vcpu& v, uint64_t gva);

// The hook validates the address: alignment, page, ownership, mapping.
Status register_area(Vcpu& caller, Vcpu& t, Gva arg, AreaHook hook) {
  pvabi_area_registration r;
  if (const Status s = read_guest(caller, arg, &r); s != Status::kOk) return s;
  return hook(t, r.address);
}

Status register_vcpu_info(Vcpu& caller, Vcpu& t, Gva arg) {
  pvabi_area_registration r;
  if (const Status s = read_guest(caller, arg, &r); s != Status::kOk) return s;
  // Aligned to its size (64), so it cannot cross a page.
  if (r.address == 0 || !is_guest_address(r.address) || r.address % sizeof(pvabi_vcpu_info) != 0) {
    return Status::kInvalid;
  }
  if (t.cpu.vcpu_info.moved) return Status::kExists;
  const Result<Maddr> at = translate(caller, Gva{r.address}, true);
  if (!at.is_ok()) return at.status;
  return move_vcpu_info(t, at.value);
}

}  // namespace

int64_t hc_vcpu_op(Vcpu& v, const HypercallArgs& a) {
  const uint64_t cmd = a.a[0];
  const uint64_t id = a.a[1];
  const Gva arg{a.a[2]};
  Domain& d = *v.domain;
  if (id >= d.max_vcpus) return PVABI_ESRCH;
  HV_CHECK(d.vcpus[id] != nullptr);  // a domain has all its vCPUs or does not exist
  Vcpu& t = *d.vcpus[id];
  switch (cmd) {
    case PVABI_VCPUOP_INITIALISE: return raw(initialise(v, t, arg));
    case PVABI_VCPUOP_UP: return raw(bring_up(t));
    case PVABI_VCPUOP_DOWN: return raw(take_down(t));
    case PVABI_VCPUOP_IS_UP: return t.up ? 1 : 0;
    case PVABI_VCPUOP_GET_RUNSTATE_INFO: return raw(get_runstate_info(v, t, arg));
    case PVABI_VCPUOP_REGISTER_RUNSTATE_AREA:
      return raw(register_area(v, t, arg, register_runstate_area));
    case PVABI_VCPUOP_REGISTER_TIME_AREA:
      if ((feature_word(0) & PVABI_FEATURE0_USER_TIME_AREA) == 0) return PVABI_ENOSYS;
      return raw(register_area(v, t, arg, register_time_area));
    case PVABI_VCPUOP_REGISTER_VCPU_INFO: return raw(register_vcpu_info(v, t, arg));
    default: return PVABI_ENOSYS;
  }
}

void vcpu_boot(Vcpu& v, uint64_t entry, uint64_t stack_top, uint64_t start_info) {
  HV_CHECK(!v.initialised && v.kernel_baseptr != kNoFrame && is_guest_address(entry) &&
           is_kernel_stack_pointer(stack_top));
  pvabi_vcpu_context c{};
  c.rip = entry;
  c.rsp = stack_top;
  c.rsi = start_info;
  c.kernel_ss = PVABI_FLAT_SS;
  c.kernel_sp = stack_top;
  c.flags = PVABI_VCPU_CONTEXT_EVENTS_MASKED;
  cpu_load_context(v, c);
  v.initialised = true;
  if (!v.up) sched_vcpu_up(v);
}

}  // namespace hv
