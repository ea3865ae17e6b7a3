// vCPU operations (libpv/vcpu.h).
#include <libpv/vcpu.h>

#include "call.h"

using namespace libpv;

namespace {

int vcpu_op(uint32_t cmd, uint32_t vcpu, uint64_t arg = 0) { return status(hc(PVABI_HC_VCPU_OP, cmd, vcpu, arg)); }

// The area registrations take a struct naming an address that stays in use.
int register_area(uint32_t cmd, uint32_t vcpu, const void* area) {
  pvabi_area_registration r{area == nullptr ? 0 : guest_va(area)};
  return vcpu_op(cmd, vcpu, arg_in(&r, sizeof r));
}

}  // namespace

extern "C" int pv_vcpu_initialise(uint32_t vcpu, const pvabi_vcpu_context* ctx) {
  return vcpu_op(PVABI_VCPUOP_INITIALISE, vcpu, arg_in(ctx, sizeof *ctx));
}

extern "C" int pv_vcpu_up(uint32_t vcpu) { return vcpu_op(PVABI_VCPUOP_UP, vcpu); }

extern "C" int pv_vcpu_down(uint32_t vcpu) { return vcpu_op(PVABI_VCPUOP_DOWN, vcpu); }

extern "C" int pv_vcpu_is_up(uint32_t vcpu) { return vcpu_op(PVABI_VCPUOP_IS_UP, vcpu); }

extern "C" int pv_vcpu_get_runstate(uint32_t vcpu, pvabi_runstate_info* out) {
  return vcpu_op(PVABI_VCPUOP_GET_RUNSTATE_INFO, vcpu, arg_out(out, sizeof *out));
}

extern "C" int pv_vcpu_register_runstate_area(uint32_t vcpu, pvabi_runstate_info* area) {
  return register_area(PVABI_VCPUOP_REGISTER_RUNSTATE_AREA, vcpu, area);
}

extern "C" int pv_vcpu_register_time_area(uint32_t vcpu, pvabi_vcpu_time_info* area) {
  return register_area(PVABI_VCPUOP_REGISTER_TIME_AREA, vcpu, area);
}
