// The main job's four domains: a producer that, every 100 ms of its timer,
// sends an item event to two consumers; the consumers, which report each
// item with the system time it arrived at; and a clock domain that prints
// the three time sources every 250 ms. All power off after one second.
#include <cstdio>
#include <ctime>
#include <string>

#include "workload.h"

namespace pvsim {
namespace {

constexpr uint64_t kMs = 1000000;
constexpr uint64_t kRunNs = 1000 * kMs;

std::string utc(uint64_t sec) {
  const std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string ms(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%03llu ms", static_cast<unsigned long long>(ns / kMs),
                static_cast<unsigned long long>(ns % kMs / 1000));
  return buf;
}

class DemoWorkload : public Workload {
 public:
  enum class Role { kProducer, kConsumer, kClock };
  explicit DemoWorkload(Role role) : role_(role) {}
  const char* name() const override { return role_ == Role::kProducer ? "producer" : role_ == Role::kConsumer ? "consumer" : "clock"; }

  void setup(SimGuest& self, const std::vector<SimGuest*>& guests, const std::vector<Workload*>& workloads) override {
    if (role_ != Role::kConsumer) timer_port_ = port_or_zero(self.bind_virq(PVABI_VIRQ_TIMER));
    if (role_ != Role::kProducer) return;
    for (size_t i = 0; i < guests.size(); ++i) {
      auto* consumer = dynamic_cast<DemoWorkload*>(workloads[i]);
      if (consumer == nullptr || consumer->role_ != Role::kConsumer) continue;
      const int64_t mine = self.alloc_unbound(guests[i]->domain().id.value());
      if (mine <= 0) continue;
      consumer->item_port_ = port_or_zero(guests[i]->bind_interdomain(self.domain().id.value(), static_cast<uint32_t>(mine)));
      consumer_ports_.push_back(static_cast<uint32_t>(mine));
    }
  }

  void on_event(SimGuest&, uint32_t port) override {
    if (port == timer_port_) ++timer_events_;
    if (port == item_port_) ++items_;
  }

  void step(SimGuest& self) override {
    if (!started_) {
      started_ = true;
      self.unmask_upcalls();
      self.print(std::string(name()) + " up, domain " + std::to_string(self.domain().id.value()));
      arm(self, role_ == Role::kClock ? 250 * kMs : 100 * kMs);
    }
    const uint64_t now = self.system_time_ns();
    switch (role_) {
      case Role::kProducer:
        for (; timer_events_ > 0; --timer_events_) {
          ++sent_;
          for (uint32_t port : consumer_ports_) self.send(port);
          self.counters().operations += consumer_ports_.size();
          self.print("item " + std::to_string(sent_) + " sent to " + std::to_string(consumer_ports_.size()) +
                     " consumers at " + ms(now));
          arm(self, 100 * kMs);
        }
        break;
      case Role::kConsumer:
        for (; items_ > 0; --items_) {
          ++self.counters().operations;
          self.work(20);
          self.print("item " + std::to_string(self.counters().operations) + " received at " + ms(now));
        }
        break;
      case Role::kClock:
        for (; timer_events_ > 0; --timer_events_) {
          ++self.counters().operations;
          self.print("system " + ms(now) + ", ran " + ms(self.running_ns()) + ", wall clock " +
                     utc(self.wall_clock_sec()));
          arm(self, 250 * kMs);
        }
        break;
    }
    if (now >= kRunNs) {
      self.print(std::string(name()) + " done: " + std::to_string(self.counters().operations) + " operations");
      self.shutdown(PVABI_SHUTDOWN_POWEROFF);
      return;
    }
    self.block();
  }

 private:
  static uint32_t port_or_zero(int64_t port) { return port > 0 ? static_cast<uint32_t>(port) : 0; }
  void arm(SimGuest& self, uint64_t delay) {
    if (timer_port_ != 0 && self.set_timer(self.system_time_ns() + delay) != PVABI_OK) ++self.counters().refusals;
  }

  Role role_;
  uint32_t timer_port_ = 0;
  uint32_t item_port_ = 0;
  std::vector<uint32_t> consumer_ports_;
  uint64_t timer_events_ = 0;
  uint64_t items_ = 0;
  uint64_t sent_ = 0;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Workload> make_demo_workload(size_t index) {
  const DemoWorkload::Role roles[] = {DemoWorkload::Role::kProducer, DemoWorkload::Role::kConsumer,
                                      DemoWorkload::Role::kConsumer, DemoWorkload::Role::kClock};
  return std::make_unique<DemoWorkload>(roles[index % 4]);
}

}  // namespace pvsim
