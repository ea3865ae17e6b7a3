/*
 * libpv/vcpu.h: bringing vCPUs up and down, and the areas a vCPU registers
 * (pvabi/vcpu.h).
 *
 *     static struct pvabi_runstate_info runstate[NR_CPUS];
 *     pv_vcpu_register_runstate_area(cpu, &runstate[cpu]);
 *     uint64_t ran = pv_time_virtual_ns(&runstate[cpu], cpu);   // libpv/time.h
 */
#ifndef LIBPV_VCPU_H
#define LIBPV_VCPU_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_vcpu_initialise: set the first context of offline vCPU `vcpu`.
 * status: as PVABI_VCPUOP_INITIALISE (PVABI_EEXIST, PVABI_EFAULT,
 *   PVABI_EINVAL, PVABI_ENOSYS, PVABI_ESRCH).
 */
PV_NODISCARD int pv_vcpu_initialise(uint32_t vcpu, const struct pvabi_vcpu_context *ctx);

/** pv_vcpu_up: make initialised vCPU `vcpu` runnable. status: as PVABI_VCPUOP_UP. */
PV_NODISCARD int pv_vcpu_up(uint32_t vcpu);

/** pv_vcpu_down: take `vcpu` offline. status: as PVABI_VCPUOP_DOWN. */
PV_NODISCARD int pv_vcpu_down(uint32_t vcpu);

/** pv_vcpu_is_up: 1 if `vcpu` is up, 0 if not; or PVABI_ESRCH. */
PV_NODISCARD int pv_vcpu_is_up(uint32_t vcpu);

/**
 * pv_vcpu_get_runstate: `vcpu`'s run state now, by hypercall.
 * out: *out. status: as PVABI_VCPUOP_GET_RUNSTATE_INFO.
 */
PV_NODISCARD int pv_vcpu_get_runstate(uint32_t vcpu, struct pvabi_runstate_info *out);

/**
 * pv_vcpu_register_runstate_area: keep *area up to date with `vcpu`'s run
 * state (NULL stops it). The area must be 8-aligned, within one page, and
 * stay mapped.
 * status: as PVABI_VCPUOP_REGISTER_RUNSTATE_AREA.
 */
PV_NODISCARD int pv_vcpu_register_runstate_area(uint32_t vcpu, struct pvabi_runstate_info *area);

/**
 * pv_vcpu_register_time_area: keep a copy of `vcpu`'s time info at *area,
 * for a page user space may map (a vDSO; NULL stops it).
 * status: as PVABI_VCPUOP_REGISTER_TIME_AREA (PVABI_ENOSYS without
 *   PVABI_FEATURE0_USER_TIME_AREA).
 */
PV_NODISCARD int pv_vcpu_register_time_area(uint32_t vcpu, struct pvabi_vcpu_time_info *area);

PV_END_DECLS

#endif /* LIBPV_VCPU_H */
