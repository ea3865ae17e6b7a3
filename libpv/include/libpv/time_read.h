/*
 * libpv/time_read.h: reading the time areas of pvabi/time.h without a
 * hypercall. Header-only and pure (no libpv state), so a vDSO compiles it
 * into user space over a mapped time area (PVABI_VCPUOP_REGISTER_TIME_AREA):
 *
 *     const struct pvabi_vcpu_time_info *t = vdso_time_page;
 *     uint64_t now = pv_time_read_system_ns(t, pv_rdtsc);
 *
 * Each reader retries while the hypervisor is writing (odd version) or
 * wrote meanwhile (version changed), as the seqlock in pvabi/time.h
 * requires; every field is loaded with an atomic load, so a reader never
 * tears a 64-bit field.
 */
#ifndef LIBPV_TIME_READ_H
#define LIBPV_TIME_READ_H

#include <pvabi/time.h>

#define PV_NS_PER_SEC 1000000000ull

/** pv_rdtsc: the TSC, read after every earlier load has completed (lfence). */
static inline uint64_t pv_rdtsc(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
  return ((uint64_t)hi << 32) | lo;
}

/**
 * pv_time_scale_delta: TSC ticks to ns with a time area's multiplier and
 * shift: (delta shifted by shift) * mul / 2^32, with two 64-bit products
 * instead of a 128-bit one (freestanding, and i386 has none). A shift
 * outside -63..63 gives 0.
 */
static inline uint64_t pv_time_scale_delta(uint64_t delta, uint32_t mul, int8_t shift) {
  if (shift > 63 || shift < -63) return 0;
  delta = shift >= 0 ? delta << shift : delta >> -shift;
  return (delta >> 32) * mul + (((delta & 0xffffffffu) * mul) >> 32);
}

/** pv_seq_begin: a seqlock read section starts: waits out an odd version, returns it. */
static inline uint32_t pv_seq_begin(const uint32_t *version) {
  uint32_t v;
  while ((v = __atomic_load_n(version, __ATOMIC_ACQUIRE)) & 1u) __asm__ __volatile__("pause");
  return v;
}

/** pv_seq_retry: nonzero if the section begun at version `v` must be read again. */
static inline int pv_seq_retry(const uint32_t *version, uint32_t v) {
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  return __atomic_load_n(version, __ATOMIC_RELAXED) != v;
}

/**
 * pv_time_read_system_ns: system time now (ns since the domain's boot) from
 * a vCPU time area, with `read_tsc` (pv_rdtsc, or a simulated clock) read
 * inside the section. A TSC behind the area's stamp counts as no time.
 */
static inline uint64_t pv_time_read_system_ns(const struct pvabi_vcpu_time_info *t,
                                              uint64_t (*read_tsc)(void)) {
  uint32_t v, mul;
  uint64_t stamp, base, tsc;
  int8_t shift;
  do {
    v = pv_seq_begin(&t->version);
    stamp = __atomic_load_n(&t->tsc_timestamp, __ATOMIC_RELAXED);
    base = __atomic_load_n(&t->system_time, __ATOMIC_RELAXED);
    mul = __atomic_load_n(&t->tsc_to_system_mul, __ATOMIC_RELAXED);
    shift = __atomic_load_n(&t->tsc_shift, __ATOMIC_RELAXED);
    tsc = read_tsc();
  } while (pv_seq_retry(&t->version, v));
  return base + pv_time_scale_delta(tsc > stamp ? tsc - stamp : 0, mul, shift);
}

/** pv_runstate_read: a consistent copy of a run-state area into *out. */
static inline void pv_runstate_read(const struct pvabi_runstate_info *rs,
                                    struct pvabi_runstate_info *out) {
  uint32_t v;
  unsigned i;
  do {
    v = pv_seq_begin(&rs->version);
    out->version = v;
    out->state = __atomic_load_n(&rs->state, __ATOMIC_RELAXED);
    out->state_entry_time = __atomic_load_n(&rs->state_entry_time, __ATOMIC_RELAXED);
    for (i = 0; i < 4; ++i) out->time[i] = __atomic_load_n(&rs->time[i], __ATOMIC_RELAXED);
  } while (pv_seq_retry(&rs->version, v));
}

/**
 * pv_runstate_running_ns: virtual time, the ns a vCPU has run, from a
 * consistent copy (pv_runstate_read) and system time `now_ns`: the time
 * recorded as RUNNING plus the current stint if it is running.
 */
static inline uint64_t pv_runstate_running_ns(const struct pvabi_runstate_info *rs, uint64_t now_ns) {
  uint64_t ran = rs->time[PVABI_RUNSTATE_RUNNING];
  if (rs->state == PVABI_RUNSTATE_RUNNING && now_ns > rs->state_entry_time)
    ran += now_ns - rs->state_entry_time;
  return ran;
}

/**
 * pv_wallclock_read_at: wall time (seconds since 1970 UTC and ns) at system
 * time `system_ns`: the wall clock base plus system time.
 */
static inline void pv_wallclock_read_at(const struct pvabi_wallclock *wc, uint64_t system_ns,
                                        uint64_t *sec, uint32_t *nsec) {
  uint32_t v, base_nsec;
  uint64_t base_sec, ns;
  do {
    v = pv_seq_begin(&wc->version);
    base_sec = __atomic_load_n(&wc->sec, __ATOMIC_RELAXED);
    base_nsec = __atomic_load_n(&wc->nsec, __ATOMIC_RELAXED);
  } while (pv_seq_retry(&wc->version, v));
  ns = base_nsec + system_ns % PV_NS_PER_SEC;
  *sec = base_sec + system_ns / PV_NS_PER_SEC + ns / PV_NS_PER_SEC;
  *nsec = (uint32_t)(ns % PV_NS_PER_SEC);
}

#endif /* LIBPV_TIME_READ_H */
