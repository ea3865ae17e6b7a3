// hv-core/core/version.h: PVABI_HC_VERSION: the interface version, the
// feature words this hypervisor offers, and a domain's limits.
#ifndef HV_CORE_CORE_VERSION_H
#define HV_CORE_CORE_VERSION_H

#include "hypercall.h"

namespace hv {

// Feature word `index` as offered to guests (0 past the last word).
[[nodiscard]] uint32_t feature_word(uint32_t index);

int64_t hc_version(Vcpu& v, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_VERSION_H
