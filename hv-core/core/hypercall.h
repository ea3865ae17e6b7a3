// hv-core/core/hypercall.h: the hypercall entry of the portable core. The
// arch layer (or the host platform) decodes the registers into a number and
// six arguments and calls hypercall(); the value it returns goes back in rax.
#ifndef HV_CORE_CORE_HYPERCALL_H
#define HV_CORE_CORE_HYPERCALL_H

#include "base.h"

namespace hv {

class Vcpu;

struct HypercallArgs {
  uint64_t a[6];
};

using HypercallHandler = int64_t (*)(Vcpu& v, const HypercallArgs& args);

[[nodiscard]] int64_t hypercall(Vcpu& v, uint64_t number, const HypercallArgs& args);

}  // namespace hv

#endif  // HV_CORE_CORE_HYPERCALL_H
