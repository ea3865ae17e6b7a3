#include "sim_guest.h"

#include <libpv/libpv.h>

#include <cstdio>
#include <cstdlib>

#include "hv-core/core/invariants.h"
#include "hv-core/platform/host/host_platform.h"

namespace pvsim {

SimGuest::SimGuest(const std::string& name, uint64_t frames, const SimOptions& options)
    : name_(name), options_(options) {
  guest_ = std::make_unique<hv::host::TestGuest>(name.c_str(), hv::host::TestGuestConfig{frames, 1, false});
  // One page of scratch: the largest buffer copied for a call is a console line.
  binding_ = std::make_unique<libpv::host::TestGuestBinding>(*guest_, 0, PVABI_PAGE_SIZE);
  binding_->set_hook(simulated_hypercall, this);
  activate();
  if (pv_init(binding_->start_info()) != PVABI_OK || pv_event_init(handlers_, kEventPorts) != PVABI_OK) {
    std::fprintf(stderr, "pvsim: libpv did not start in %s\n", name_.c_str());
    std::abort();
  }
}

void SimGuest::activate() {
  libpv_state_.make_current();
  binding_->use_vcpu(0);
}

bool SimGuest::simulated_hypercall(void* ctx, uint64_t nr, const uint64_t (&args)[6], int64_t* result) {
  SimGuest& self = *static_cast<SimGuest*>(ctx);
  hv::host::advance_tsc(self.options_.hypercall_ticks);
  *result = self.guest_->call(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  if (self.options_.check) {
    const hv::InvariantReport r = hv::check_invariants();
    if (!r.ok()) {
      std::fprintf(stderr, "pvsim: invariant broken after hypercall %llu from %s: %s\n",
                   static_cast<unsigned long long>(nr), self.name_.c_str(), r.first.c_str());
      std::abort();
    }
  }
  return true;
}

int64_t SimGuest::call(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  activate();
  return pv_hypercall4(number, a0, a1, a2, a3);
}

void SimGuest::work(uint64_t units) { hv::host::advance_tsc(units * options_.work_ticks); }

void SimGuest::print(const std::string& text) {
  activate();
  const std::string line = text + "\n";
  (void)pv_console_write(line.data(), line.size());
}

uint64_t SimGuest::system_time_ns() {
  activate();
  return pv_time_system_ns(0);
}

uint64_t SimGuest::wall_clock_sec() {
  activate();
  uint64_t sec = 0;
  uint32_t nsec = 0;
  pv_time_wallclock(0, &sec, &nsec);
  return sec;
}

uint64_t SimGuest::running_ns() {
  activate();
  if (runstate_ == nullptr) {
    auto* area = binding_->alloc<pvabi_runstate_info>();
    if (pv_vcpu_register_runstate_area(0, area) != PVABI_OK) {
      ++counters_.refusals;
      return 0;
    }
    runstate_ = area;
  }
  return pv_time_virtual_ns(runstate_, 0);
}

void SimGuest::unmask_upcalls() {
  activate();
  __atomic_store_n(&pv_vcpu_info(0)->upcall_mask, 0, __ATOMIC_RELEASE);
}

void SimGuest::deliver(uint32_t port, void* self) {
  const auto* handle = static_cast<SimGuest*>(self)->on_event_;
  if (handle != nullptr) (*handle)(port);
}

int SimGuest::scan_events(const std::function<void(uint32_t port)>& handle) {
  activate();
  on_event_ = &handle;
  const unsigned taken = pv_event_upcall(0);
  on_event_ = nullptr;
  return static_cast<int>(taken);
}

int64_t SimGuest::handled_port(int rc, uint32_t port) {
  if (rc != PVABI_OK) return rc;
  if (const int h = pv_event_set_handler(port, deliver, this); h != PVABI_OK) return h;
  return port;
}

int64_t SimGuest::bind_virq(uint32_t virq) {
  activate();
  uint32_t port = 0;
  return handled_port(pv_evtchn_bind_virq(virq, 0, &port), port);
}

int64_t SimGuest::alloc_unbound(uint16_t remote) {
  activate();
  uint32_t port = 0;
  return handled_port(pv_evtchn_alloc_unbound(remote, &port), port);
}

int64_t SimGuest::bind_interdomain(uint16_t remote, uint32_t remote_port) {
  activate();
  uint32_t port = 0;
  return handled_port(pv_evtchn_bind_interdomain(remote, remote_port, &port), port);
}

int64_t SimGuest::send(uint32_t port) {
  activate();
  return pv_evtchn_send(port);
}

int64_t SimGuest::block() {
  activate();
  return pv_sched_block();
}

int64_t SimGuest::set_timer(uint64_t deadline_ns) {
  activate();
  return pv_set_timer(deadline_ns);
}

void SimGuest::shutdown(uint32_t reason) {
  activate();
  (void)pv_sched_shutdown(reason);
}

}  // namespace pvsim
