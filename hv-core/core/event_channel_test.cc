// Event channels through the hypercall entry: every command of pvabi/event.h
// and pvabi/event_queue.h with its success and every error status, and the
// guest's side of both layouts written as the headers tell a porter to.
#include "event_channel.h"

#include <utility>
#include <vector>

#include "console.h"
#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "invariants.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "sched.h"

namespace hv {
namespace {

using host::TestGuest;
using host::TestGuestConfig;

constexpr uint16_t kSelf = PVABI_DOMID_SELF;

// CoreTest's teardown also checks that queue frames were released.
class EventChannelTest : public host::CoreTest {};

// Every frame reference adds up, the queue layout's holds included (call
// while the guests are alive).
void expect_invariants() {
  const InvariantReport r = check_invariants();
  EXPECT_TRUE(r.ok()) << r.first.c_str();
}

// One command: its struct goes into guest memory and is read back.
template <typename T>
int64_t evtchn(TestGuest& g, uint32_t cmd, T* arg) {
  const Gva at = g.put(*arg);
  const int64_t rc = g.call(PVABI_HC_EVENT_CHANNEL_OP, cmd, at.value());
  *arg = g.get<T>(at);
  return rc;
}

int64_t port_op(TestGuest& g, uint32_t cmd, uint32_t port) {
  pvabi_evtchn_port p{port, 0};
  return evtchn(g, cmd, &p);
}

uint16_t id_of(TestGuest& g) { return g.domain().id.value(); }

uint32_t alloc_unbound(TestGuest& g, uint16_t remote) {
  pvabi_evtchn_alloc_unbound a{kSelf, remote, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_ALLOC_UNBOUND, &a), PVABI_OK);
  return a.port;
}

uint32_t bind_virq(TestGuest& g, uint32_t virq, uint32_t vcpu = 0) {
  pvabi_evtchn_bind_virq b{virq, vcpu, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &b), PVABI_OK);
  return b.port;
}

uint32_t bind_ipi(TestGuest& g, uint32_t vcpu = 0) {
  pvabi_evtchn_bind_ipi b{vcpu, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_IPI, &b), PVABI_OK);
  return b.port;
}

// a's port, b's port.
std::pair<uint32_t, uint32_t> connect(TestGuest& a, TestGuest& b) {
  const uint32_t offered = alloc_unbound(a, id_of(b));
  pvabi_evtchn_bind_interdomain bi{id_of(a), 0, offered, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_OK);
  return {offered, bi.local_port};
}

pvabi_evtchn_status port_status(TestGuest& g, uint32_t port, uint16_t dom = kSelf) {
  pvabi_evtchn_status s{dom, 0, port, 99, 99, 99, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_STATUS, &s), PVABI_OK);
  return s;
}

// Allocates ports (IPIs on vCPU 0) until port `last` is taken, reusing one argument.
void fill_ports(TestGuest& g, uint32_t last) {
  const Gva at = g.put(pvabi_evtchn_bind_ipi{0, 0});
  for (uint32_t port = 0; port < last; port = g.get<pvabi_evtchn_bind_ipi>(at).port) {
    ASSERT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_IPI, at.value()), PVABI_OK);
  }
}

// A page mapped read-only in the guest: its initial L4 table.
Gva read_only_va(TestGuest& g) { return Gva{g.get<pvabi_start_info>(g.layout().start_info).pt_base_va}; }

// ---- The guest's side of the 2-level layout (pvabi/event.h).

struct TwoLevelGuest {
  Domain& d;
  pvabi_shared_info& sh() { return d.shared_info(); }
  void mask(uint32_t port) { __atomic_fetch_or(&sh().evtchn_mask[port / 64], uint64_t{1} << (port % 64), __ATOMIC_SEQ_CST); }
  bool pending(uint32_t port) { return (sh().evtchn_pending[port / 64] >> (port % 64)) & 1; }
  // The upcall: the ports handled, in order.
  std::vector<uint32_t> upcall(uint32_t vcpu = 0) {
    pvabi_vcpu_info& info = d.shared_info().vcpu_info[vcpu];
    std::vector<uint32_t> handled;
    do {
      info.upcall_pending = 0;
      __atomic_thread_fence(__ATOMIC_SEQ_CST);
      uint64_t sel = __atomic_exchange_n(&info.pending_sel, uint64_t{0}, __ATOMIC_SEQ_CST);
      while (sel != 0) {
        const unsigned w = static_cast<unsigned>(__builtin_ctzll(sel));
        sel &= sel - 1;
        uint64_t bits = sh().evtchn_pending[w] & ~sh().evtchn_mask[w];
        while (bits != 0) {
          const unsigned b = static_cast<unsigned>(__builtin_ctzll(bits));
          bits &= bits - 1;
          __atomic_fetch_and(&sh().evtchn_pending[w], ~(uint64_t{1} << b), __ATOMIC_SEQ_CST);
          handled.push_back(w * 64 + b);
        }
      }
    } while (info.upcall_pending != 0);
    return handled;
  }
};

using Ports = std::vector<uint32_t>;

TEST_F(EventChannelTest, InterdomainPortsConnectAndDeliver) {
  TestGuest a("a"), b("b");
  const auto [pa, pb] = connect(a, b);
  const pvabi_evtchn_status sa = port_status(a, pa), sb = port_status(b, pb);
  EXPECT_EQ(sa.state, uint32_t{PVABI_EVTCHN_STATE_INTERDOMAIN});
  EXPECT_EQ(sa.remote_dom, id_of(b));
  EXPECT_EQ(sa.remote_port, pb);
  EXPECT_EQ(sb.state, uint32_t{PVABI_EVTCHN_STATE_INTERDOMAIN});
  EXPECT_EQ(sb.remote_dom, id_of(a));
  EXPECT_EQ(sb.remote_port, pa);
  EXPECT_EQ(sb.vcpu, 0u);

  EXPECT_EQ(port_op(a, PVABI_EVTCHNOP_SEND, pa), PVABI_OK);
  TwoLevelGuest gb{b.domain()};
  EXPECT_EQ(b.domain().shared_info().vcpu_info[0].upcall_pending, 1);
  EXPECT_EQ(gb.upcall(), Ports{pb});
  EXPECT_EQ(a.domain().stats.events_sent, 1u);
  EXPECT_EQ(b.domain().stats.events_delivered, 1u);
  // And back.
  EXPECT_EQ(port_op(b, PVABI_EVTCHNOP_SEND, pb), PVABI_OK);
  EXPECT_EQ(TwoLevelGuest{a.domain()}.upcall(), Ports{pa});
}

TEST_F(EventChannelTest, AllocUnboundStatuses) {
  TestGuest a("a"), b("b"), ctl("ctl", TestGuestConfig{.privileged = true});
  pvabi_evtchn_alloc_unbound al{kSelf, 4000, 0};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_ALLOC_UNBOUND, &al), PVABI_ESRCH);  // no remote domain 4000
  al = {id_of(b), id_of(a), 0};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_ALLOC_UNBOUND, &al), PVABI_EPERM);  // b's table, no privilege
  al = {4000, kSelf, 0};
  EXPECT_EQ(evtchn(ctl, PVABI_EVTCHNOP_ALLOC_UNBOUND, &al), PVABI_ESRCH);
  EXPECT_EQ(port_status(a, 1).state, uint32_t{PVABI_EVTCHN_STATE_FREE});  // nothing allocated by the failures

  // The control domain allocates in b a port offered to itself.
  al = {id_of(b), kSelf, 0};
  ASSERT_EQ(evtchn(ctl, PVABI_EVTCHNOP_ALLOC_UNBOUND, &al), PVABI_OK);
  const pvabi_evtchn_status s = port_status(b, al.port);
  EXPECT_EQ(s.state, uint32_t{PVABI_EVTCHN_STATE_UNBOUND});
  EXPECT_EQ(s.remote_dom, id_of(ctl));
  EXPECT_EQ(s.remote_port, 0u);

  // Unreadable and unwritable arguments change nothing; unknown commands.
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_ALLOC_UNBOUND, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_ALLOC_UNBOUND, read_only_va(a).value()), PVABI_EFAULT);
  EXPECT_EQ(port_status(a, 1).state, uint32_t{PVABI_EVTCHN_STATE_FREE});
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, 12, 0), PVABI_ENOSYS);
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, 1ull << 32, 0), PVABI_ENOSYS);

  // ENOSPC: ports 1..4095 are all there is in the 2-level layout.
  fill_ports(a, PVABI_EVTCHN_2L_PORTS - 1);
  al = {kSelf, kSelf, 0};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_ALLOC_UNBOUND, &al), PVABI_ENOSPC);
  EXPECT_EQ(event_port_limit(a.domain()), uint32_t{PVABI_EVTCHN_2L_PORTS});
  // A closed port is the one allocated next.
  EXPECT_EQ(port_op(a, PVABI_EVTCHNOP_CLOSE, 1234), PVABI_OK);
  EXPECT_EQ(alloc_unbound(a, kSelf), 1234u);
}

TEST_F(EventChannelTest, BindInterdomainStatuses) {
  TestGuest a("a"), b("b"), c("c");
  const uint32_t for_b = alloc_unbound(a, id_of(b));
  const uint32_t ipi = bind_ipi(a);
  pvabi_evtchn_bind_interdomain bi{4000, 0, for_b, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_ESRCH);
  bi = {id_of(a), 0, 77, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_ERANGE);  // not allocated
  bi = {id_of(a), 0, 5000, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_ERANGE);  // past the layout
  bi = {id_of(a), 0, ipi, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_EPERM);  // not unbound
  bi = {id_of(a), 0, for_b, 0, 0};
  EXPECT_EQ(evtchn(c, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_EPERM);  // offered to b, not c
  bi = {id_of(a), 1, for_b, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_EINVAL);
  bi = {id_of(a), 0, for_b, 0, 1};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_EINVAL);
  EXPECT_EQ(port_status(a, for_b).state, uint32_t{PVABI_EVTCHN_STATE_UNBOUND});

  fill_ports(b, PVABI_EVTCHN_2L_PORTS - 1);
  bi = {id_of(a), 0, for_b, 0, 0};
  EXPECT_EQ(evtchn(b, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_ENOSPC);
  EXPECT_EQ(port_status(a, for_b).state, uint32_t{PVABI_EVTCHN_STATE_UNBOUND});

  // Loopback: a port offered to the domain itself.
  const uint32_t loop = alloc_unbound(a, kSelf);
  bi = {kSelf, 0, loop, 0, 0};
  ASSERT_EQ(evtchn(a, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_OK);
  EXPECT_EQ(port_op(a, PVABI_EVTCHNOP_SEND, bi.local_port), PVABI_OK);
  EXPECT_EQ(TwoLevelGuest{a.domain()}.upcall(), Ports{loop});
}

TEST_F(EventChannelTest, BindVirqStatusesAndDelivery) {
  TestGuest g("g", TestGuestConfig{.vcpus = 2});
  pvabi_evtchn_bind_virq bv{PVABI_VIRQ_COUNT, 0, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_ERANGE);
  bv = {PVABI_VIRQ_TIMER, 2, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_ESRCH);
  bv = {PVABI_VIRQ_CONSOLE, 1, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_EINVAL);  // global, not on vCPU 0
  bv = {PVABI_VIRQ_DOM_EXC, 0, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_EPERM);
  bv = {PVABI_VIRQ_TIMER, 0, 0, 1};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_EINVAL);

  const uint32_t timer0 = bind_virq(g, PVABI_VIRQ_TIMER, 0);
  const uint32_t timer1 = bind_virq(g, PVABI_VIRQ_TIMER, 1);
  const uint32_t console = bind_virq(g, PVABI_VIRQ_CONSOLE, 0);
  bv = {PVABI_VIRQ_TIMER, 1, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_VIRQ, &bv), PVABI_EEXIST);
  const pvabi_evtchn_status s = port_status(g, timer1);
  EXPECT_EQ(s.state, uint32_t{PVABI_EVTCHN_STATE_VIRQ});
  EXPECT_EQ(s.vcpu, 1u);
  EXPECT_EQ(s.remote_port, uint32_t{PVABI_VIRQ_TIMER});

  TwoLevelGuest gg{g.domain()};
  raise_virq(g.domain(), PVABI_VIRQ_TIMER, 1);
  EXPECT_EQ(gg.upcall(0), Ports{});
  EXPECT_EQ(gg.upcall(1), Ports{timer1});
  EXPECT_EQ(console_input(g.domain(), "x", 1), 1u);  // raises PVABI_VIRQ_CONSOLE
  EXPECT_EQ(gg.upcall(0), Ports{console});
  raise_virq(g.domain(), PVABI_VIRQ_DEBUG, 0);  // not bound: nothing
  raise_virq(g.domain(), PVABI_VIRQ_TIMER, 7);  // no such vCPU: nothing
  EXPECT_EQ(gg.upcall(0), Ports{});
  // Sending on a VIRQ port is refused; closing it frees the VIRQ.
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, timer0), PVABI_EINVAL);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_CLOSE, timer0), PVABI_OK);
  EXPECT_EQ(bind_virq(g, PVABI_VIRQ_TIMER, 0), timer0);

  TestGuest ctl("ctl", TestGuestConfig{.privileged = true});
  EXPECT_NE(bind_virq(ctl, PVABI_VIRQ_DOM_EXC, 0), 0u);
}

TEST_F(EventChannelTest, IpiReachesItsVcpu) {
  TestGuest g("g", TestGuestConfig{.vcpus = 2});
  pvabi_evtchn_bind_ipi bi{2, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_BIND_IPI, &bi), PVABI_ESRCH);
  const uint32_t ipi = bind_ipi(g, 1);
  EXPECT_EQ(port_status(g, ipi).state, uint32_t{PVABI_EVTCHN_STATE_IPI});
  EXPECT_EQ(port_status(g, ipi).vcpu, 1u);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, ipi), PVABI_OK);
  TwoLevelGuest gg{g.domain()};
  EXPECT_EQ(gg.upcall(0), Ports{});
  EXPECT_EQ(gg.upcall(1), Ports{ipi});
  EXPECT_EQ(g.domain().stats.events_sent, 1u);
}

TEST_F(EventChannelTest, PortCommandStatuses) {
  TestGuest g("g");
  const uint32_t unbound = alloc_unbound(g, kSelf);
  for (const uint32_t cmd : {PVABI_EVTCHNOP_CLOSE, PVABI_EVTCHNOP_SEND, PVABI_EVTCHNOP_UNMASK}) {
    EXPECT_EQ(port_op(g, cmd, 0), PVABI_ERANGE) << cmd;  // port 0 is never allocated
    EXPECT_EQ(port_op(g, cmd, unbound + 1), PVABI_ERANGE) << cmd;
    EXPECT_EQ(port_op(g, cmd, 1u << 31), PVABI_ERANGE) << cmd;
    pvabi_evtchn_port p{unbound, 1};
    EXPECT_EQ(evtchn(g, cmd, &p), PVABI_EINVAL) << cmd;
    EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, cmd, 0x1000), PVABI_EFAULT) << cmd;
  }
  // Sending on an unbound port reaches no one.
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, unbound), PVABI_OK);
  EXPECT_EQ(g.domain().stats.events_sent, 0u);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_CLOSE, unbound), PVABI_OK);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_CLOSE, unbound), PVABI_ERANGE);
}

TEST_F(EventChannelTest, TwoLevelScanCrossesWordBoundaries) {
  TestGuest g("g");
  fill_ports(g, PVABI_EVTCHN_2L_PORTS - 1);
  for (const uint32_t p : {4095u, 64u, 63u, 1u}) EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  const pvabi_vcpu_info& info = g.domain().shared_info().vcpu_info[0];
  EXPECT_EQ(info.pending_sel, (1ull << 63) | (1ull << 1) | 1ull);
  EXPECT_EQ(TwoLevelGuest{g.domain()}.upcall(), (Ports{1, 63, 64, 4095}));
  EXPECT_EQ(info.pending_sel, 0u);
}

TEST_F(EventChannelTest, MaskedPortStaysPendingUntilUnmasked) {
  TestGuest g("g");
  const uint32_t p = bind_ipi(g);
  TwoLevelGuest gg{g.domain()};
  gg.mask(p);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_TRUE(gg.pending(p));
  EXPECT_EQ(g.domain().shared_info().vcpu_info[0].pending_sel, 0u);
  EXPECT_EQ(g.domain().shared_info().vcpu_info[0].upcall_pending, 0);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_UNMASK, p), PVABI_OK);  // still masked: nothing
  EXPECT_EQ(g.domain().shared_info().vcpu_info[0].upcall_pending, 0);
  // The guest's unmask: clear the bit, then ask for delivery of what is pending.
  __atomic_fetch_and(&g.domain().shared_info().evtchn_mask[0], ~(uint64_t{1} << p), __ATOMIC_SEQ_CST);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_UNMASK, p), PVABI_OK);
  EXPECT_EQ(g.domain().shared_info().vcpu_info[0].upcall_pending, 1);
  EXPECT_EQ(gg.upcall(), Ports{p});
  // A second send while pending is one event.
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(gg.upcall(), Ports{p});
  EXPECT_EQ(g.domain().stats.events_delivered, 2u);
  // Closing clears a pending bit.
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(port_op(g, PVABI_EVTCHNOP_CLOSE, p), PVABI_OK);
  EXPECT_FALSE(gg.pending(p));
}

TEST_F(EventChannelTest, BindVcpuMovesOnlyMovablePorts) {
  TestGuest a("a", TestGuestConfig{.vcpus = 2}), b("b");
  const auto [pa, pb] = connect(a, b);
  const uint32_t ipi = bind_ipi(a, 0);
  const uint32_t timer = bind_virq(a, PVABI_VIRQ_TIMER, 0);
  const uint32_t console = bind_virq(a, PVABI_VIRQ_CONSOLE, 0);
  const uint32_t unbound = alloc_unbound(a, id_of(b));
  auto bind_vcpu = [&](uint32_t port, uint32_t vcpu) {
    pvabi_evtchn_port_vcpu pv{port, vcpu};
    return evtchn(a, PVABI_EVTCHNOP_BIND_VCPU, &pv);
  };
  EXPECT_EQ(bind_vcpu(99, 1), PVABI_ERANGE);
  EXPECT_EQ(bind_vcpu(pa, 2), PVABI_ESRCH);
  EXPECT_EQ(bind_vcpu(ipi, 1), PVABI_EINVAL);
  EXPECT_EQ(bind_vcpu(timer, 1), PVABI_EINVAL);
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_VCPU, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(bind_vcpu(pa, 1), PVABI_OK);
  EXPECT_EQ(bind_vcpu(unbound, 1), PVABI_OK);
  EXPECT_EQ(bind_vcpu(console, 1), PVABI_OK);  // a global VIRQ may move
  EXPECT_EQ(port_status(a, pa).vcpu, 1u);

  TwoLevelGuest ga{a.domain()};
  EXPECT_EQ(port_op(b, PVABI_EVTCHNOP_SEND, pb), PVABI_OK);
  raise_virq(a.domain(), PVABI_VIRQ_CONSOLE, 0);
  EXPECT_EQ(ga.upcall(0), Ports{});
  EXPECT_EQ(ga.upcall(1), (Ports{pa, console}));
}

TEST_F(EventChannelTest, StatusStatuses) {
  TestGuest a("a"), ctl("ctl", TestGuestConfig{.privileged = true});
  const uint32_t ipi = bind_ipi(a);
  pvabi_evtchn_status s{kSelf, 0, PVABI_EVTCHN_2L_PORTS, 0, 0, 0, 0};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_STATUS, &s), PVABI_ERANGE);
  s = {kSelf, 0, ipi, 0, 0, 0, 1};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_STATUS, &s), PVABI_EINVAL);
  s = {id_of(ctl), 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(evtchn(a, PVABI_EVTCHNOP_STATUS, &s), PVABI_EPERM);
  s = {4000, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(evtchn(ctl, PVABI_EVTCHNOP_STATUS, &s), PVABI_ESRCH);
  EXPECT_EQ(a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_STATUS, read_only_va(a).value()), PVABI_EFAULT);
  // A free port below the limit, and another domain's port with privilege.
  const pvabi_evtchn_status free = port_status(a, PVABI_EVTCHN_2L_PORTS - 1);
  EXPECT_EQ(free.state, uint32_t{PVABI_EVTCHN_STATE_FREE});
  EXPECT_EQ(free.vcpu, 0u);
  EXPECT_EQ(free.remote_port, 0u);
  EXPECT_EQ(port_status(ctl, ipi, id_of(a)).state, uint32_t{PVABI_EVTCHN_STATE_IPI});
}

TEST_F(EventChannelTest, SendWakesABlockedVcpuInAnotherDomain) {
  TestGuest a("a"), b("b");
  const auto [pa, pb] = connect(a, b);
  domain_unpause(b.domain());
  EXPECT_TRUE(sched_runnable(b.vcpu()));
  ASSERT_EQ(b.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK, 0), PVABI_OK);
  EXPECT_FALSE(sched_runnable(b.vcpu()));
  EXPECT_EQ(b.vcpu().time.runstate.state, uint32_t{PVABI_RUNSTATE_BLOCKED});
  EXPECT_EQ(port_op(a, PVABI_EVTCHNOP_SEND, pa), PVABI_OK);
  EXPECT_TRUE(sched_runnable(b.vcpu()));
  EXPECT_EQ(b.vcpu().time.runstate.state, uint32_t{PVABI_RUNSTATE_RUNNABLE});
  Vcpu* next = sched_pick_next();
  EXPECT_EQ(next, &b.vcpu());
  EXPECT_EQ(TwoLevelGuest{b.domain()}.upcall(), Ports{pb});
}

TEST_F(EventChannelTest, TeardownLeavesPeersUnbound) {
  TestGuest a("a"), b("b");
  const auto [pa, pb] = connect(a, b);
  const uint32_t b_id = id_of(b);
  b.destroy();
  const pvabi_evtchn_status s = port_status(a, pa);
  EXPECT_EQ(s.state, uint32_t{PVABI_EVTCHN_STATE_UNBOUND});
  EXPECT_EQ(s.remote_dom, b_id);
  EXPECT_EQ(port_op(a, PVABI_EVTCHNOP_SEND, pa), PVABI_OK);  // reaches no one
  // A new domain that gets b's id may bind to it again: the port was offered to that id.
  TestGuest c("c");
  ASSERT_EQ(id_of(c), b_id);
  pvabi_evtchn_bind_interdomain bi{id_of(a), 0, pa, 0, 0};
  EXPECT_EQ(evtchn(c, PVABI_EVTCHNOP_BIND_INTERDOMAIN, &bi), PVABI_OK);
  (void)pb;
}

// ---- The queue layout (pvabi/event_queue.h).

// The guest's side: frames given to the hypervisor and the consumer loop
// the header describes (a private head per queue, as Linux keeps).
struct QueueGuest {
  explicit QueueGuest(TestGuest& guest) : g(guest), control(g.mfn(g.take_pfn())) {}

  int64_t init(uint32_t vcpu = 0, uint32_t offset = 64, Mfn frame = kNoFrame) {
    pvabi_evtq_init_control ic{(frame == kNoFrame ? control : frame).value(), offset, vcpu, 0, 0};
    const int64_t rc = evtchn(g, PVABI_EVTCHNOP_INIT_CONTROL, &ic);
    if (rc == PVABI_OK) {
      EXPECT_EQ(ic.link_bits, uint32_t{PVABI_EVTQ_LINK_BITS});
      offsets[vcpu] = offset;
      frames[vcpu] = frame == kNoFrame ? control : frame;
    }
    return rc;
  }
  int64_t expand(Mfn frame) {
    pvabi_evtq_expand_array ea{frame.value()};
    const int64_t rc = evtchn(g, PVABI_EVTCHNOP_EXPAND_ARRAY, &ea);
    if (rc == PVABI_OK) pages.push_back(frame);
    return rc;
  }
  int64_t expand() { return expand(g.mfn(g.take_pfn())); }
  int64_t set_priority(uint32_t port, uint32_t priority) {
    pvabi_evtq_set_priority sp{port, priority};
    return evtchn(g, PVABI_EVTCHNOP_SET_PRIORITY, &sp);
  }

  pvabi_evtq_control_block* cb(uint32_t vcpu = 0) {
    return reinterpret_cast<pvabi_evtq_control_block*>(platform::frame_memory(frames[vcpu]) + offsets[vcpu]);
  }
  uint32_t* word(uint32_t port) {
    return reinterpret_cast<uint32_t*>(platform::frame_memory(pages.at(port / PVABI_EVTQ_WORDS_PER_PAGE))) +
           port % PVABI_EVTQ_WORDS_PER_PAGE;
  }
  void set(uint32_t port, uint32_t flags) { __atomic_fetch_or(word(port), flags, __ATOMIC_SEQ_CST); }
  void clear(uint32_t port, uint32_t flags) { __atomic_fetch_and(word(port), ~flags, __ATOMIC_SEQ_CST); }

  // Handles every ready queue, highest priority first; the ports in order.
  Ports consume(uint32_t vcpu = 0) {
    Ports handled;
    pvabi_evtq_control_block* c = cb(vcpu);
    uint32_t ready = __atomic_exchange_n(&c->ready, 0u, __ATOMIC_SEQ_CST);
    while (ready != 0) {
      const unsigned prio = static_cast<unsigned>(__builtin_ctz(ready));
      uint32_t port = heads[vcpu][prio];
      if (port == 0) port = __atomic_load_n(&c->head[prio], __ATOMIC_ACQUIRE);
      uint32_t* w = word(port);
      uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
      while (!__atomic_compare_exchange_n(w, &old, old & ~(PVABI_EVTQ_WORD_LINKED | PVABI_EVTQ_WORD_LINK_MASK),
                                          false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      }
      const uint32_t next = old & PVABI_EVTQ_WORD_LINK_MASK;
      if (next == 0) ready &= ~(1u << prio);
      if ((old & PVABI_EVTQ_WORD_PENDING) != 0 && (old & PVABI_EVTQ_WORD_MASKED) == 0) {
        clear(port, PVABI_EVTQ_WORD_PENDING);
        handled.push_back(port);
      }
      heads[vcpu][prio] = next;
      ready |= __atomic_exchange_n(&c->ready, 0u, __ATOMIC_SEQ_CST);
    }
    return handled;
  }

  TestGuest& g;
  Mfn control;
  Mfn frames[2] = {kNoFrame, kNoFrame};
  uint32_t offsets[2] = {};
  std::vector<Mfn> pages;
  uint32_t heads[2][PVABI_EVTQ_PRIORITIES] = {};
};

TEST_F(EventChannelTest, InitControlStatuses) {
  TestGuest g("g", TestGuestConfig{.vcpus = 2}), other("other");
  QueueGuest q(g);
  const Mfn table = g.make_table_frame([](uint64_t*) {});
  pvabi_evtq_init_control ic{q.control.value(), 64, 0, 0, 1};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_INIT_CONTROL, &ic), PVABI_EINVAL);  // _pad0
  EXPECT_EQ(q.init(2), PVABI_ESRCH);
  EXPECT_EQ(q.init(0, 4), PVABI_EINVAL);  // not 8-aligned
  EXPECT_EQ(q.init(0, PVABI_PAGE_SIZE - 64), PVABI_EINVAL);  // runs off the frame
  EXPECT_EQ(q.init(0, 64, other.mfn(other.take_pfn())), PVABI_EPERM);
  EXPECT_EQ(q.init(0, 64, Mfn{1ull << 40}), PVABI_EPERM);
  ASSERT_EQ(g.call(PVABI_HC_MMUEXT_OP, g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, table.value(), 0}).value(),
                   1, 0, kSelf),
            PVABI_OK);
  EXPECT_EQ(q.init(0, 64, table), PVABI_EBUSY);
  EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_INIT_CONTROL, read_only_va(g).value()), PVABI_EFAULT);
  EXPECT_EQ(event_port_limit(g.domain()), uint32_t{PVABI_EVTCHN_2L_PORTS});  // the failures left the layout

  EXPECT_EQ(q.init(0, PVABI_PAGE_SIZE - sizeof(pvabi_evtq_control_block)), PVABI_OK);
  EXPECT_EQ(event_port_limit(g.domain()), PVABI_EVTQ_MAX_PORTS);
  EXPECT_EQ(q.init(0), PVABI_EEXIST);
  EXPECT_EQ(q.init(1, 0), PVABI_OK);  // a second vCPU, same frame
  EXPECT_EQ(frame_table().info(q.control).type, FrameType::kWritable);
  expect_invariants();
}

TEST_F(EventChannelTest, ExpandArrayAndSetPriorityStatuses) {
  TestGuest g("g"), other("other");
  QueueGuest q(g);
  const uint32_t port = bind_ipi(g);
  EXPECT_EQ(q.expand(), PVABI_EINVAL);  // not initialised
  EXPECT_EQ(q.set_priority(port, 1), PVABI_EINVAL);
  ASSERT_EQ(q.init(), PVABI_OK);
  EXPECT_EQ(q.expand(other.mfn(other.take_pfn())), PVABI_EPERM);
  const Mfn table = g.make_table_frame([](uint64_t*) {});
  ASSERT_EQ(g.call(PVABI_HC_MMUEXT_OP, g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, table.value(), 0}).value(),
                   1, 0, kSelf),
            PVABI_OK);
  EXPECT_EQ(q.expand(table), PVABI_EBUSY);
  EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_EXPAND_ARRAY, 0x1000), PVABI_EFAULT);
  // The same frame may back every page (the guest's own confusion); the count is what is limited.
  const Mfn page = g.mfn(g.take_pfn());
  for (uint32_t i = 0; i < PVABI_EVTQ_MAX_PORTS / PVABI_EVTQ_WORDS_PER_PAGE; ++i) ASSERT_EQ(q.expand(page), PVABI_OK);
  EXPECT_EQ(q.expand(page), PVABI_ENOSPC);
  EXPECT_EQ(frame_table().info(page).type, FrameType::kWritable);

  EXPECT_EQ(q.set_priority(port + 1, 1), PVABI_ERANGE);
  EXPECT_EQ(q.set_priority(port, PVABI_EVTQ_PRIORITIES), PVABI_ERANGE);
  EXPECT_EQ(q.set_priority(port, 0), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SET_PRIORITY, 0x1000), PVABI_EFAULT);
  expect_invariants();
}

TEST_F(EventChannelTest, QueueDeliversByPriorityThenInOrder) {
  TestGuest g("g");
  QueueGuest q(g);
  ASSERT_EQ(q.init(), PVABI_OK);
  ASSERT_EQ(q.expand(), PVABI_OK);
  const uint32_t p1 = bind_ipi(g), p2 = bind_ipi(g), p3 = bind_ipi(g), p4 = bind_ipi(g);
  ASSERT_EQ(q.set_priority(p2, 2), PVABI_OK);
  ASSERT_EQ(q.set_priority(p4, 2), PVABI_OK);
  for (const uint32_t p : {p1, p2, p3, p4}) ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(q.cb()->ready, (1u << 2) | (1u << PVABI_EVTQ_DEFAULT_PRIORITY));
  EXPECT_EQ(q.cb()->head[2], p2);
  EXPECT_EQ(*q.word(p2) & PVABI_EVTQ_WORD_LINK_MASK, p4);
  EXPECT_EQ(g.domain().shared_info().vcpu_info[0].upcall_pending, 1);
  EXPECT_EQ(g.domain().shared_info().evtchn_pending[0], 0u);  // the 2-level bits are not used
  EXPECT_EQ(q.consume(), (Ports{p2, p4, p1, p3}));
  EXPECT_EQ(q.cb()->ready, 0u);
  // Queues that emptied start again at head; a port relinks after it was consumed.
  for (const uint32_t p : {p3, p1}) ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(q.consume(), (Ports{p3, p1}));
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p1), PVABI_OK);
  EXPECT_EQ(q.consume(), Ports{p1});
  // A port last consumed from priority 7 and now raised at priority 0
  // leaves priority 7 empty, so the next event there starts it again.
  ASSERT_EQ(q.set_priority(p1, 0), PVABI_OK);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p1), PVABI_OK);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p3), PVABI_OK);
  EXPECT_EQ(q.cb()->head[PVABI_EVTQ_DEFAULT_PRIORITY], p3);
  EXPECT_EQ(q.consume(), (Ports{p1, p3}));
  EXPECT_EQ(g.domain().stats.events_delivered, 9u);
  expect_invariants();
}

TEST_F(EventChannelTest, QueueMaskUnmaskCloseAndBusy) {
  TestGuest g("g");
  QueueGuest q(g);
  ASSERT_EQ(q.init(), PVABI_OK);
  ASSERT_EQ(q.expand(), PVABI_OK);
  const uint32_t p = bind_ipi(g), r = bind_ipi(g);
  q.set(p, PVABI_EVTQ_WORD_MASKED);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  EXPECT_EQ(*q.word(p), PVABI_EVTQ_WORD_PENDING | PVABI_EVTQ_WORD_MASKED);
  EXPECT_TRUE(event_port_pending(g.domain(), p));
  EXPECT_EQ(q.cb()->ready, 0u);
  q.clear(p, PVABI_EVTQ_WORD_MASKED);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_UNMASK, p), PVABI_OK);
  EXPECT_EQ(*q.word(p), PVABI_EVTQ_WORD_PENDING | PVABI_EVTQ_WORD_LINKED);
  EXPECT_EQ(q.consume(), Ports{p});

  // Close clears PENDING.
  q.set(r, PVABI_EVTQ_WORD_MASKED);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, r), PVABI_OK);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_CLOSE, r), PVABI_OK);
  EXPECT_EQ(*q.word(r), PVABI_EVTQ_WORD_MASKED);

  // A guest holding BUSY on the tail through every attempt does not stall
  // the hypervisor: the new port starts a chain at head.
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, p), PVABI_OK);
  q.set(p, PVABI_EVTQ_WORD_BUSY);
  const uint32_t s = bind_ipi(g);
  ASSERT_EQ(s, r);  // reused: the guest unmasks it
  q.clear(s, PVABI_EVTQ_WORD_MASKED);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, s), PVABI_OK);
  EXPECT_EQ(*q.word(p) & PVABI_EVTQ_WORD_LINK_MASK, 0u);
  EXPECT_EQ(q.cb()->head[PVABI_EVTQ_DEFAULT_PRIORITY], s);
  expect_invariants();
}

TEST_F(EventChannelTest, QueueTakesOverPendingPortsAndScalesPast4096) {
  TestGuest g("g", TestGuestConfig{.vcpus = 2});
  QueueGuest q(g);
  const uint32_t early = bind_ipi(g, 0);
  const uint32_t on_vcpu1 = bind_ipi(g, 1);
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, early), PVABI_OK);  // pending in the 2-level layout
  ASSERT_EQ(q.init(0), PVABI_OK);
  EXPECT_TRUE(event_port_pending(g.domain(), early));  // no event word yet: remembered
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, on_vcpu1), PVABI_OK);  // vCPU 1 has no control block yet
  ASSERT_EQ(q.expand(), PVABI_OK);
  EXPECT_EQ(q.consume(0), Ports{early});
  EXPECT_EQ(q.init(1, 128), PVABI_OK);
  EXPECT_EQ(q.consume(1), Ports{on_vcpu1});

  // Ports past the 2-level limit.
  fill_ports(g, 4500);
  pvabi_evtchn_status s{kSelf, 0, 4500, 0, 0, 0, 0};
  EXPECT_EQ(evtchn(g, PVABI_EVTCHNOP_STATUS, &s), PVABI_OK);
  EXPECT_EQ(s.state, uint32_t{PVABI_EVTCHN_STATE_IPI});
  ASSERT_EQ(port_op(g, PVABI_EVTCHNOP_SEND, 4500), PVABI_OK);
  EXPECT_EQ(q.consume(0), Ports{});  // no event word for it yet
  for (int i = 0; i < 4; ++i) ASSERT_EQ(q.expand(), PVABI_OK);  // ports up to 5119
  EXPECT_EQ(q.consume(0), Ports{4500});
  expect_invariants();
}

}  // namespace
}  // namespace hv
