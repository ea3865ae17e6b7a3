/*
 * libpv/native.h: starting libpv on bare hardware at ring 0 (libpv_native.a
 * only), so one kernel runs with or without the hypervisor.
 *
 * The native backend does directly what the hypervisor would, where that
 * makes sense on one CPU at ring 0, and answers PVABI_ENOSYS otherwise:
 *
 *   done natively                               PVABI_ENOSYS
 *   console write/read: COM1 (port 0x3f8)       events (no event channels)
 *   mmu_update: writes the entry (CAS for       sched_op, set_timer_op, vcpu_op
 *     PRESERVE_AD); MACHPHYS only mfn == pfn    trap table, callbacks, stack switch,
 *   mmuext: pin/unpin (no-op), new base          GDT, descriptors, segment bases,
 *     pointer (mov cr3), local TLB flush,        FPU flag, iret
 *     local invlpg, copy/clear page             memory_op, grant_table_op, domctl
 *   update_va_mapping: walks from cr3,          version (there is no hypervisor)
 *     writes the L1 entry, local flush          mmuext: user base pointer, LDT,
 *   multicall: each entry in order                *_ALL flushes (need IPIs: the
 *   time: rdtsc with the calibrated scale          kernel's own shootdown)
 *
 * p2m and m2p are the identity (pseudo-physical = machine). Machine memory
 * is reached through the kernel's direct map.
 *
 *     struct pv_native_config c = {.direct_map_base = PAGE_OFFSET,
 *                                  .tsc_hz = calibrated_hz, .nr_cpus = 1};
 *     pv_native_init(&c);
 */
#ifndef LIBPV_NATIVE_H
#define LIBPV_NATIVE_H

#include <libpv/api.h>

PV_BEGIN_DECLS

struct pv_native_config {
  uint64_t direct_map_base; /* virtual address of physical address 0 */
  uint64_t nr_pages;        /* physical frames the kernel may name */
  uint64_t tsc_hz;          /* the TSC's rate, calibrated by the kernel (PIT, HPET, CPUID) */
  uint32_t nr_cpus;         /* <= PVABI_SHARED_INFO_VCPUS */
  uint32_t _pad0;
};

/**
 * pv_native_init: start libpv on bare hardware: a libpv-owned shared info
 * page with every CPU's time info (system time 0 = now) and all events
 * masked, and COM1 set to 115200 8N1.
 * status: PVABI_OK; PVABI_EINVAL (tsc_hz 0, nr_cpus 0 or too many, nr_pages 0).
 */
PV_NODISCARD int pv_native_init(const struct pv_native_config *config);

/** pv_native_set_wallclock: the wall time at system time 0 (from the RTC); nsec < 1e9. */
void pv_native_set_wallclock(uint64_t sec, uint32_t nsec);

PV_END_DECLS

#endif /* LIBPV_NATIVE_H */
