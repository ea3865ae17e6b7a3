// Event ping-pong between pairs of ping-pong domains (the n-th with the
// n+1-th): the even one serves, each answers the other's event and blocks
// until the next one arrives. A domain without a partner plays against
// itself over a channel between two of its own ports.
#include "workload.h"

namespace pvsim {
namespace {

class PingPongWorkload : public Workload {
 public:
  PingPongWorkload(size_t index, uint64_t round_trips) : index_(index), round_trips_(round_trips) {}
  const char* name() const override { return "pingpong"; }

  void setup(SimGuest& self, const std::vector<SimGuest*>& guests,
             const std::vector<Workload*>& workloads) override {
    if (send_port_ != 0) return;  // connected by its partner
    PingPongWorkload* partner = nullptr;
    size_t partner_index = 0;
    for (size_t i = index_ + 1; i < workloads.size() && partner == nullptr; ++i) {
      auto* w = dynamic_cast<PingPongWorkload*>(workloads[i]);
      if (w != nullptr && w->send_port_ == 0) partner = w, partner_index = i;
    }
    SimGuest& other = partner != nullptr ? *guests[partner_index] : self;
    const int64_t mine = self.alloc_unbound(other.domain().id.value());
    const int64_t theirs = mine > 0 ? other.bind_interdomain(self.domain().id.value(), static_cast<uint32_t>(mine)) : -1;
    if (theirs <= 0) return;
    if (partner != nullptr) {
      send_port_ = recv_port_ = static_cast<uint32_t>(mine);
      partner->send_port_ = partner->recv_port_ = static_cast<uint32_t>(theirs);
      serves_ = true;
    } else {
      send_port_ = static_cast<uint32_t>(mine);
      recv_port_ = static_cast<uint32_t>(theirs);
      serves_ = true;
    }
  }

  void on_event(SimGuest&, uint32_t port) override {
    if (port == recv_port_) ++pending_;
  }

  void step(SimGuest& self) override {
    if (send_port_ == 0) {
      self.shutdown(PVABI_SHUTDOWN_CRASH);  // the toolstack could not connect it
      return;
    }
    if (!started_) {
      started_ = true;
      self.unmask_upcalls();
      if (serves_) send(self);
    }
    while (pending_ > 0) {
      --pending_;
      if (++self.counters().operations >= round_trips_) {
        send(self);  // the partner may still be waiting for its last one
        self.shutdown(PVABI_SHUTDOWN_POWEROFF);
        return;
      }
      self.work();
      send(self);
    }
    self.block();
  }

 private:
  void send(SimGuest& self) {
    if (self.send(send_port_) != PVABI_OK) ++self.counters().refusals;
  }

  size_t index_;
  uint64_t round_trips_;
  uint32_t send_port_ = 0;
  uint32_t recv_port_ = 0;
  uint64_t pending_ = 0;
  bool serves_ = false;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Workload> make_pingpong_workload(size_t index, uint64_t round_trips) {
  return std::make_unique<PingPongWorkload>(index, round_trips);
}

}  // namespace pvsim
