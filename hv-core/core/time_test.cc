// The three time sources as a guest reads them (the seqlock loop of
// pvabi/time.h), run-state accounting, and the registered copies.
#include "time.h"

#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "sched.h"

namespace hv {
namespace {

using host::TestGuest;

constexpr uint64_t kNsPerSec = 1000000000ull;
constexpr uint64_t k2024 = 1704067200ull;

class TimeTest : public host::CoreTest {
 protected:
  void TearDown() override {
    host::CoreTest::TearDown();
    set_wallclock_base(k2024, 0);
  }
};

// A guest's clock read, as pvabi/time.h spells it out.
uint64_t guest_now(const pvabi_vcpu_time_info& t) {
  uint32_t v;
  uint64_t stamp, base;
  uint32_t mul;
  int8_t shift;
  do {
    v = __atomic_load_n(&t.version, __ATOMIC_ACQUIRE);
    stamp = t.tsc_timestamp;
    base = t.system_time;
    mul = t.tsc_to_system_mul;
    shift = t.tsc_shift;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
  } while ((v & 1) != 0 || v != __atomic_load_n(&t.version, __ATOMIC_RELAXED));
  return base + pvabi::scale_tsc_delta(platform::read_tsc() - stamp, mul, shift);
}

uint64_t total(const pvabi_runstate_info& r) { return r.time[0] + r.time[1] + r.time[2] + r.time[3]; }

Domain& small_domain() {
  DomainConfig c;
  c.memory_frames = 1;
  const Result<Domain*> d = create_domain(c);
  HV_CHECK(d.is_ok());
  return *d.value;
}

TEST_F(TimeTest, SeqlockVersionIsOddWhileWriting) {
  uint32_t version = 6;
  bool odd_inside = false;
  seqlock_write(&version, [&] { odd_inside = (version & 1) != 0; });
  EXPECT_TRUE(odd_inside);
  EXPECT_EQ(version, 8u);

  Domain& d = small_domain();
  Vcpu& v = *d.vcpus[0];
  const uint32_t before = v.info().time.version;
  EXPECT_EQ(before % 2, 0u);
  update_vcpu_time(v);
  EXPECT_EQ(v.info().time.version, before + 2);
  const uint32_t rs = v.time.runstate.version;
  runstate_change(v, PVABI_RUNSTATE_BLOCKED);
  EXPECT_EQ(v.time.runstate.version, rs + 2);
  runstate_change(v, PVABI_RUNSTATE_BLOCKED);  // no change, no update
  EXPECT_EQ(v.time.runstate.version, rs + 2);
}

TEST_F(TimeTest, SystemTimeStartsAtCreationAndNeverGoesBack) {
  host::advance_tsc(123456789);  // the machine has been up a while
  Domain& d = small_domain();
  Vcpu& v = *d.vcpus[0];
  const pvabi_vcpu_time_info& t = v.info().time;
  EXPECT_EQ(t.system_time, 0u);
  EXPECT_EQ(t.tsc_timestamp, platform::read_tsc());
  EXPECT_EQ(t.flags, PVABI_TIME_TSC_STABLE);
  const pvabi::TscScale s = pvabi::tsc_scale_for(platform::tsc_hz());
  EXPECT_EQ(t.tsc_to_system_mul, s.mul);
  EXPECT_EQ(t.tsc_shift, s.shift);

  uint64_t last = 0;
  const uint64_t steps[] = {1, 999, 7, 1000000, 3, 123456, 1ull << 33, 17};
  for (int round = 0; round < 4; ++round) {
    for (const uint64_t step : steps) {
      host::advance_tsc(step);
      const uint64_t now = guest_now(t);
      EXPECT_GE(now, last);
      EXPECT_EQ(now, system_time_ns(v));  // 1 tick is 1 ns on the host
      last = now;
      if (step % 2 == 1) update_vcpu_time(v);  // republished now and then
      EXPECT_EQ(guest_now(t), now);
    }
  }
  EXPECT_EQ(to_hypervisor_time(v, 5), v.time.boot_ns + 5);
  EXPECT_EQ(to_hypervisor_time(v, ~uint64_t{0}), ~uint64_t{0});
}

TEST_F(TimeTest, WallClockIsTheBaseAtSystemTimeZero) {
  host::advance_tsc(2 * kNsPerSec + 5);
  Domain& a = small_domain();
  const uint64_t boot = a.vcpus[0]->time.boot_ns;
  const pvabi_wallclock& wc = a.shared_info().wallclock;
  EXPECT_EQ(wc.version % 2, 0u);
  EXPECT_EQ(wc.sec, k2024 + boot / kNsPerSec);
  EXPECT_EQ(wc.nsec, boot % kNsPerSec);

  const uint32_t before = wc.version;
  set_wallclock_base(1800000000ull, 999999999u);
  Domain& b = small_domain();
  for (Domain* d : {&a, &b}) {
    const pvabi_wallclock& w = d->shared_info().wallclock;
    const uint64_t ns = 999999999u + d->vcpus[0]->time.boot_ns;
    EXPECT_EQ(w.sec, 1800000000ull + ns / kNsPerSec);
    EXPECT_EQ(w.nsec, ns % kNsPerSec);
    EXPECT_LT(w.nsec, kNsPerSec);
  }
  EXPECT_EQ(wc.version, before + 2);
}

TEST_F(TimeTest, RunStateTimesAddUp) {
  Domain& d = small_domain();
  Vcpu& v = *d.vcpus[0];
  auto stint = [&](uint64_t ns) { host::advance_tsc(ns); };
  stint(100);  // paused: OFFLINE
  domain_unpause(d);
  stint(200);  // RUNNABLE
  ASSERT_EQ(sched_pick_next(), &v);
  stint(300);  // RUNNING
  sched_block(v);
  stint(400);  // BLOCKED (still the current vCPU until accounted)
  sched_account(v, 700);
  sched_wake(v);
  stint(50);  // RUNNABLE
  ASSERT_EQ(sched_pick_next(), &v);
  stint(60);
  EXPECT_EQ(vcpu_running_ns(v), 360u);
  domain_pause(d);
  stint(70);  // OFFLINE
  sched_account(v, 60);

  pvabi_runstate_info r;
  fill_runstate(v, &r);
  EXPECT_EQ(r.state, uint32_t{PVABI_RUNSTATE_OFFLINE});
  EXPECT_EQ(r.time[PVABI_RUNSTATE_RUNNING], 360u);
  EXPECT_EQ(r.time[PVABI_RUNSTATE_RUNNABLE], 250u);
  EXPECT_EQ(r.time[PVABI_RUNSTATE_BLOCKED], 400u);
  EXPECT_EQ(r.time[PVABI_RUNSTATE_OFFLINE], 100u);
  EXPECT_EQ(r.state_entry_time, 1110u);
  EXPECT_EQ(total(r), r.state_entry_time);
  EXPECT_EQ(total(r) + (system_time_ns(v) - r.state_entry_time), system_time_ns(v));
  EXPECT_EQ(r.version % 2, 0u);
}

TEST_F(TimeTest, RegisteredRunstateAreaFollowsEveryChange) {
  TestGuest g("g");
  Vcpu& v = g.vcpu();
  const Gva area = g.alloc(sizeof(pvabi_runstate_info), 8);
  const Gva page_end = g.alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE) + (PVABI_PAGE_SIZE - 8);
  EXPECT_EQ(register_runstate_area(v, area.value() + 4), Status::kInvalid);
  EXPECT_EQ(register_runstate_area(v, page_end.value()), Status::kInvalid);  // crosses a page
  EXPECT_EQ(register_runstate_area(v, 0x1000), Status::kFault);
  const Gva read_only{g.get<pvabi_start_info>(g.layout().start_info).pt_base_va};
  EXPECT_EQ(register_runstate_area(v, read_only.value()), Status::kFault);
  EXPECT_EQ(v.time.runstate_area, Gva{0});

  ASSERT_EQ(register_runstate_area(v, area.value()), Status::kOk);
  auto copy_matches = [&] {
    pvabi_runstate_info mine;
    fill_runstate(v, &mine);
    const auto theirs = g.get<pvabi_runstate_info>(area);
    return theirs.version == mine.version && theirs.state == mine.state &&
           theirs.state_entry_time == mine.state_entry_time && total(theirs) == total(mine);
  };
  EXPECT_TRUE(copy_matches());
  domain_unpause(g.domain());
  host::advance_tsc(10);
  ASSERT_EQ(sched_pick_next(), &v);
  host::advance_tsc(20);
  sched_account(v, 20);
  EXPECT_TRUE(copy_matches());
  EXPECT_EQ(g.get<pvabi_runstate_info>(area).state, uint32_t{PVABI_RUNSTATE_RUNNABLE});
  // A failed registration keeps the old one; 0 ends it.
  EXPECT_EQ(register_runstate_area(v, 0x1000), Status::kFault);
  EXPECT_EQ(v.time.runstate_area, area);
  EXPECT_EQ(register_runstate_area(v, 0), Status::kOk);
  sched_block(v);
  EXPECT_EQ(g.get<pvabi_runstate_info>(area).state, uint32_t{PVABI_RUNSTATE_RUNNABLE});
}

TEST_F(TimeTest, RegisteredTimeAreaStopsQuietlyWhenUnmapped) {
  TestGuest g("g");
  Vcpu& v = g.vcpu();
  const uint64_t pfn = g.take_pfn();
  const Gva area = g.va_of(pfn) + 64;
  ASSERT_EQ(register_time_area(v, area.value()), Status::kOk);
  host::advance_tsc(1000);
  update_vcpu_time(v);
  const auto copy = g.get<pvabi_vcpu_time_info>(area);
  EXPECT_EQ(copy.version, v.info().time.version);
  EXPECT_EQ(copy.system_time, v.info().time.system_time);
  EXPECT_EQ(copy.tsc_timestamp, v.info().time.tsc_timestamp);
  EXPECT_EQ(guest_now(copy), system_time_ns(v));

  // The guest unmaps the page: the next update drops the registration.
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), 0, PVABI_UVMF_INVLPG), PVABI_OK);
  update_vcpu_time(v);
  EXPECT_EQ(v.time.time_area, Gva{0});
  update_vcpu_time(v);
}

}  // namespace
}  // namespace hv
