/*
 * libpv/time.h: the three time sources of pvabi/time.h, and the one-shot
 * timer.
 *
 * System time and the wall clock come from the shared info page; virtual
 * time from a run-state area the guest registered (pv_vcpu_register_runstate_area,
 * libpv/vcpu.h). None of them makes a hypercall; the pure readers they are
 * built on are in libpv/time_read.h, for a vDSO.
 *
 *     uint64_t now = pv_time_system_ns(cpu);
 *     pv_set_timer(now + 1000000);   // PVABI_VIRQ_TIMER fires in 1 ms
 */
#ifndef LIBPV_TIME_H
#define LIBPV_TIME_H

#include <libpv/api.h>
#include <libpv/time_read.h>

PV_BEGIN_DECLS

/** pv_time_system_ns: system time now, in ns, from vCPU `vcpu`'s time info (0 before pv_init or for a bad vcpu). */
uint64_t pv_time_system_ns(uint32_t vcpu);

/** pv_time_wallclock: wall time now (seconds since 1970 UTC, ns), as seen from vCPU `vcpu`. */
void pv_time_wallclock(uint32_t vcpu, uint64_t *sec, uint32_t *nsec);

/**
 * pv_time_virtual_ns: ns vCPU `vcpu` has been running, from its registered
 * run-state area `area` and system time now.
 */
uint64_t pv_time_virtual_ns(const struct pvabi_runstate_info *area, uint32_t vcpu);

/**
 * pv_set_timer: arm this vCPU's one-shot timer for absolute system time
 * `deadline_ns` (0 cancels; a past deadline fires at once). When it fires,
 * the vCPU's PVABI_VIRQ_TIMER port becomes pending.
 * status: PVABI_OK (the operation has no failure); PVABI_ENOSYS on a core
 *   or backend without it.
 */
PV_NODISCARD int pv_set_timer(uint64_t deadline_ns);

/** pv_set_timer_after: pv_set_timer(now + delay_ns) with now from vCPU `vcpu` (saturating). */
PV_NODISCARD int pv_set_timer_after(uint32_t vcpu, uint64_t delay_ns);

PV_END_DECLS

#endif /* LIBPV_TIME_H */
