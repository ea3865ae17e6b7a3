// Timer storm: each domain binds its timer VIRQ, arms the one-shot timer a
// pseudo-random 50-1050 us ahead, blocks, and counts the timer events.
#include "workload.h"

namespace pvsim {
namespace {

class TimerWorkload : public Workload {
 public:
  explicit TimerWorkload(uint64_t timers) : timers_(timers) {}
  const char* name() const override { return "timers"; }

  void setup(SimGuest& self, const std::vector<SimGuest*>&, const std::vector<Workload*>&) override {
    const int64_t port = self.bind_virq(PVABI_VIRQ_TIMER);
    port_ = port > 0 ? static_cast<uint32_t>(port) : 0;
    seed_ = 0x9e3779b97f4a7c15ull * (self.domain().id.value() + 1);
  }

  void on_event(SimGuest&, uint32_t port) override {
    if (port == port_) ++fired_;
  }

  void step(SimGuest& self) override {
    if (port_ == 0 || self.counters().operations >= timers_) {
      self.shutdown(port_ == 0 ? PVABI_SHUTDOWN_CRASH : PVABI_SHUTDOWN_POWEROFF);
      return;
    }
    if (!armed_ || fired_ > 0) {
      self.counters().operations += fired_;
      fired_ = 0;
      self.unmask_upcalls();
      seed_ = seed_ * 6364136223846793005ull + 1442695040888963407ull;
      const uint64_t delay_ns = 50000 + (seed_ >> 33) % 1000000;
      if (self.set_timer(self.system_time_ns() + delay_ns) != PVABI_OK) ++self.counters().refusals;
      armed_ = true;
    }
    self.block();
  }

 private:
  uint64_t timers_;
  uint32_t port_ = 0;
  uint64_t fired_ = 0;
  bool armed_ = false;
  uint64_t seed_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_timer_workload(uint64_t timers) { return std::make_unique<TimerWorkload>(timers); }

}  // namespace pvsim
