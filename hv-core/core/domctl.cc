#include "domctl.h"

#include "cpu_checks.h"
#include "domain.h"
#include "domain_builder.h"
#include "elf_domain.h"
#include "elf_loader.h"
#include "grant.h"
#include "guest_access.h"
#include "sched.h"
#include "time.h"
#include "vcpu.h"

namespace hv {
namespace {

constexpr uint64_t kMaxWeight = 65535;

bool has_nul(const uint8_t* s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == 0) return true;
  }
  return false;
}

// ---- CREATE ----

Status check_create(const pvabi_domctl_create& c) {
  // In this order: memory_frames is bounded before it is multiplied.
  const bool sizes_ok = c.kernel_len > 0 && c.kernel_len <= kMaxKernelImageBytes && c.memory_frames > 0 &&
                        c.memory_frames <= c.max_frames && c.max_frames <= kMaxDomainFrames &&
                        c.module_len <= c.memory_frames * PVABI_PAGE_SIZE &&
                        c.cmdline_len < PVABI_START_INFO_CMDLINE_LEN;
  const bool config_ok = c.max_vcpus >= 1 && c.max_vcpus <= kMaxVcpus && c.weight <= kMaxWeight &&
                         (c.flags & ~PVABI_SIF_PRIVILEGED) == 0 && has_nul(c.name, sizeof c.name);
  return sizes_ok && config_ok && c._pad0 == 0 && c._pad1 == 0 ? Status::kOk : Status::kInvalid;
}

// The kernel image, copied into the hypervisor's memory.
struct StagedImage {
  uint8_t* bytes = nullptr;
  uint64_t size = 0;
  ~StagedImage() {
    if (bytes != nullptr) platform::free(bytes, size);
  }
};

Status stage_image(Vcpu& v, Gva src, uint64_t len, StagedImage& out) {
  out.bytes = static_cast<uint8_t*>(platform::alloc_zeroed(len));
  if (out.bytes == nullptr) return Status::kNoMemory;
  out.size = len;
  for (uint64_t done = 0; done < len;) {
    const uint64_t chunk = len - done < PVABI_PAGE_SIZE ? len - done : PVABI_PAGE_SIZE;
    if (const Status s = copy_from_guest(v, src + done, out.bytes + done, chunk); s != Status::kOk) return s;
    done += chunk;
  }
  return Status::kOk;
}

// Copies `len` bytes of the caller's memory at `src` into the new domain's
// address space at `dst`, a page at a time.
Status copy_between_guests(Vcpu& from, Gva src, Vcpu& to, Gva dst, uint64_t len) {
  for (uint64_t done = 0; done < len;) {
    const Gva at = dst + done;
    const uint64_t room = PVABI_PAGE_SIZE - at.page_offset();
    const uint64_t chunk = len - done < room ? len - done : room;
    const Result<Maddr> m = translate(to, at, true);
    if (!m.is_ok()) return m.status;
    uint8_t* target = platform::frame_memory(m.value.frame()) + m.value.page_offset();
    if (const Status s = copy_from_guest(from, src + done, target, chunk); s != Status::kOk) return s;
    done += chunk;
  }
  return Status::kOk;
}

Status load_module(Vcpu& caller, const pvabi_domctl_create& c, const ElfDomain& built) {
  if (c.module_len == 0) return Status::kOk;
  Vcpu& boot = *built.domain->vcpus[0];
  if (const Status s = copy_between_guests(caller, Gva{c.module_va}, boot, built.module, c.module_len);
      s != Status::kOk) {
    return s;
  }
  return name_module(built, c.module_len);
}

DomainConfig config_of(const pvabi_domctl_create& c) {
  DomainConfig dc;
  dc.name = reinterpret_cast<const char*>(c.name);
  dc.memory_frames = c.memory_frames;
  dc.max_frames = c.max_frames;
  dc.max_vcpus = c.max_vcpus;
  dc.weight = c.weight;
  dc.privileged = (c.flags & PVABI_SIF_PRIVILEGED) != 0;
  return dc;
}

Status create(Vcpu& v, Gva arg) {
  pvabi_domctl_create c;
  if (const Status s = read_guest(v, arg, &c); s != Status::kOk) return s;
  if (const Status s = check_create(c); s != Status::kOk) return s;
  char cmdline[PVABI_START_INFO_CMDLINE_LEN] = {};
  if (const Status s = copy_from_guest(v, Gva{c.cmdline_va}, cmdline, c.cmdline_len); s != Status::kOk) return s;
  StagedImage image;
  if (const Status s = stage_image(v, Gva{c.kernel_va}, c.kernel_len, image); s != Status::kOk) return s;
  ElfDomainSpec spec;
  spec.image = image.bytes;
  spec.image_size = image.size;
  spec.config = config_of(c);
  spec.cmdline = cmdline;
  spec.module_bytes = c.module_len;
  const Result<ElfDomain> built = create_domain_from_elf(spec);
  if (!built.is_ok()) return built.status;
  Status s = load_module(v, c, built.value);
  c.domid = built.value.domain->id.value();
  if (s == Status::kOk) s = write_guest(v, arg + offsetof(pvabi_domctl_create, domid), c.domid);
  if (s != Status::kOk) destroy_domain(built.value.domain);
  return s;
}

// ---- The others ----

// The domain a PAUSE, UNPAUSE or DESTROY names: never the caller (EINVAL).
Result<Domain*> other_domain(const Domain& caller, uint16_t domid) {
  if (domid == PVABI_DOMID_SELF || domid == caller.id.value()) return Result<Domain*>::error(Status::kInvalid);
  Domain* d = domain_by_id(DomId{domid});
  if (d == nullptr || d->dying) return Result<Domain*>::error(Status::kNoSuchDomain);
  return Result<Domain*>::ok(d);
}

Status pause_other(Domain& d) {
  domain_pause(d);
  return Status::kOk;
}

Status unpause_other(Domain& d) {
  if (d.pause_count == 0) return Status::kInvalid;
  domain_unpause(d);
  return Status::kOk;
}

Status destroy_other(Domain& d) {
  destroy_domain(&d);
  return Status::kOk;
}

Status on_other_domain(Vcpu& v, Gva arg, Status (*act)(Domain&)) {
  pvabi_domctl_domid id;
  if (const Status s = read_guest(v, arg, &id); s != Status::kOk) return s;
  if (id._pad0 != 0 || id._pad1 != 0) return Status::kInvalid;
  const Result<Domain*> d = other_domain(*v.domain, id.domid);
  return d.is_ok() ? act(*d.value) : d.status;
}

uint32_t info_flags(const Domain& d) {
  uint32_t up = 0, blocked = 0;
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    const Vcpu* vc = d.vcpus[i];
    if (vc == nullptr || !vc->up) continue;
    ++up;
    if (vc->sched.blocked) ++blocked;
  }
  uint32_t flags = 0;
  if (d.pause_count > 0) flags |= PVABI_DOMINFO_PAUSED;
  if (up > 0 && blocked == up) flags |= PVABI_DOMINFO_BLOCKED;
  if (d.shut_down) flags |= PVABI_DOMINFO_SHUTDOWN;
  if (d.privileged) flags |= PVABI_DOMINFO_PRIVILEGED;
  return flags;
}

void fill_info(const Domain& d, pvabi_domctl_info& info) {
  info.domid = d.id.value();
  info.flags = info_flags(d);
  info.shutdown_reason = d.shut_down ? d.shutdown_reason : 0;
  info.nr_vcpus_up = 0;
  info.cpu_time_ns = 0;
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    const Vcpu* vc = d.vcpus[i];
    if (vc == nullptr) continue;
    if (vc->up) ++info.nr_vcpus_up;
    info.cpu_time_ns += vcpu_running_ns(*vc);
  }
  info.nr_frames = d.nr_frames - 1 - grant_table_frames(d);  // less the shared info page
  static_assert(sizeof info.name == sizeof d.name);
  copy_bytes(info.name, d.name, sizeof info.name);
}

Status get_info(Vcpu& v, Gva arg) {
  pvabi_domctl_info info;
  if (const Status s = read_guest(v, arg, &info); s != Status::kOk) return s;
  if (info._pad0 != 0) return Status::kInvalid;
  const Domain* d = info.domid == PVABI_DOMID_SELF ? v.domain : domain_by_id(DomId{info.domid});
  if (d == nullptr || d->dying) return Status::kNoSuchDomain;
  fill_info(*d, info);
  return write_guest(v, arg, info);
}

}  // namespace

int64_t hc_domctl(Vcpu& v, const HypercallArgs& a) {
  const uint64_t cmd = a.a[0];
  const Gva arg{a.a[1]};
  if (cmd > PVABI_DOMCTL_GET_INFO) return PVABI_ENOSYS;
  if (!v.domain->privileged) return PVABI_EPERM;
  switch (cmd) {
    case PVABI_DOMCTL_CREATE: return raw(create(v, arg));
    case PVABI_DOMCTL_PAUSE: return raw(on_other_domain(v, arg, pause_other));
    case PVABI_DOMCTL_UNPAUSE: return raw(on_other_domain(v, arg, unpause_other));
    case PVABI_DOMCTL_DESTROY: return raw(on_other_domain(v, arg, destroy_other));
    default: return raw(get_info(v, arg));
  }
}

}  // namespace hv
