// tools/pvsim/sim_guest.h: one simulated domain: a TestGuest (the real
// domain builder and core underneath) driven by a workload, with the
// guest-side chores a kernel would do: timed hypercalls, reading the three
// time sources from the shared areas, and scanning pending events.
#ifndef PVABI_TOOLS_PVSIM_SIM_GUEST_H
#define PVABI_TOOLS_PVSIM_SIM_GUEST_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hv-core/platform/host/test_guest.h"

namespace pvsim {

struct SimOptions {
  bool check = false;            // run the invariant checker after every hypercall
  uint64_t hypercall_ticks = 300;  // simulated cost of entering and leaving the hypervisor
  uint64_t work_ticks = 1000;      // simulated cost of one step of guest work
};

struct GuestCounters {
  uint64_t steps = 0;
  uint64_t operations = 0;  // workload-defined units of work done
  uint64_t refusals = 0;    // hypercalls that returned an error the workload did not expect
};

class SimGuest {
 public:
  SimGuest(const std::string& name, uint64_t frames, const SimOptions& options);

  hv::host::TestGuest& guest() { return *guest_; }
  hv::Domain& domain() { return guest_->domain(); }
  const std::string& name() const { return name_; }
  GuestCounters& counters() { return counters_; }

  // A hypercall as the guest kernel makes it: costs simulated time and, with
  // --check, is followed by the invariant checker (which aborts on a violation).
  int64_t call(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);
  // Guest work between hypercalls.
  void work(uint64_t units = 1);

  // Console output, through PVABI_HC_CONSOLE_IO.
  void print(const std::string& text);

  // The three time sources, read the way pvabi/time.h says (no hypercall).
  uint64_t system_time_ns();
  uint64_t wall_clock_sec();
  uint64_t running_ns();  // this vCPU's virtual time (PVABI_VCPUOP_GET_RUNSTATE_INFO)

  // Takes pending events off the 2-level bitmaps in the documented order and
  // calls `handle(port)` for each. Returns how many were handled.
  int scan_events(const std::function<void(uint32_t port)>& handle);

  // Event-channel helpers; each returns the port or a negative status.
  int64_t bind_virq(uint32_t virq);
  int64_t alloc_unbound(uint16_t remote);
  int64_t bind_interdomain(uint16_t remote, uint32_t remote_port);
  int64_t send(uint32_t port);
  int64_t block();
  int64_t set_timer(uint64_t deadline_ns);
  void shutdown(uint32_t reason);

 private:
  std::string name_;
  SimOptions options_;
  std::unique_ptr<hv::host::TestGuest> guest_;
  GuestCounters counters_;
  hv::Gva scratch_;  // a page for hypercall arguments
};

}  // namespace pvsim

#endif  // PVABI_TOOLS_PVSIM_SIM_GUEST_H
