/*
 * pvabi/sched.h: giving up the CPU, blocking, polling, shutdown and the
 * one-shot timer.
 *
 *     pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK, 0);  // until an event
 *     struct pvabi_sched_shutdown s = {PVABI_SHUTDOWN_POWEROFF, 0};
 *     pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, (uint64_t)&s);
 */
#ifndef PVABI_SCHED_H
#define PVABI_SCHED_H

#include <pvabi/base.h>

/**
 * PVABI_HC_SCHED_OP(PVABI_SCHEDOP_YIELD, 0): let another runnable vCPU run.
 * The caller stays runnable and is scheduled again by the normal policy.
 * status: PVABI_OK.
 */
#define PVABI_SCHEDOP_YIELD 0
/**
 * PVABI_HC_SCHED_OP(PVABI_SCHEDOP_BLOCK, 0): sleep until an event is pending.
 * Clears the vCPU's upcall mask and blocks, atomically, so an event that
 * arrives between the guest's check and the call is not lost; returns at
 * once if upcall_pending is already set. The upcall is taken on return.
 * status: PVABI_OK.
 */
#define PVABI_SCHEDOP_BLOCK 1
/**
 * PVABI_HC_SCHED_OP(PVABI_SCHEDOP_SHUTDOWN, arg): stop the domain.
 * in: arg = guest address of a struct pvabi_sched_shutdown.
 * out: does not return on success; the domain's vCPUs stop, and its reason
 *   is reported to the control domain (and on the hypervisor console).
 * status: PVABI_EFAULT; PVABI_EINVAL (unknown reason or _pad0 not zero).
 *   On failure the domain keeps running.
 */
#define PVABI_SCHEDOP_SHUTDOWN 2
/**
 * PVABI_HC_SCHED_OP(PVABI_SCHEDOP_POLL, arg): block until one of a set of
 * ports is pending, or a timeout.
 * in: arg = guest address of a struct pvabi_sched_poll: ports = guest
 *   address of `count` uint32_t ports bound in this domain (count <=
 *   PVABI_SCHED_POLL_MAX); timeout = absolute system time in ns, 0 = none.
 *   Does not need the upcall: the ports may be masked.
 * status: PVABI_OK (a port is pending, possibly at once); PVABI_EAGAIN
 *   (timeout passed); PVABI_EFAULT; PVABI_E2BIG; PVABI_EINVAL (_pad0, or
 *   count 0); PVABI_ERANGE (a port number not allocated).
 */
#define PVABI_SCHEDOP_POLL 3
#define PVABI_SCHED_POLL_MAX 128

struct pvabi_sched_shutdown {
  uint32_t reason; /* PVABI_SHUTDOWN_* */
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_sched_shutdown, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_sched_shutdown, reason, 0);
PVABI_ASSERT_OFFSET(pvabi_sched_shutdown, _pad0, 4);
#define PVABI_SHUTDOWN_POWEROFF 0
#define PVABI_SHUTDOWN_REBOOT 1
#define PVABI_SHUTDOWN_SUSPEND 2
#define PVABI_SHUTDOWN_CRASH 3
#define PVABI_SHUTDOWN_WATCHDOG 4

struct pvabi_sched_poll {
  pvabi_u64 ports;
  uint32_t count;
  uint32_t _pad0;
  pvabi_u64 timeout;
};
PVABI_ASSERT_SIZE(pvabi_sched_poll, 24, 8);
PVABI_ASSERT_OFFSET(pvabi_sched_poll, ports, 0);
PVABI_ASSERT_OFFSET(pvabi_sched_poll, count, 8);
PVABI_ASSERT_OFFSET(pvabi_sched_poll, _pad0, 12);
PVABI_ASSERT_OFFSET(pvabi_sched_poll, timeout, 16);

/**
 * PVABI_HC_SET_TIMER_OP(deadline): arm this vCPU's one-shot timer.
 * in: deadline = absolute system time in ns; 0 cancels the timer. A
 *   deadline already passed fires at once. When it fires, the vCPU's
 *   PVABI_VIRQ_TIMER port becomes pending (if bound).
 * status: PVABI_OK. There is no failure.
 */

#endif /* PVABI_SCHED_H */
