// tools/pvsim/workload.h: what a simulated guest kernel does. The simulator
// calls setup() for all domains before they run (the toolstack's part:
// connecting event channels between domains), then, each time the
// scheduler picks a domain, delivers its pending events through on_event()
// and lets it take one step(). A step ends when the guest blocks, yields,
// shuts down or has done one slice of work.
#ifndef PVABI_TOOLS_PVSIM_WORKLOAD_H
#define PVABI_TOOLS_PVSIM_WORKLOAD_H

#include <memory>
#include <string>
#include <vector>

#include "sim_guest.h"

namespace pvsim {

class Workload {
 public:
  virtual ~Workload() = default;
  virtual void setup(SimGuest& self, const std::vector<SimGuest*>& guests,
                     const std::vector<Workload*>& workloads) {
    (void)self, (void)guests, (void)workloads;
  }
  virtual void on_event(SimGuest& self, uint32_t port) { (void)self, (void)port; }
  virtual void step(SimGuest& self) = 0;
  virtual const char* name() const = 0;
};

// "pagetable", "pingpong", "timers", "mixed" (round robin over the three) or
// "demo" (the main job's four domains). Returns nullptr for an unknown name.
std::unique_ptr<Workload> make_workload(const std::string& name, size_t index, uint64_t iterations);
std::vector<std::string> workload_names();

std::unique_ptr<Workload> make_pagetable_workload(uint64_t iterations);
std::unique_ptr<Workload> make_pingpong_workload(size_t index, uint64_t round_trips);
std::unique_ptr<Workload> make_timer_workload(uint64_t timers);
std::unique_ptr<Workload> make_demo_workload(size_t index);

}  // namespace pvsim

#endif  // PVABI_TOOLS_PVSIM_WORKLOAD_H
