// tools/pvsim/sim_guest.h: one simulated domain: a TestGuest (the real
// domain builder and core underneath) driven by a workload, running libpv
// (libpv_host.a) as its guest library: the hypercalls, the time sources and
// the event scan are libpv's own. Each domain has its own libpv state,
// made current whenever libpv acts for it.
#ifndef PVABI_TOOLS_PVSIM_SIM_GUEST_H
#define PVABI_TOOLS_PVSIM_SIM_GUEST_H

#include <libpv/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hv-core/platform/host/test_guest.h"
#include "libpv_host.h"
#include "test_guest_binding.h"

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
  // Event ports with a handler; the workloads bind a few each.
  static constexpr uint32_t kEventPorts = 64;

  // Builds the domain and starts libpv in it (pv_init, pv_event_init).
  SimGuest(const std::string& name, uint64_t frames, const SimOptions& options);
  SimGuest(const SimGuest&) = delete;
  SimGuest& operator=(const SimGuest&) = delete;

  hv::host::TestGuest& guest() { return *guest_; }
  hv::Domain& domain() { return guest_->domain(); }
  const std::string& name() const { return name_; }
  GuestCounters& counters() { return counters_; }

  // A raw hypercall (pointer arguments are guest addresses). Every hypercall
  // of this guest, libpv's included, costs simulated time and, with --check,
  // is followed by the invariant checker (which aborts on a violation).
  int64_t call(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);
  // Guest work between hypercalls.
  void work(uint64_t units = 1);

  // Console output, through PVABI_HC_CONSOLE_IO.
  void print(const std::string& text);

  // The three time sources (libpv/time.h, no hypercall).
  uint64_t system_time_ns();
  uint64_t wall_clock_sec();
  uint64_t running_ns();  // virtual time, from a run-state area registered on first use

  // Lets the simulator deliver events: clears upcall_mask in vcpu_info.
  void unmask_upcalls();
  // The event upcall (pv_event_upcall): takes the pending, unmasked ports and
  // calls `handle(port)` for each port bound through the helpers below.
  // Returns how many ports were taken.
  int scan_events(const std::function<void(uint32_t port)>& handle);

  // Event-channel helpers; each returns the port or a negative status (a
  // port at or past kEventPorts is refused with PVABI_ERANGE).
  int64_t bind_virq(uint32_t virq);
  int64_t alloc_unbound(uint16_t remote);
  int64_t bind_interdomain(uint16_t remote, uint32_t remote_port);
  int64_t send(uint32_t port);
  int64_t block();
  int64_t set_timer(uint64_t deadline_ns);
  void shutdown(uint32_t reason);

 private:
  // libpv acts as this guest's vCPU 0 from now on.
  void activate();
  // A port just bound (rc its status): its events go to the scan's handler.
  int64_t handled_port(int rc, uint32_t port);
  static bool simulated_hypercall(void* ctx, uint64_t nr, const uint64_t (&args)[6], int64_t* result);
  static void deliver(uint32_t port, void* self);

  std::string name_;
  SimOptions options_;
  std::unique_ptr<hv::host::TestGuest> guest_;
  std::unique_ptr<libpv::host::TestGuestBinding> binding_;
  libpv::host::GuestState libpv_state_;
  pv_event_handler handlers_[kEventPorts];
  const std::function<void(uint32_t port)>* on_event_ = nullptr;  // during scan_events
  pvabi_runstate_info* runstate_ = nullptr;  // guest memory, once registered
  GuestCounters counters_;
};

}  // namespace pvsim

#endif  // PVABI_TOOLS_PVSIM_SIM_GUEST_H
