/*
 * libpv/sched.h: giving up the CPU, waiting for events, and shutting down
 * (pvabi/sched.h).
 *
 *     while (!work_pending()) pv_sched_block();   // upcall runs on return
 *     pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF);  // returns only on failure
 */
#ifndef LIBPV_SCHED_H
#define LIBPV_SCHED_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/** pv_sched_yield: let another runnable vCPU run. status: PVABI_OK. */
PV_NODISCARD int pv_sched_yield(void);

/**
 * pv_sched_block: unmask upcalls and sleep until an event is pending
 * (atomically: an event that arrived just before is not lost).
 * status: PVABI_OK.
 */
PV_NODISCARD int pv_sched_block(void);

/**
 * pv_sched_shutdown: stop the domain with PVABI_SHUTDOWN_<reason>.
 * out: does not return on success.
 * status: PVABI_EINVAL (reason); PVABI_EFAULT.
 */
PV_NODISCARD int pv_sched_shutdown(uint32_t reason);

/**
 * pv_sched_poll: block until one of `count` ports is pending, or system
 * time `timeout_ns` (0: no timeout). The ports may be masked.
 * status: PVABI_OK (a port is pending); PVABI_EAGAIN (timed out);
 *   PVABI_E2BIG, PVABI_EINVAL (count), PVABI_ERANGE (a port), PVABI_EFAULT.
 */
PV_NODISCARD int pv_sched_poll(const uint32_t *ports, uint32_t count, uint64_t timeout_ns);

PV_END_DECLS

#endif /* LIBPV_SCHED_H */
