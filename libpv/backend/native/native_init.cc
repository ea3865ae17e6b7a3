// Starting libpv on bare hardware (libpv/native.h): a shared info page of
// libpv's own, so the time and event code is the same as under the
// hypervisor.
#include <libpv/native.h>

#include <pvabi/time.hpp>

#include "native.h"
#include "native_cpu.h"
#include "state.h"

namespace libpv::native {
namespace {

struct Machine {
  uint64_t direct_map_base = 0;
  uint64_t nr_pages = 0;
};

constinit Machine g_machine;
alignas(PVABI_PAGE_SIZE) constinit pvabi_shared_info g_shared{};

// Every CPU's time info: system time 0 is now, and the TSC scale the kernel
// calibrated. Written once, before any reader: version 2 (even, settled).
void publish_time(uint32_t nr_cpus, uint64_t tsc_hz) {
  const pvabi::TscScale scale = pvabi::tsc_scale_for(tsc_hz);
  const uint64_t now = cpu::rdtsc();
  for (uint32_t i = 0; i < nr_cpus; ++i) {
    pvabi_vcpu_time_info& t = g_shared.vcpu_info[i].time;
    t.tsc_timestamp = now;
    t.system_time = 0;
    t.tsc_to_system_mul = scale.mul;
    t.tsc_shift = scale.shift;
    t.flags = PVABI_TIME_TSC_STABLE;
    __atomic_store_n(&t.version, 2u, __ATOMIC_RELEASE);
  }
}

}  // namespace

bool frame_ok(uint64_t frame) { return frame < g_machine.nr_pages; }

void* direct_map(uint64_t paddr) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(g_machine.direct_map_base + paddr));
}

}  // namespace libpv::native

using namespace libpv;

extern "C" int pv_native_init(const pv_native_config* config) {
  if (config == nullptr || config->tsc_hz == 0 || config->nr_cpus == 0 ||
      config->nr_cpus > PVABI_SHARED_INFO_VCPUS || config->nr_pages == 0) {
    return PVABI_EINVAL;
  }
  reset_state();
  native::g_machine = native::Machine{config->direct_map_base, config->nr_pages};
  native::g_shared = pvabi_shared_info{};
  for (pvabi_u64& m : native::g_shared.evtchn_mask) m = ~uint64_t{0};  // no event channels here
  for (pvabi_vcpu_info& v : native::g_shared.vcpu_info) v.upcall_mask = 1;
  native::publish_time(config->nr_cpus, config->tsc_hz);
  native::console_init();
  State& s = state();
  s.shared_info = &native::g_shared;
  s.identity_p2m = true;
  s.nr_pages = config->nr_pages;
  s.virt_base = config->direct_map_base;  // the direct map plays the builder's linear map
  s.limits.max_mmu_batch = PVABI_MMU_BATCH_MAX;
  s.limits.max_machine_frame = config->nr_pages;
  return PVABI_OK;
}

extern "C" void pv_native_set_wallclock(uint64_t sec, uint32_t nsec) {
  pvabi_wallclock& wc = native::g_shared.wallclock;
  // The same seqlock as the hypervisor's: odd while written.
  __atomic_store_n(&wc.version, wc.version + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&wc.sec, sec, __ATOMIC_RELAXED);
  __atomic_store_n(&wc.nsec, nsec, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&wc.version, wc.version + 1, __ATOMIC_RELAXED);
}
