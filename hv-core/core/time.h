// hv-core/core/time.h: the three time sources of pvabi/time.h.
//
// Hypervisor time is ns since TSC 0: platform::read_tsc() scaled with
// pvabi::tsc_scale_for(platform::tsc_hz()). The scheduler's timers run on
// it. A domain's system time is hypervisor time less the moment the domain
// was created; each vCPU publishes it in its pvabi_vcpu_time_info
// (Vcpu::info().time), refreshed by update_vcpu_time() whenever the vCPU is
// scheduled. The wall clock (shared_info().wallclock) is the wall time at
// the domain's system time 0: the base of set_wallclock_base() plus the
// domain's creation time. Run state: the scheduler reports every change with
// runstate_change(), which keeps the ns each vCPU spent in every state.
//
// Every area a guest reads is written under its version seqlock
// (seqlock_write): odd while written. That includes the copies at guest
// addresses registered with PVABI_VCPUOP_REGISTER_RUNSTATE_AREA and
// _TIME_AREA, written through the vCPU's own kernel page tables; when such a
// copy faults (the guest unmapped it) the registration ends, quietly.
//
//     const uint64_t now = system_time_ns(v);
//     runstate_change(v, PVABI_RUNSTATE_BLOCKED);
#ifndef HV_CORE_CORE_TIME_H
#define HV_CORE_CORE_TIME_H

#include "base.h"

namespace hv {

class Domain;
class Vcpu;

struct VcpuTime {
  uint64_t boot_ns = 0;            // hypervisor time at the domain's system time 0
  pvabi_runstate_info runstate{};  // the master copy; `version` even between updates
  Gva runstate_area{0};            // registered guest copies; 0 = none
  Gva time_area{0};
};

// Writes under a seqlock: `version` is odd while `write()` runs.
template <typename F>
void seqlock_write(uint32_t* version, F&& write) {
  __atomic_store_n(version, __atomic_load_n(version, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  write();
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(version, __atomic_load_n(version, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

[[nodiscard]] uint64_t hypervisor_time_ns();
// The domain's system time now, and a system time as hypervisor time
// (saturating, for deadlines far in the future).
[[nodiscard]] uint64_t system_time_ns(const Vcpu& v);
[[nodiscard]] uint64_t to_hypervisor_time(const Vcpu& v, uint64_t system_ns);

// The wall time at hypervisor time 0 (the platform reads its RTC); updates
// every domain's wall clock. Until called: 2024-01-01T00:00:00Z.
void set_wallclock_base(uint64_t sec, uint32_t nsec);

// Lifecycle hook, called by domain.cc once the domain's vCPUs exist: their
// clocks start now, every vCPU OFFLINE.
void time_domain_created(Domain& d);

// Republishes the vCPU's time info (and its registered copy).
void update_vcpu_time(Vcpu& v);

// The vCPU enters PVABI_RUNSTATE_<state>; the time in the old state is added
// up. Nothing happens when it is in `state` already.
void runstate_change(Vcpu& v, uint32_t state);
// The run state as PVABI_VCPUOP_GET_RUNSTATE_INFO reports it.
void fill_runstate(const Vcpu& v, pvabi_runstate_info* out);
// ns the vCPU has been RUNNING, the current stint included.
[[nodiscard]] uint64_t vcpu_running_ns(const Vcpu& v);

// PVABI_VCPUOP_REGISTER_RUNSTATE_AREA / _TIME_AREA for vCPU `v`: gva 0 ends
// the registration. Otherwise EINVAL unless 8-aligned, the struct within one
// page and that page the domain's own; EFAULT unless mapped writable in v's
// kernel address space. On success the copy is written at once; on failure
// the old registration stays.
[[nodiscard]] Status register_runstate_area(Vcpu& v, uint64_t gva);
[[nodiscard]] Status register_time_area(Vcpu& v, uint64_t gva);

}  // namespace hv

#endif  // HV_CORE_CORE_TIME_H
