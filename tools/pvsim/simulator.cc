#include "simulator.h"

#include "hv-core/core/domain.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/invariants.h"
#include "hv-core/core/sched.h"
#include "hv-core/core/time.h"
#include "hv-core/platform/host/host_platform.h"

namespace pvsim {
namespace {

const char* exit_reason(const hv::Domain& d) {
  if (!d.shut_down) return "running";
  switch (d.shutdown_reason) {
    case PVABI_SHUTDOWN_POWEROFF: return "poweroff";
    case PVABI_SHUTDOWN_REBOOT: return "reboot";
    case PVABI_SHUTDOWN_SUSPEND: return "suspend";
    case PVABI_SHUTDOWN_CRASH: return "crash";
    case PVABI_SHUTDOWN_WATCHDOG: return "watchdog";
    default: return "unknown";
  }
}

DomainRow row_of(SimGuest& g, const Workload& w) {
  hv::Domain& d = g.domain();
  pvabi_runstate_info rs{};
  hv::fill_runstate(g.guest().vcpu(), &rs);
  DomainRow r;
  r.name = g.name();
  r.workload = w.name();
  r.domid = d.id.value();
  r.run_ns = rs.time[PVABI_RUNSTATE_RUNNING];
  r.hypercalls = d.stats.hypercalls;
  r.mmu_updates = d.stats.mmu_updates;
  r.events_sent = d.stats.events_sent;
  r.events_delivered = d.stats.events_delivered;
  r.operations = g.counters().operations;
  r.refusals = g.counters().refusals;
  r.exit = exit_reason(d);
  return r;
}

}  // namespace

SimResult run_simulation(const SimConfig& config, std::string* error) {
  SimResult result;
  // Each domain: its memory and shared info page, plus room to spare.
  const uint64_t frames = config.domains * (config.frames_per_domain + 2) + 1024;
  hv::host::init_machine(hv::host::MachineConfig{frames, 16, config.echo_console});

  std::vector<std::unique_ptr<SimGuest>> guests;
  std::vector<std::unique_ptr<Workload>> workloads;
  std::vector<SimGuest*> guest_ptrs;
  std::vector<Workload*> workload_ptrs;
  std::vector<SimGuest*> by_domid(hv::kMaxDomains, nullptr);
  std::vector<Workload*> workload_by_domid(hv::kMaxDomains, nullptr);
  for (uint64_t i = 0; i < config.domains; ++i) {
    std::unique_ptr<Workload> w = make_workload(config.workload, i, config.iterations);
    if (w == nullptr) {
      *error = "unknown workload '" + config.workload + "'";
      return result;
    }
    const std::string name = config.workload == "demo" ? w->name() + (i == 1 || i == 2 ? std::string("-") + char('a' + i - 1) : std::string())
                                                       : std::string("dom") + std::to_string(i + 1);
    guests.push_back(std::make_unique<SimGuest>(name, config.frames_per_domain, config.options));
    workloads.push_back(std::move(w));
    guest_ptrs.push_back(guests.back().get());
    workload_ptrs.push_back(workloads.back().get());
    by_domid[guests.back()->domain().id.value()] = guests.back().get();
    workload_by_domid[guests.back()->domain().id.value()] = workloads.back().get();
  }
  for (size_t i = 0; i < guests.size(); ++i) workloads[i]->setup(*guests[i], guest_ptrs, workload_ptrs);
  for (auto& g : guests) hv::domain_unpause(g->domain());

  // One physical CPU: timers, a scheduling decision, a slice of guest work.
  // The host TSC runs at 1 GHz, so ticks and hypervisor nanoseconds agree.
  while (hv::hypervisor_time_ns() < config.time_limit_ns) {
    hv::sched_run_timers(hv::hypervisor_time_ns());
    hv::Vcpu* v = hv::sched_pick_next();
    if (v == nullptr) {
      const uint64_t deadline = hv::sched_next_timer_deadline();
      if (deadline == UINT64_MAX || deadline >= config.time_limit_ns) break;  // nothing left to wake
      if (deadline > hv::hypervisor_time_ns()) hv::host::advance_tsc(deadline - hv::hypervisor_time_ns());
      continue;
    }
    ++result.scheduler_decisions;
    SimGuest& g = *by_domid[v->domain->id.value()];
    Workload& w = *workload_by_domid[v->domain->id.value()];
    const uint64_t start = hv::platform::read_tsc();
    if (v->info().upcall_mask == 0) g.scan_events([&](uint32_t port) { w.on_event(g, port); });
    ++g.counters().steps;
    w.step(g);
    hv::sched_account(*v, hv::platform::read_tsc() - start);
  }
  result.simulated_ns = hv::hypervisor_time_ns();
  result.all_exited = true;
  for (size_t i = 0; i < guests.size(); ++i) {
    result.rows.push_back(row_of(*guests[i], *workloads[i]));
    if (!guests[i]->domain().shut_down) result.all_exited = false;
  }
  if (config.options.check) result.invariants_ok = hv::check_invariants().ok();
  return result;
}

}  // namespace pvsim
