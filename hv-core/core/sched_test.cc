// The scheduler driven as the platform loop drives it (pick, run a slice,
// account, run timers), the SCHED_OP and SET_TIMER_OP hypercalls with every
// status, and the run queue's heap on its own.
#include "sched.h"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "console.h"
#include "domain.h"
#include "event_channel.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "time.h"

namespace hv {
namespace {

using host::TestGuest;
using host::TestGuestConfig;

class SchedTest : public host::CoreTest {
 protected:
  void TearDown() override {
    host::CoreTest::TearDown();
    sched_set_slice_ns(kDefaultSliceNs);
    EXPECT_EQ(sched_current(), nullptr);
    EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});
  }
};

// A running domain of one frame: enough for the scheduler.
Domain& small_domain(uint32_t weight = 0) {
  DomainConfig c;
  c.memory_frames = 1;
  c.weight = weight;
  const Result<Domain*> d = create_domain(c);
  HV_CHECK(d.is_ok());
  domain_unpause(*d.value);
  return *d.value;
}

int64_t call(Vcpu& v, uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0) {
  return hypercall(v, number, HypercallArgs{{a0, a1, 0, 0, 0, 0}});
}

// One turn of the platform loop: the vCPU picked (nullptr: idle) runs `ns`.
Vcpu* run_slice(uint64_t ns = kDefaultSliceNs) {
  Vcpu* v = sched_pick_next();
  host::advance_tsc(ns);
  if (v != nullptr) sched_account(*v, ns);
  sched_run_timers(hypervisor_time_ns());
  return v;
}

bool port_pending(Domain& d, uint32_t port) { return event_port_pending(d, port); }

uint32_t bind_virq(TestGuest& g, uint32_t virq) {
  const Gva at = g.put(pvabi_evtchn_bind_virq{virq, 0, 0, 0});
  EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_VIRQ, at.value()), PVABI_OK);
  return g.get<pvabi_evtchn_bind_virq>(at).port;
}

uint32_t bind_ipi(TestGuest& g) {
  const Gva at = g.put(pvabi_evtchn_bind_ipi{0, 0});
  EXPECT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_IPI, at.value()), PVABI_OK);
  return g.get<pvabi_evtchn_bind_ipi>(at).port;
}

// The guest's upcall, reduced to what these tests need: take the events.
void take_events(Vcpu& v) {
  v.info().upcall_pending = 0;
  v.info().pending_sel = 0;
  for (pvabi_u64& w : v.domain->shared_info().evtchn_pending) w = 0;
}

TEST_F(SchedTest, PausedDomainsDoNotRunAndPausesNest) {
  EXPECT_EQ(sched_pick_next(), nullptr);  // idle
  DomainConfig c;
  c.memory_frames = 1;
  Domain& d = *create_domain(c).value;
  EXPECT_EQ(d.pause_count, 1u);
  EXPECT_TRUE(d.vcpus[0]->up);
  EXPECT_FALSE(sched_runnable(*d.vcpus[0]));
  EXPECT_EQ(sched_pick_next(), nullptr);
  EXPECT_EQ(d.vcpus[0]->time.runstate.state, uint32_t{PVABI_RUNSTATE_OFFLINE});
  domain_unpause(d);
  EXPECT_EQ(d.vcpus[0]->time.runstate.state, uint32_t{PVABI_RUNSTATE_RUNNABLE});
  EXPECT_EQ(run_slice(), d.vcpus[0]);
  domain_pause(d);
  domain_pause(d);
  domain_unpause(d);
  EXPECT_EQ(run_slice(), nullptr);
  domain_unpause(d);
  EXPECT_EQ(run_slice(), d.vcpus[0]);
}

TEST_F(SchedTest, VcpusComeUpAndGoDown) {
  DomainConfig c;
  c.memory_frames = 1;
  c.max_vcpus = 2;
  Domain& d = *create_domain(c).value;
  domain_unpause(d);
  Vcpu& v1 = *d.vcpus[1];
  EXPECT_FALSE(v1.up);
  EXPECT_EQ(v1.time.runstate.state, uint32_t{PVABI_RUNSTATE_OFFLINE});
  sched_vcpu_up(v1);
  EXPECT_TRUE(sched_runnable(v1));
  sched_vcpu_down(*d.vcpus[0]);
  EXPECT_EQ(run_slice(), &v1);
  EXPECT_EQ(run_slice(), &v1);
  EXPECT_EQ(d.vcpus[0]->time.runstate.state, uint32_t{PVABI_RUNSTATE_OFFLINE});
}

TEST_F(SchedTest, CpuTimeFollowsWeights) {
  Domain& light = small_domain(256);
  Domain& mid = small_domain(512);
  Domain& heavy = small_domain(1024);
  std::map<Domain*, int> slices;
  for (int i = 0; i < 7000; ++i) ++slices[run_slice()->domain];
  EXPECT_NEAR(slices[&light], 1000, 10);
  EXPECT_NEAR(slices[&mid], 2000, 10);
  EXPECT_NEAR(slices[&heavy], 4000, 10);
  EXPECT_NEAR(static_cast<double>(vcpu_running_ns(*heavy.vcpus[0])), 4000.0 * kDefaultSliceNs, 10.0 * kDefaultSliceNs);
}

TEST_F(SchedTest, SliceIsConfigurableAndEqualWeightsAlternate) {
  sched_set_slice_ns(250000);
  EXPECT_EQ(sched_slice_ns(), 250000u);
  Domain& a = small_domain();
  Domain& b = small_domain();
  Vcpu* first = run_slice(sched_slice_ns());
  Vcpu* second = run_slice(sched_slice_ns());
  EXPECT_NE(first, second);
  EXPECT_EQ(run_slice(sched_slice_ns()), first);
  EXPECT_TRUE((first == a.vcpus[0] && second == b.vcpus[0]) || (first == b.vcpus[0] && second == a.vcpus[0]));
}

TEST_F(SchedTest, YieldLetsTheOtherVcpuRun) {
  Domain& a = small_domain();
  Domain& b = small_domain();
  Vcpu* v = sched_pick_next();
  Vcpu* other = v == a.vcpus[0] ? b.vcpus[0] : a.vcpus[0];
  EXPECT_EQ(call(*v, PVABI_HC_SCHED_OP, PVABI_SCHEDOP_YIELD), PVABI_OK);
  sched_account(*v, 0);  // it gave up at once, yet it goes behind
  EXPECT_TRUE(sched_runnable(*v));
  EXPECT_EQ(sched_pick_next(), other);
  sched_account(*other, 0);
  EXPECT_EQ(call(*v, PVABI_HC_SCHED_OP, 99), PVABI_ENOSYS);
}

TEST_F(SchedTest, BlockUnmasksAndReturnsAtOnceWhenAnEventIsPending) {
  Domain& d = small_domain();
  Vcpu& v = *d.vcpus[0];
  EXPECT_EQ(v.info().upcall_mask, 1);
  v.info().upcall_pending = 1;
  EXPECT_EQ(call(v, PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK), PVABI_OK);
  EXPECT_EQ(v.info().upcall_mask, 0);
  EXPECT_TRUE(sched_runnable(v));
  v.info().upcall_pending = 0;
  EXPECT_EQ(call(v, PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK), PVABI_OK);
  EXPECT_FALSE(sched_runnable(v));
  EXPECT_EQ(v.time.runstate.state, uint32_t{PVABI_RUNSTATE_BLOCKED});
  EXPECT_EQ(run_slice(), nullptr);
  sched_wake(v);
  EXPECT_EQ(run_slice(), &v);
}

TEST_F(SchedTest, TimerFiresAtItsDeadlineAndNotBefore) {
  TestGuest g("g");
  domain_unpause(g.domain());
  Vcpu& v = g.vcpu();
  const uint32_t port = bind_virq(g, PVABI_VIRQ_TIMER);
  const uint64_t deadline = system_time_ns(v) + 5000;
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, deadline), PVABI_OK);
  ASSERT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK), PVABI_OK);
  const uint64_t at = sched_next_timer_deadline();
  EXPECT_EQ(at, to_hypervisor_time(v, deadline));
  host::advance_tsc(4999);
  sched_run_timers(hypervisor_time_ns());
  EXPECT_FALSE(port_pending(g.domain(), port));
  EXPECT_FALSE(sched_runnable(v));
  host::advance_tsc(1);
  EXPECT_EQ(hypervisor_time_ns(), at);
  sched_run_timers(hypervisor_time_ns());
  EXPECT_TRUE(port_pending(g.domain(), port));
  EXPECT_TRUE(sched_runnable(v));  // the event woke it
  EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});

  // 0 cancels; a deadline already passed fires at once; re-arming replaces.
  take_events(v);
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(v) + 100), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, 0), PVABI_OK);
  EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(v)), PVABI_OK);
  EXPECT_TRUE(port_pending(g.domain(), port));
  take_events(v);
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(v) + 100), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(v) + 300), PVABI_OK);
  host::advance_tsc(200);
  sched_run_timers(hypervisor_time_ns());
  EXPECT_FALSE(port_pending(g.domain(), port));
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, ~uint64_t{0}), PVABI_OK);  // far future: saturates
  EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});
  EXPECT_EQ(g.call(PVABI_HC_SET_TIMER_OP, 0), PVABI_OK);
}

// The bare-metal loop's shortcut: whenever sched_would_keep says yes, the
// full turn (account, fire timers, pick) would have picked the same vCPU.
TEST_F(SchedTest, WouldKeepAgreesWithTheFullTurn) {
  std::mt19937 rng(7);
  std::vector<Vcpu*> all;
  for (uint32_t w : {256u, 256u, 512u, 1024u}) all.push_back(small_domain(w).vcpus[0]);
  int kept = 0, switched = 0;
  for (int turn = 0; turn < 20000; ++turn) {
    Vcpu* v = sched_pick_next();
    if (v == nullptr) {
      host::advance_tsc(1000);
      sched_run_timers(hypervisor_time_ns());
      sched_wake(*all[rng() % all.size()]);
      continue;
    }
    const uint64_t ran = rng() % (2 * kDefaultSliceNs);
    host::advance_tsc(ran);
    switch (rng() % 8) {
      case 0: v->sched.yielded = true; break;
      case 1:
        if (rng() % 4 == 0) sched_block(*v);
        break;
      case 2: sched_set_timer(*v, system_time_ns(*v) + rng() % kDefaultSliceNs); break;
      case 3: sched_wake(*all[rng() % all.size()]); break;
      default: break;
    }
    const bool keep = sched_would_keep(*v, ran);
    sched_account(*v, ran);
    sched_run_timers(hypervisor_time_ns());
    Vcpu* next = sched_pick_next();
    if (keep) {
      ASSERT_EQ(next, v) << "turn " << turn;
      ++kept;
    } else {
      switched += next != v ? 1 : 0;
    }
    if (next != nullptr) sched_account(*next, 0);
  }
  EXPECT_GT(kept, 1000);  // both answers occur, so the check above ran
  EXPECT_GT(switched, 1000);
  for (Vcpu* v : all) sched_set_timer(*v, 0);
}

TEST_F(SchedTest, WouldKeepSaysNoForEachReasonToSwitch) {
  Domain& a = small_domain();
  Domain& b = small_domain();
  Vcpu* v = sched_pick_next();
  Vcpu* other = v == a.vcpus[0] ? b.vcpus[0] : a.vcpus[0];
  // Queued `other` is at the same virtual time: only a turn of 0 ns... still
  // ties, and ties go to the queue.
  EXPECT_FALSE(sched_would_keep(*v, 0));
  EXPECT_FALSE(sched_would_keep(*other, 0));  // not the current one
  sched_block(*other);
  EXPECT_TRUE(sched_would_keep(*v, 1000));
  EXPECT_FALSE(sched_would_keep(*v, kDefaultSliceNs));  // the slice is over
  v->sched.yielded = true;
  EXPECT_FALSE(sched_would_keep(*v, 1000));
  v->sched.yielded = false;
  sched_set_timer(*other, system_time_ns(*other) + 10);
  EXPECT_TRUE(sched_would_keep(*v, 1000));
  host::advance_tsc(10);
  EXPECT_FALSE(sched_would_keep(*v, 1000));  // a timer is due
  sched_set_timer(*other, 0);
  sched_block(*v);
  EXPECT_FALSE(sched_would_keep(*v, 1000));
  sched_account(*v, 0);
  sched_wake(*v);
  sched_wake(*other);
}

// The paper's latency experiment: a domain woken by an event runs within
// one slice even with 128 others always busy.
TEST_F(SchedTest, AWokenDomainRunsWithinOneSliceWhile128AreBusy) {
  for (int i = 0; i < 128; ++i) small_domain();
  TestGuest g("woken");
  domain_unpause(g.domain());
  Vcpu& w = g.vcpu();
  bind_virq(g, PVABI_VIRQ_TIMER);
  ASSERT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK), PVABI_OK);
  for (int i = 0; i < 3 * 129; ++i) run_slice();  // everyone busy for a while
  for (int wakeup = 0; wakeup < 20; ++wakeup) {
    // Its timer goes off in the middle of the next slice.
    ASSERT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(w) + kDefaultSliceNs / 2), PVABI_OK);
    EXPECT_NE(run_slice(), &w);
    EXPECT_TRUE(sched_runnable(w));
    // The very next decision picks it; it handles the event and blocks again.
    Vcpu* next = sched_pick_next();
    ASSERT_EQ(next, &w) << "wakeup " << wakeup;
    host::advance_tsc(20000);
    take_events(w);
    ASSERT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_BLOCK), PVABI_OK);
    sched_account(w, 20000);
    for (int i = 0; i < 10; ++i) EXPECT_NE(run_slice(), &w);
  }
}

// BVT's other half: a long sleeper runs first when it wakes, then gets its
// share, not the CPU time it slept through.
TEST_F(SchedTest, ASleeperDoesNotHoardCredit) {
  small_domain();
  small_domain();
  Vcpu& sleeper = *small_domain().vcpus[0];
  sched_block(sleeper);
  for (int i = 0; i < 1000; ++i) EXPECT_NE(run_slice(), &sleeper);
  sched_wake(sleeper);
  EXPECT_EQ(run_slice(), &sleeper);
  int turns = 1;
  for (int i = 1; i < 300; ++i) turns += run_slice() == &sleeper ? 1 : 0;
  EXPECT_GE(turns, 100);
  EXPECT_LE(turns, 102);
}

// A domain created after others ran long does not wait for them to catch
// up, nor they for it.
TEST_F(SchedTest, ANewDomainJoinsAtTheSystemsVirtualTime) {
  Domain& old = small_domain();
  for (int i = 0; i < 500; ++i) run_slice();
  Domain& fresh = small_domain();
  int fresh_turns = 0;
  for (int i = 0; i < 100; ++i) fresh_turns += run_slice()->domain == &fresh ? 1 : 0;
  EXPECT_NEAR(fresh_turns, 50, 2);
  (void)old;
}

// 10,000 domains do not fit the host machine's 16384 frames (each needs its
// memory and a shared info page), so: as many as fit, scheduled round robin,
// and the heap behind the run queue on its own at 10,000 and more below.
TEST_F(SchedTest, ThousandsOfDomainsAreScheduledFairly) {
  const uint64_t fit = frame_table().free_frames() / 2;
  const int n = static_cast<int>(std::min<uint64_t>(fit, 8000));
  ASSERT_GE(n, 8000);
  std::vector<Domain*> domains;
  for (int i = 0; i < n; ++i) domains.push_back(&small_domain());
  std::map<Domain*, int> slices;
  for (int i = 0; i < 3 * n; ++i) ++slices[run_slice(100000)->domain];
  ASSERT_EQ(slices.size(), domains.size());
  for (const auto& [d, count] : slices) EXPECT_EQ(count, 3);
}

TEST_F(SchedTest, HeapOrdersTenThousandNodesAndRemovesAnyOfThem) {
  constexpr int kNodes = 20000;
  std::vector<HeapNode> nodes(kNodes);
  std::mt19937_64 rng(42);
  MinHeap heap;
  for (HeapNode& n : nodes) heap.insert(&n, rng() % 1000);  // many equal keys
  for (int i = 0; i < kNodes; i += 3) heap.remove(&nodes[i]);
  EXPECT_EQ(heap.size(), uint64_t{kNodes - (kNodes + 2) / 3});
  uint64_t last_key = 0, last_order = 0;
  bool first = true;
  while (HeapNode* n = heap.pop()) {
    EXPECT_TRUE(first || n->key > last_key || (n->key == last_key && n->order > last_order));
    EXPECT_FALSE(n->queued);
    last_key = n->key;
    last_order = n->order;
    first = false;
  }
  EXPECT_TRUE(heap.empty());
  // Nodes go back in after they came out.
  heap.insert(&nodes[5], 7);
  heap.insert(&nodes[6], 3);
  EXPECT_EQ(heap.pop(), &nodes[6]);
  EXPECT_EQ(heap.pop(), &nodes[5]);
}

TEST_F(SchedTest, ShutdownStatuses) {
  TestGuest g("g");
  TestGuest ctl("ctl", TestGuestConfig{.privileged = true});
  domain_unpause(g.domain());
  const uint32_t dom_exc = bind_virq(ctl, PVABI_VIRQ_DOM_EXC);
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, g.put(pvabi_sched_shutdown{5, 0}).value()),
            PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, g.put(pvabi_sched_shutdown{0, 1}).value()),
            PVABI_EINVAL);
  EXPECT_FALSE(g.domain().shut_down);
  EXPECT_TRUE(sched_runnable(g.vcpu()));

  console_write(g.domain(), "bye", 3);  // a partial line
  host::clear_console_lines();
  ASSERT_EQ(g.call(PVABI_HC_SET_TIMER_OP, system_time_ns(g.vcpu()) + 1000), PVABI_OK);
  const Gva crash = g.put(pvabi_sched_shutdown{PVABI_SHUTDOWN_CRASH, 0});
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, crash.value()), PVABI_OK);
  EXPECT_TRUE(g.domain().shut_down);
  EXPECT_EQ(g.domain().shutdown_reason, uint32_t{PVABI_SHUTDOWN_CRASH});
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  EXPECT_EQ(g.vcpu().time.runstate.state, uint32_t{PVABI_RUNSTATE_OFFLINE});
  EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});  // its timer is gone
  EXPECT_TRUE(port_pending(ctl.domain(), dom_exc));
  ASSERT_EQ(host::console_lines().size(), 1u);
  EXPECT_EQ(host::console_lines()[0].text, "bye");
  EXPECT_EQ(run_slice(), nullptr);
}

TEST_F(SchedTest, PollStatuses) {
  TestGuest g("g");
  domain_unpause(g.domain());
  const uint32_t a = bind_ipi(g), b = bind_ipi(g);
  auto poll = [&](std::vector<uint32_t> ports, uint64_t timeout = 0, uint32_t count = 0, uint32_t pad = 0) {
    const Gva list = g.alloc(4 * std::max<size_t>(ports.size(), 1), 4);
    if (!ports.empty()) HV_CHECK(copy_to_guest(g.vcpu(), list, ports.data(), 4 * ports.size()) == Status::kOk);
    const uint32_t n = count != 0 ? count : static_cast<uint32_t>(ports.size());
    return g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, g.put(pvabi_sched_poll{list.value(), n, pad, timeout}).value());
  };
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, g.put(pvabi_sched_poll{0x1000, 1, 0, 0}).value()),
            PVABI_EFAULT);
  EXPECT_EQ(poll({a}, 0, 0, 1), PVABI_EINVAL);
  EXPECT_EQ(poll({}, 0, 0), PVABI_EINVAL);  // count 0
  EXPECT_EQ(poll({a}, 0, PVABI_SCHED_POLL_MAX + 1), PVABI_E2BIG);
  EXPECT_EQ(poll({a, b + 1}), PVABI_ERANGE);
  EXPECT_EQ(poll({a, 0}), PVABI_ERANGE);
  EXPECT_TRUE(sched_runnable(g.vcpu()));

  // Already pending (masked, even): at once.
  g.domain().shared_info().evtchn_mask[0] = ~uint64_t{0};
  ASSERT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, g.put(pvabi_evtchn_port{b, 0}).value()),
            PVABI_OK);
  EXPECT_EQ(poll({a, b}), PVABI_OK);
  EXPECT_TRUE(sched_runnable(g.vcpu()));
  take_events(g.vcpu());
  // A timeout already passed.
  host::advance_tsc(10);
  EXPECT_EQ(poll({a}, system_time_ns(g.vcpu())), PVABI_EAGAIN);
  EXPECT_TRUE(sched_runnable(g.vcpu()));

  // Blocks until one of its ports is raised; another port does not wake it.
  EXPECT_EQ(poll({b}), PVABI_OK);
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  EXPECT_EQ(g.vcpu().time.runstate.state, uint32_t{PVABI_RUNSTATE_BLOCKED});
  ASSERT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, g.put(pvabi_evtchn_port{a, 0}).value()),
            PVABI_OK);
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  sched_wake(g.vcpu());  // an upcall does not end a poll either
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  ASSERT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, g.put(pvabi_evtchn_port{b, 0}).value()),
            PVABI_OK);
  EXPECT_TRUE(sched_runnable(g.vcpu()));
  EXPECT_EQ(sched_poll_result(g.vcpu()), PVABI_OK);
  take_events(g.vcpu());

  // Or until its timeout, which it then reports.
  EXPECT_EQ(poll({a, b}, system_time_ns(g.vcpu()) + 1000), PVABI_OK);
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  host::advance_tsc(999);
  sched_run_timers(hypervisor_time_ns());
  EXPECT_FALSE(sched_runnable(g.vcpu()));
  host::advance_tsc(1);
  sched_run_timers(hypervisor_time_ns());
  EXPECT_TRUE(sched_runnable(g.vcpu()));
  EXPECT_EQ(sched_poll_result(g.vcpu()), PVABI_EAGAIN);
  EXPECT_EQ(g.domain().sched.pollers, 0u);
}

TEST_F(SchedTest, APollThatBlockedReportsItsResultOnceWhenItEnds) {
  TestGuest g("g");
  domain_unpause(g.domain());
  const uint32_t a = bind_ipi(g);
  const Gva list = g.put(a);
  auto poll = [&](uint64_t timeout) {
    return g.call(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, g.put(pvabi_sched_poll{list.value(), 1, 0, timeout}).value());
  };
  int64_t result = 0;
  // Nothing to report before a poll, nor while it blocks.
  EXPECT_FALSE(sched_take_poll_result(g.vcpu(), &result));
  ASSERT_EQ(poll(system_time_ns(g.vcpu()) + 1000), PVABI_OK);
  EXPECT_FALSE(sched_take_poll_result(g.vcpu(), &result));
  host::advance_tsc(1000);
  sched_run_timers(hypervisor_time_ns());
  ASSERT_TRUE(sched_take_poll_result(g.vcpu(), &result));
  EXPECT_EQ(result, PVABI_EAGAIN);
  EXPECT_FALSE(sched_take_poll_result(g.vcpu(), &result));  // once
  // Ended by its port: PVABI_OK.
  ASSERT_EQ(poll(0), PVABI_OK);
  ASSERT_EQ(g.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, g.put(pvabi_evtchn_port{a, 0}).value()),
            PVABI_OK);
  ASSERT_TRUE(sched_take_poll_result(g.vcpu(), &result));
  EXPECT_EQ(result, PVABI_OK);
  // A poll that did not block (its port pending) has nothing to report later.
  ASSERT_EQ(poll(0), PVABI_OK);
  EXPECT_FALSE(sched_take_poll_result(g.vcpu(), &result));
}

TEST_F(SchedTest, DestroyingDomainsKeepsTheQueuesConsistent) {
  Domain& a = small_domain();
  Domain& b = small_domain();
  Domain& c = small_domain();
  ASSERT_EQ(call(*b.vcpus[0], PVABI_HC_SET_TIMER_OP, system_time_ns(*b.vcpus[0]) + 1000), PVABI_OK);
  Vcpu* running = sched_pick_next();
  Domain& doomed = *running->domain;
  destroy_domain(&doomed);  // the running one
  EXPECT_EQ(sched_current(), nullptr);
  if (&doomed != &b) destroy_domain(&b);  // a queued one with a timer
  EXPECT_EQ(sched_next_timer_deadline(), ~uint64_t{0});
  std::vector<Vcpu*> left;
  for (int i = 0; i < 4; ++i) left.push_back(run_slice());
  for (Vcpu* v : left) {
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(v->domain == &a || v->domain == &c);
  }
}

}  // namespace
}  // namespace hv
