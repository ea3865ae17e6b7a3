/*
 * pvabi/time.h: the three time sources, readable without a hypercall.
 *
 * System time: ns since the domain's boot clock started, extrapolated from
 * the TSC with a vCPU's struct pvabi_vcpu_time_info. Virtual time: how long
 * each vCPU has been running, runnable, blocked and offline
 * (struct pvabi_runstate_info). Wall clock: struct pvabi_wallclock is the
 * wall time at system time 0, so wall time = wallclock + system time.
 *
 * Every area is written under a version counter used as a seqlock: the
 * writer makes `version` odd, writes, then makes it even again. A reader:
 *
 *     do {
 *         v = t->version; read barrier;
 *         stamp = t->tsc_timestamp; base = t->system_time; ...
 *         read barrier;
 *     } while ((v & 1) || v != t->version);
 *     delta = rdtsc() - stamp;
 *     delta = shift >= 0 ? delta << shift : delta >> -shift;
 *     now = base + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
 */
#ifndef PVABI_TIME_H
#define PVABI_TIME_H

#include <pvabi/base.h>

struct pvabi_vcpu_time_info {
  uint32_t version;
  uint32_t _pad0;
  pvabi_u64 tsc_timestamp; /* TSC at the moment system_time was sampled */
  pvabi_u64 system_time;   /* ns */
  uint32_t tsc_to_system_mul; /* ns per TSC tick, as a 32.32 fraction */
  int8_t tsc_shift;
  uint8_t flags; /* PVABI_TIME_* */
  uint16_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_vcpu_time_info, 32, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, version, 0);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, _pad0, 4);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, tsc_timestamp, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, system_time, 16);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, tsc_to_system_mul, 24);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, tsc_shift, 28);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, flags, 29);
PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, _pad1, 30);
/* The TSC is synchronised across pCPUs: readings from two vCPUs compare. */
#define PVABI_TIME_TSC_STABLE 1u

struct pvabi_wallclock {
  uint32_t version;
  uint32_t nsec; /* < 1e9 */
  pvabi_u64 sec; /* seconds since 1970-01-01 UTC */
};
PVABI_ASSERT_SIZE(pvabi_wallclock, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_wallclock, version, 0);
PVABI_ASSERT_OFFSET(pvabi_wallclock, nsec, 4);
PVABI_ASSERT_OFFSET(pvabi_wallclock, sec, 8);

struct pvabi_runstate_info {
  uint32_t version;
  uint32_t state; /* PVABI_RUNSTATE_* */
  pvabi_u64 state_entry_time; /* system time when `state` was entered */
  pvabi_u64 time[4];          /* ns spent in each state, up to state_entry_time */
};
PVABI_ASSERT_SIZE(pvabi_runstate_info, 48, 8);
PVABI_ASSERT_OFFSET(pvabi_runstate_info, version, 0);
PVABI_ASSERT_OFFSET(pvabi_runstate_info, state, 4);
PVABI_ASSERT_OFFSET(pvabi_runstate_info, state_entry_time, 8);
PVABI_ASSERT_OFFSET(pvabi_runstate_info, time, 16);
#define PVABI_RUNSTATE_RUNNING 0  /* on a physical CPU */
#define PVABI_RUNSTATE_RUNNABLE 1 /* waiting for one */
#define PVABI_RUNSTATE_BLOCKED 2  /* waiting for an event */
#define PVABI_RUNSTATE_OFFLINE 3  /* down, or the domain paused */

#endif /* PVABI_TIME_H */
