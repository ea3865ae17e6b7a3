#include "elf_domain.h"

#include "cpu_checks.h"
#include "guest_access.h"
#include "vcpu.h"

namespace hv {
namespace {

uint64_t pages_for(uint64_t bytes) { return (bytes + PVABI_PAGE_SIZE - 1) / PVABI_PAGE_SIZE; }

Status load_segments(Vcpu& boot, const ElfImage& elf, const uint8_t* image) {
  for (uint32_t i = 0; i < elf.nr_segments; ++i) {
    const ElfSegment& s = elf.segments[i];
    // The rest of the segment (bss) is already zero: frames come zeroed.
    const Gva at{elf.virt_base + s.load_offset};
    if (const Status st = copy_to_guest(boot, at, image + s.file_offset, s.file_size); st != Status::kOk) return st;
  }
  return Status::kOk;
}

Status load_module(Vcpu& boot, const ElfDomain& out, const ElfDomainSpec& spec) {
  if (spec.module == nullptr || spec.module_bytes == 0) return Status::kOk;
  if (const Status s = copy_to_guest(boot, out.module, spec.module, spec.module_bytes); s != Status::kOk) return s;
  return name_module(out, spec.module_bytes);
}

// Everything after create_domain: on failure the caller destroys the domain.
Status populate(ElfDomain& out, const ElfDomainSpec& spec) {
  if (spec.module_bytes > kElfMaxImageBytes) return Status::kInvalid;  // keeps pages_for from overflowing
  const uint64_t kernel_frames = pages_for(out.elf.image_bytes);
  BuildSpec build;
  build.virt_base = out.elf.virt_base;
  build.image_frames = kernel_frames + pages_for(spec.module_bytes);
  build.cmdline = spec.cmdline;
  const Result<BuildResult> built = build_address_space(*out.domain, build);
  if (!built.is_ok()) return built.status;
  out.layout = built.value;
  out.module = Gva{out.elf.virt_base + kernel_frames * PVABI_PAGE_SIZE};
  Vcpu& boot = *out.domain->vcpus[0];
  if (const Status s = load_segments(boot, out.elf, spec.image); s != Status::kOk) return s;
  if (const Status s = load_module(boot, out, spec); s != Status::kOk) return s;
  vcpu_boot(boot, out.elf.entry, out.layout.boot_stack_top.value(), out.layout.start_info.value());
  return Status::kOk;
}

}  // namespace

Status name_module(const ElfDomain& built, uint64_t len) {
  const pvabi_u64 where[2] = {built.module.value(), len};
  static_assert(offsetof(pvabi_start_info, module_len) == offsetof(pvabi_start_info, module_va) + 8);
  return copy_to_guest(*built.domain->vcpus[0], built.layout.start_info + offsetof(pvabi_start_info, module_va), where,
                       sizeof where);
}

Result<ElfDomain> create_domain_from_elf(const ElfDomainSpec& spec) {
  ElfDomain out;
  const Result<ElfImage> elf = parse_elf(spec.image, spec.image_size);
  if (!elf.is_ok()) return Result<ElfDomain>::error(elf.status);
  if (!is_guest_address(elf.value.entry)) return Result<ElfDomain>::error(Status::kInvalid);
  out.elf = elf.value;
  const Result<Domain*> d = create_domain(spec.config);
  if (!d.is_ok()) return Result<ElfDomain>::error(d.status);
  out.domain = d.value;
  if (const Status s = populate(out, spec); s != Status::kOk) {
    destroy_domain(d.value);
    return Result<ElfDomain>::error(s);
  }
  return Result<ElfDomain>::ok(out);
}

}  // namespace hv
