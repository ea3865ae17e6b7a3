// pvsim: runs the real hv-core on the host platform: N domains, each with a
// workload as its guest kernel, on one simulated CPU. Prints each domain's
// console, then a per-domain table and totals.
//
//   pvsim --workload=demo --domains=4
//   pvsim --workload=mixed --domains=10000 --iterations=20 --console=false
//   pvsim --workload=pagetable --domains=8 --check   # invariant checker after every hypercall
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "simulator.h"

ABSL_FLAG(std::string, workload, "mixed", "pagetable, pingpong, timers, mixed or demo");
ABSL_FLAG(uint64_t, domains, 4, "number of domains");
ABSL_FLAG(uint64_t, iterations, 100, "work per domain (page-table builds, round trips, timers)");
ABSL_FLAG(uint64_t, frames, 32, "memory frames per domain");
ABSL_FLAG(double, seconds, 10, "simulated time limit");
ABSL_FLAG(bool, check, false, "run the invariant checker after every hypercall");
ABSL_FLAG(bool, console, true, "print the domains' console output");
ABSL_FLAG(uint64_t, table_rows, 40, "at most this many domains in the table (totals cover all)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("simulate hv-core with many domains on the host");
  absl::ParseCommandLine(argc, argv);
  pvsim::SimConfig config;
  config.workload = absl::GetFlag(FLAGS_workload);
  config.domains = absl::GetFlag(FLAGS_domains);
  config.iterations = absl::GetFlag(FLAGS_iterations);
  config.frames_per_domain = absl::GetFlag(FLAGS_frames);
  config.time_limit_ns = static_cast<uint64_t>(absl::GetFlag(FLAGS_seconds) * 1e9);
  config.echo_console = absl::GetFlag(FLAGS_console);
  config.options.check = absl::GetFlag(FLAGS_check);
  if (config.domains == 0 || config.domains >= 32000) {
    std::fprintf(stderr, "pvsim: --domains must be 1..31999\n");
    return 2;
  }
  std::printf("pvsim: hv-core on the host platform (simulated machine, not QEMU): %llu domains, workload %s%s\n",
              static_cast<unsigned long long>(config.domains), config.workload.c_str(),
              config.options.check ? ", invariant check after every hypercall" : "");
  std::string error;
  const pvsim::SimResult r = pvsim::run_simulation(config, &error);
  if (!error.empty()) {
    std::fprintf(stderr, "pvsim: %s (workloads: %s)\n", error.c_str(),
                 absl::StrJoin(pvsim::workload_names(), ", ").c_str());
    return 2;
  }
  std::printf("\n%-12s %-10s %5s %12s %10s %10s %9s %9s %10s %8s  %s\n", "domain", "workload", "id", "run time",
              "hypercalls", "mmu upd", "ev sent", "ev recv", "ops", "refused", "exit");
  pvsim::DomainRow total;
  uint64_t shown = 0;
  for (const pvsim::DomainRow& row : r.rows) {
    if (shown++ < absl::GetFlag(FLAGS_table_rows)) {
      std::printf("%-12s %-10s %5u %12s %10llu %10llu %9llu %9llu %10llu %8llu  %s\n", row.name.c_str(),
                  row.workload.c_str(), row.domid, absl::StrFormat("%.3f ms", row.run_ns / 1e6).c_str(),
                  (unsigned long long)row.hypercalls, (unsigned long long)row.mmu_updates,
                  (unsigned long long)row.events_sent, (unsigned long long)row.events_delivered,
                  (unsigned long long)row.operations, (unsigned long long)row.refusals, row.exit.c_str());
    }
    total.run_ns += row.run_ns;
    total.hypercalls += row.hypercalls;
    total.mmu_updates += row.mmu_updates;
    total.events_sent += row.events_sent;
    total.events_delivered += row.events_delivered;
    total.operations += row.operations;
    total.refusals += row.refusals;
  }
  if (r.rows.size() > absl::GetFlag(FLAGS_table_rows)) {
    std::printf("... %zu more domains\n", r.rows.size() - absl::GetFlag(FLAGS_table_rows));
  }
  std::printf("%-12s %-10s %5s %12s %10llu %10llu %9llu %9llu %10llu %8llu\n", "total", "", "",
              absl::StrFormat("%.3f ms", total.run_ns / 1e6).c_str(), (unsigned long long)total.hypercalls,
              (unsigned long long)total.mmu_updates, (unsigned long long)total.events_sent,
              (unsigned long long)total.events_delivered, (unsigned long long)total.operations,
              (unsigned long long)total.refusals);
  std::printf("\nsimulated %.3f ms, %llu scheduling decisions; %s%s\n", r.simulated_ns / 1e6,
              (unsigned long long)r.scheduler_decisions, r.all_exited ? "every domain shut down" : "some domains still running",
              config.options.check ? (r.invariants_ok ? "; invariants hold" : "; INVARIANTS BROKEN") : "");
  const bool clean = r.all_exited && total.refusals == 0 && r.invariants_ok;
  return clean ? 0 : 1;
}
