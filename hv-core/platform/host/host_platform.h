// hv-core/platform/host/host_platform.h: the host platform: simulated machine
// memory, a simulated TSC (1 tick = 1 ns), counted TLB flushes, captured
// consoles and a preemption knob, so tests, fuzzers and pvsim drive the real
// core in an ordinary process.
#ifndef HV_CORE_PLATFORM_HOST_HOST_PLATFORM_H
#define HV_CORE_PLATFORM_HOST_HOST_PLATFORM_H

#include <cstdint>
#include <string>
#include <vector>

#include "pvabi/types.hpp"

namespace hv::host {

struct MachineConfig {
  uint64_t frames = 16384;          // 64 MiB of machine memory
  uint64_t hypervisor_frames = 16;  // frames [0, this) are never handed out
  bool echo_console = false;        // also print console lines to stdout
};

// Creates the machine and initialises the core on it, once per process:
// later calls do nothing (tests that need a fresh machine use reset_machine()).
void init_machine(const MachineConfig& config);
// Destroys every domain and starts over with a fresh machine of the same size.
void reset_machine();

void advance_tsc(uint64_t ticks);

struct ConsoleLine {
  uint16_t domain;
  std::string name;
  std::string text;
};
const std::vector<ConsoleLine>& console_lines();
void clear_console_lines();

uint64_t tlb_flushes(pvabi::DomId domain);  // full flushes, plus invlpgs
uint64_t total_tlb_flushes();

// preemption_requested() answers true on its n-th call from now (1 = the
// next call), then false again. 0 disables.
void request_preemption_after(uint64_t calls);

}  // namespace hv::host

#endif  // HV_CORE_PLATFORM_HOST_HOST_PLATFORM_H
