#include "sim_guest.h"

#include <cstdio>
#include <cstdlib>

#include "hv-core/core/invariants.h"
#include "hv-core/platform/host/host_platform.h"
#include "pvabi/pvabi.hpp"

namespace pvsim {

SimGuest::SimGuest(const std::string& name, uint64_t frames, const SimOptions& options)
    : name_(name), options_(options) {
  guest_ = std::make_unique<hv::host::TestGuest>(name.c_str(), hv::host::TestGuestConfig{frames, 1, false});
  scratch_ = guest_->alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE);
}

int64_t SimGuest::call(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  hv::host::advance_tsc(options_.hypercall_ticks);
  const int64_t rc = guest_->call(number, a0, a1, a2, a3);
  if (options_.check) {
    const hv::InvariantReport r = hv::check_invariants();
    if (!r.ok()) {
      std::fprintf(stderr, "pvsim: invariant broken after hypercall %llu from %s: %s\n",
                   static_cast<unsigned long long>(number), name_.c_str(), r.first.c_str());
      std::abort();
    }
  }
  return rc;
}

void SimGuest::work(uint64_t units) { hv::host::advance_tsc(units * options_.work_ticks); }

void SimGuest::print(const std::string& text) {
  const std::string line = text + "\n";
  const hv::Gva buf = scratch_ + 1024;
  const size_t len = line.size() < 2048 ? line.size() : 2048;
  (void)hv::copy_to_guest(guest_->vcpu(), buf, line.data(), len);
  call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, buf.value(), len);
}

uint64_t SimGuest::system_time_ns() {
  const pvabi_vcpu_time_info* t = &guest_->vcpu().info().time;
  uint32_t version;
  uint64_t stamp, base;
  uint32_t mul;
  int8_t shift;
  do {
    version = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
    stamp = t->tsc_timestamp;
    base = t->system_time;
    mul = t->tsc_to_system_mul;
    shift = t->tsc_shift;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
  } while ((version & 1) != 0 || version != __atomic_load_n(&t->version, __ATOMIC_ACQUIRE));
  return base + pvabi::scale_tsc_delta(hv::platform::read_tsc() - stamp, mul, shift);
}

uint64_t SimGuest::wall_clock_sec() {
  const pvabi_wallclock& wc = guest_->domain().shared_info().wallclock;
  return wc.sec + (wc.nsec + system_time_ns()) / 1000000000ull;
}

uint64_t SimGuest::running_ns() {
  const hv::Gva info = scratch_ + 512;
  if (call(PVABI_HC_VCPU_OP, PVABI_VCPUOP_GET_RUNSTATE_INFO, 0, info.value()) != PVABI_OK) return 0;
  return guest_->get<pvabi_runstate_info>(info).time[PVABI_RUNSTATE_RUNNING];
}

int SimGuest::scan_events(const std::function<void(uint32_t port)>& handle) {
  pvabi_shared_info& sh = guest_->domain().shared_info();
  pvabi_vcpu_info& vi = guest_->vcpu().info();
  int handled = 0;
  while (__atomic_load_n(&vi.upcall_pending, __ATOMIC_ACQUIRE) != 0) {
    __atomic_store_n(&vi.upcall_pending, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t sel = __atomic_exchange_n(&vi.pending_sel, uint64_t{0}, __ATOMIC_ACQ_REL);
    while (sel != 0) {
      const unsigned word = static_cast<unsigned>(__builtin_ctzll(sel));
      sel &= sel - 1;
      uint64_t bits = __atomic_load_n(&sh.evtchn_pending[word], __ATOMIC_ACQUIRE) &
                      ~__atomic_load_n(&sh.evtchn_mask[word], __ATOMIC_ACQUIRE);
      while (bits != 0) {
        const unsigned bit = static_cast<unsigned>(__builtin_ctzll(bits));
        bits &= bits - 1;
        __atomic_fetch_and(&sh.evtchn_pending[word], ~(uint64_t{1} << bit), __ATOMIC_ACQ_REL);
        handle(word * 64 + bit);
        ++handled;
      }
    }
  }
  return handled;
}

int64_t SimGuest::bind_virq(uint32_t virq) {
  const hv::Gva arg = scratch_;
  (void)hv::write_guest(guest_->vcpu(), arg, pvabi_evtchn_bind_virq{virq, 0, 0, 0});
  const int64_t rc = call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_VIRQ, arg.value());
  return rc < 0 ? rc : guest_->get<pvabi_evtchn_bind_virq>(arg).port;
}

int64_t SimGuest::alloc_unbound(uint16_t remote) {
  const hv::Gva arg = scratch_;
  (void)hv::write_guest(guest_->vcpu(), arg, pvabi_evtchn_alloc_unbound{PVABI_DOMID_SELF, remote, 0});
  const int64_t rc = call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_ALLOC_UNBOUND, arg.value());
  return rc < 0 ? rc : guest_->get<pvabi_evtchn_alloc_unbound>(arg).port;
}

int64_t SimGuest::bind_interdomain(uint16_t remote, uint32_t remote_port) {
  const hv::Gva arg = scratch_;
  (void)hv::write_guest(guest_->vcpu(), arg, pvabi_evtchn_bind_interdomain{remote, 0, remote_port, 0, 0});
  const int64_t rc = call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_INTERDOMAIN, arg.value());
  return rc < 0 ? rc : guest_->get<pvabi_evtchn_bind_interdomain>(arg).local_port;
}

int64_t SimGuest::send(uint32_t port) {
  const hv::Gva arg = scratch_;
  (void)hv::write_guest(guest_->vcpu(), arg, pvabi_evtchn_port{port, 0});
  return call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, arg.value());
}

int64_t SimGuest::block() { return call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK, 0); }

int64_t SimGuest::set_timer(uint64_t deadline_ns) { return call(PVABI_HC_SET_TIMER_OP, deadline_ns); }

void SimGuest::shutdown(uint32_t reason) {
  const hv::Gva arg = scratch_;
  (void)hv::write_guest(guest_->vcpu(), arg, pvabi_sched_shutdown{reason, 0});
  call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, arg.value());
}

}  // namespace pvsim
