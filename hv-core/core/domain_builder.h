// hv-core/core/domain_builder.h: builds a new domain's first address space,
// as pvabi/shared.h describes for start info: every pseudo-physical frame
// mapped at virt_base + pfn * 4096 (page tables read-only), then start info,
// the pseudo-physical-to-machine list, a boot stack, the hypercall page and
// the initial page tables, pinned as an L4 through the same validation as
// any guest table, and installed as vCPU 0's kernel base pointer.
#ifndef HV_CORE_CORE_DOMAIN_BUILDER_H
#define HV_CORE_CORE_DOMAIN_BUILDER_H

#include "base.h"

namespace hv {

class Domain;

struct BuildSpec {
  uint64_t virt_base = 0xffffffff80000000ull;  // 1 GiB aligned
  uint64_t image_frames = 0;  // pfns [0, image_frames) hold the kernel image
  const char* cmdline = "";
  uint32_t console_port = 0;
  uint32_t boot_stack_frames = 4;
};

struct BuildResult {
  Gva start_info;
  Gva shared_info;
  Gva hypercall_page;
  Gva boot_stack_top;
  Gva first_free;       // first mapped address past what the builder used
  uint64_t first_free_pfn = 0;
  Mfn l4;
};

// EINVAL if the spec does not fit the domain's memory; on failure the
// domain's frames are as they were (the caller destroys it).
[[nodiscard]] Result<BuildResult> build_address_space(Domain& d, const BuildSpec& spec);

// The machine frame of a pseudo-physical frame of a domain the builder set up.
[[nodiscard]] Mfn builder_p2m(const Domain& d, uint64_t pfn);

}  // namespace hv

#endif  // HV_CORE_CORE_DOMAIN_BUILDER_H
