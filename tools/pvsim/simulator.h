// tools/pvsim/simulator.h: the host "machine" of pvsim: N domains built by
// the real domain builder, each running a workload as its guest kernel, on
// one simulated physical CPU driven by the core's own scheduler and timers.
#ifndef PVABI_TOOLS_PVSIM_SIMULATOR_H
#define PVABI_TOOLS_PVSIM_SIMULATOR_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim_guest.h"
#include "workload.h"

namespace pvsim {

struct SimConfig {
  std::string workload = "mixed";
  uint64_t domains = 4;
  uint64_t frames_per_domain = 32;
  uint64_t iterations = 100;           // per domain, workload-defined
  uint64_t time_limit_ns = 10ull * 1000 * 1000 * 1000;
  bool echo_console = true;
  SimOptions options;
};

struct DomainRow {
  std::string name;
  std::string workload;
  uint16_t domid = 0;
  uint64_t run_ns = 0;
  uint64_t hypercalls = 0;
  uint64_t mmu_updates = 0;
  uint64_t events_sent = 0;
  uint64_t events_delivered = 0;
  uint64_t operations = 0;
  uint64_t refusals = 0;
  std::string exit;  // "poweroff", "crash", ..., or "running"
};

struct SimResult {
  std::vector<DomainRow> rows;
  uint64_t simulated_ns = 0;
  uint64_t scheduler_decisions = 0;
  bool all_exited = false;
  bool invariants_ok = true;
};

// Builds the machine and runs it; returns nullptr-free results or an error
// message in `error`.
SimResult run_simulation(const SimConfig& config, std::string* error);

}  // namespace pvsim

#endif  // PVABI_TOOLS_PVSIM_SIMULATOR_H
