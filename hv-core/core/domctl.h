// hv-core/core/domctl.h: PVABI_HC_DOMCTL, domain control for a privileged
// domain (pvabi/domctl.h).
//
// CREATE copies the kernel image out of the caller's memory into a buffer of
// the hypervisor's (at most kMaxKernelImageBytes) before parsing it, so the
// caller cannot change it between the checks and the load; parse_elf
// (elf_loader.h) checks it. The new domain's pseudo-physical memory holds
// the kernel image from pfn 0, then the module (if any) from the next page
// boundary; the domain builder maps both at the image's virt_base and adds
// start info after them; vCPU 0 starts at the image's entry point. Any
// failure after create_domain destroys the half-made domain, so no frame is
// left taken. The domain stays paused until PVABI_DOMCTL_UNPAUSE.
//
// GET_INFO's nr_frames counts the domain's memory reservation: the frames
// it owns less the shared info page and its grant-table frames.
#ifndef HV_CORE_CORE_DOMCTL_H
#define HV_CORE_CORE_DOMCTL_H

#include "hypercall.h"

namespace hv {

inline constexpr uint64_t kMaxKernelImageBytes = 64ull << 20;
// memory_frames and max_frames above this are EINVAL (the m2p's size).
inline constexpr uint64_t kMaxDomainFrames = PVABI_M2P_MAX_ENTRIES;

int64_t hc_domctl(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_DOMCTL_H
