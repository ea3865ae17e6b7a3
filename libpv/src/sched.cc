// Scheduler operations (libpv/sched.h).
#include <libpv/sched.h>

#include "call.h"

using namespace libpv;

extern "C" int pv_sched_yield(void) { return status(hc(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_YIELD)); }

extern "C" int pv_sched_block(void) { return status(hc(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK)); }

extern "C" int pv_sched_shutdown(uint32_t reason) {
  pvabi_sched_shutdown arg{reason, 0};
  return status(hc(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, arg_in(&arg, sizeof arg)));
}

extern "C" int pv_sched_poll(const uint32_t* ports, uint32_t count, uint64_t timeout_ns) {
  // The hypervisor refuses more than PVABI_SCHED_POLL_MAX without reading them.
  const uint32_t readable = count < PVABI_SCHED_POLL_MAX ? count : PVABI_SCHED_POLL_MAX;
  pvabi_sched_poll arg{arg_in(ports, readable * sizeof *ports), count, 0, timeout_ns};
  return status(hc(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, arg_in(&arg, sizeof arg)));
}
