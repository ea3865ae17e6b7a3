// hv-core/core/elf_domain.h: a new domain from a guest kernel's ELF image
// already in the hypervisor's memory: parse and check it (elf_loader.h),
// create the domain, build its address space with the image (and a module,
// e.g. an initial ramdisk, after it), load the segments, and set vCPU 0 at
// the entry point.
// Used by PVABI_DOMCTL_CREATE and by the bare-metal boot for its modules.
#ifndef HV_CORE_CORE_ELF_DOMAIN_H
#define HV_CORE_CORE_ELF_DOMAIN_H

#include "base.h"
#include "domain.h"
#include "domain_builder.h"
#include "elf_loader.h"

namespace hv {

struct ElfDomainSpec {
  const uint8_t* image = nullptr;  // hypervisor memory; not read after the call
  uint64_t image_size = 0;
  DomainConfig config;
  const char* cmdline = "";
  uint64_t module_bytes = 0;  // room left for a module after the kernel
  // The module's bytes in hypervisor memory (module_bytes of them): copied
  // in and named in start info (module_va, module_len). Without it only the
  // room is left, for a caller that copies it itself and names it with
  // name_module().
  const uint8_t* module = nullptr;
};

struct ElfDomain {
  Domain* domain = nullptr;
  ElfImage elf{};
  BuildResult layout{};
  Gva module;  // where the module goes (page-aligned), when module_bytes > 0
};

// The statuses of parse_elf (EINVAL, ENOSYS for a version or feature not
// offered), create_domain and build_address_space. On failure no domain
// exists and no frame is taken. The domain is left paused.
[[nodiscard]] Result<ElfDomain> create_domain_from_elf(const ElfDomainSpec& spec);

// Names the `len` bytes at built.module in the new domain's start info
// (module_va, module_len).
[[nodiscard]] Status name_module(const ElfDomain& built, uint64_t len);

}  // namespace hv

#endif  // HV_CORE_CORE_ELF_DOMAIN_H
