// Time (libpv/time.h, libpv/time_read.h): the scaled multiply, the three
// sources against hv-core's own view, and the seqlock readers under a
// concurrent writer.
#include <libpv/time.h>

#include <libpv/vcpu.h>
#include <pvabi/time.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "host_guest_fixture.h"
#include "hv-core/core/time.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

__extension__ typedef unsigned __int128 u128;

TEST(TimeScaleTest, MatchesA128BitProductAndPvabisEncoder) {
  const uint64_t deltas[] = {0, 1, 999, 1ull << 32, (1ull << 32) - 1, 123456789012345ull, ~0ull >> 1, ~0ull};
  const uint32_t muls[] = {0, 1, 0x80000000u, 0xffffffffu, 0x9abcdef1u};
  const int8_t shifts[] = {-5, -1, 0, 1, 3};
  for (uint64_t d : deltas) {
    for (uint32_t m : muls) {
      for (int8_t s : shifts) {
        const uint64_t shifted = s >= 0 ? d << s : d >> -s;
        const auto want = static_cast<uint64_t>((static_cast<u128>(shifted) * m) >> 32);
        ASSERT_EQ(pv_time_scale_delta(d, m, s), want) << d << " " << m << " " << int{s};
        ASSERT_EQ(pv_time_scale_delta(d, m, s), pvabi::scale_tsc_delta(d, m, s));
      }
    }
  }
  EXPECT_EQ(pv_time_scale_delta(1000, 0x80000000u, 64), 0u);  // a shift no TSC needs
}

class TimeTest : public HostGuestTest {};

TEST_F(TimeTest, SystemTimeIsTheHypervisorsExtrapolation) {
  const uint64_t t0 = pv_time_system_ns(0);
  EXPECT_EQ(t0, hv::system_time_ns(guest().vcpu()));
  hv::host::advance_tsc(123456);  // the host TSC runs at 1 GHz
  EXPECT_EQ(pv_time_system_ns(0), t0 + 123456);
  EXPECT_EQ(pv_time_system_ns(0), hv::system_time_ns(guest().vcpu()));
  hv::update_vcpu_time(guest().vcpu());  // a new publication changes nothing
  EXPECT_EQ(pv_time_system_ns(0), t0 + 123456);
  EXPECT_EQ(pv_time_system_ns(PVABI_SHARED_INFO_VCPUS), 0u);
}

TEST_F(TimeTest, WallClockIsItsBasePlusSystemTime) {
  hv::set_wallclock_base(1800000000, 999999000);
  hv::host::advance_tsc(3500);
  uint64_t sec = 0;
  uint32_t nsec = 0;
  pv_time_wallclock(0, &sec, &nsec);
  const pvabi_wallclock& wc = pv_shared_info()->wallclock;
  const uint64_t ns = wc.nsec + pv_time_system_ns(0);
  EXPECT_EQ(sec, wc.sec + ns / 1000000000);
  EXPECT_EQ(nsec, ns % 1000000000);
  EXPECT_GE(sec, 1800000000u);
}

TEST_F(TimeTest, VirtualTimeFromTheRegisteredRunstateArea) {
  auto* area = binding().alloc<pvabi_runstate_info>();
  const int rc = pv_vcpu_register_runstate_area(0, area);
  SKIP_IF_ENOSYS(rc, "vcpu_op");
  ASSERT_EQ(rc, PVABI_OK);
  hv::runstate_change(guest().vcpu(), PVABI_RUNSTATE_RUNNING);
  hv::host::advance_tsc(7000);
  EXPECT_EQ(pv_time_virtual_ns(area, 0), hv::vcpu_running_ns(guest().vcpu()));
  hv::runstate_change(guest().vcpu(), PVABI_RUNSTATE_BLOCKED);
  const uint64_t ran = pv_time_virtual_ns(area, 0);
  hv::host::advance_tsc(5000);  // blocked: no more virtual time
  EXPECT_EQ(pv_time_virtual_ns(area, 0), ran);
  EXPECT_GE(ran, 7000u);
  pvabi_runstate_info now{};
  ASSERT_EQ(pv_vcpu_get_runstate(0, &now), PVABI_OK);
  EXPECT_EQ(now.state, static_cast<uint32_t>(PVABI_RUNSTATE_BLOCKED));
}

TEST(SeqlockTest, ARetryIsNeededExactlyWhenTheVersionMoved) {
  uint32_t version = 4;
  const uint32_t v = pv_seq_begin(&version);
  EXPECT_EQ(v, 4u);
  EXPECT_FALSE(pv_seq_retry(&version, v));
  version = 5;  // a writer started
  EXPECT_TRUE(pv_seq_retry(&version, v));
  version = 6;  // and finished
  EXPECT_TRUE(pv_seq_retry(&version, v));
  EXPECT_EQ(pv_seq_begin(&version), 6u);
}

TEST(SeqlockTest, TheTscNeverGoesBack) {
  uint64_t last = pv_rdtsc();
  for (int i = 0; i < 1000; ++i) {
    const uint64_t now = pv_rdtsc();
    EXPECT_GE(now, last);
    last = now;
  }
}

TEST(RunstateTest, RunningTimeCountsTheCurrentStint) {
  pvabi_runstate_info rs{};
  rs.state = PVABI_RUNSTATE_RUNNING;
  rs.state_entry_time = 1000;
  rs.time[PVABI_RUNSTATE_RUNNING] = 400;
  EXPECT_EQ(pv_runstate_running_ns(&rs, 1500), 900u);
  EXPECT_EQ(pv_runstate_running_ns(&rs, 900), 400u);  // a clock behind the entry adds nothing
  rs.state = PVABI_RUNSTATE_RUNNABLE;
  EXPECT_EQ(pv_runstate_running_ns(&rs, 1500), 400u);
}

// A seqlock writer as the hypervisor's (odd while writing), racing readers.
template <typename T, typename Write>
void seqlock_write(T& area, Write&& write) {
  __atomic_store_n(&area.version, area.version + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  write();
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&area.version, area.version + 1, __ATOMIC_RELAXED);
}

// Widens the race windows: a writer that pauses between its stores is
// caught half-way by any reader that does not wait or retry.
void pause_a_little() {
  for (int i = 0; i < 50; ++i) __builtin_ia32_pause();
}

std::atomic<uint64_t> g_tsc{1000};
thread_local uint64_t t_last_tsc = 0;
uint64_t ticking_tsc() { return t_last_tsc = g_tsc.fetch_add(1, std::memory_order_seq_cst); }

// Readers run for as long as the writer publishes kUpdates times (bounded,
// in case a reader starves).
constexpr uint64_t kUpdates = 3000;
constexpr int kMaxReads = 20000000;

TEST(TimeConcurrencyTest, ReadersNeverSeeATornUpdateAndTimeNeverGoesBack) {
  // Every publication is exact (system = tsc + kOffset) with one of two
  // scales that both mean 1 tick = 1 ns; a reader that mixed two
  // publications, or a stamp of one with the scale of another, would be off.
  constexpr uint64_t kOffset = 5000000;
  constexpr int kReaders = 2;
  pvabi_vcpu_time_info t{};
  t.tsc_timestamp = 1000;
  t.system_time = 1000 + kOffset;
  t.tsc_to_system_mul = 0x80000000u;
  t.tsc_shift = 1;
  std::atomic<uint64_t> updates{0};
  std::atomic<int> started{0};
  std::thread writer([&] {
    while (started.load() < kReaders) {  // race with every reader
    }
    for (uint64_t i = 0; i < kUpdates; ++i) {
      const uint64_t stamp = g_tsc.load();
      seqlock_write(t, [&] {
        __atomic_store_n(&t.tsc_timestamp, stamp, __ATOMIC_RELAXED);
        pause_a_little();
        __atomic_store_n(&t.system_time, stamp + kOffset, __ATOMIC_RELAXED);
        pause_a_little();
        __atomic_store_n(&t.tsc_to_system_mul, i % 2 == 0 ? 0x40000000u : 0x80000000u, __ATOMIC_RELAXED);
        pause_a_little();
        __atomic_store_n(&t.tsc_shift, static_cast<int8_t>(i % 2 == 0 ? 2 : 1), __ATOMIC_RELAXED);
      });
      updates.fetch_add(1, std::memory_order_relaxed);
      pause_a_little();
    }
  });
  std::vector<std::thread> readers;
  std::atomic<int> errors{0};
  std::atomic<uint64_t> reads{0};
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      started.fetch_add(1);
      uint64_t last = 0;
      int i = 0;
      for (; i < kMaxReads && updates.load(std::memory_order_relaxed) < kUpdates; ++i) {
        const uint64_t now = pv_time_read_system_ns(&t, ticking_tsc);
        if (now != t_last_tsc + kOffset || now <= last) errors.fetch_add(1);
        last = now;
      }
      reads.fetch_add(static_cast<uint64_t>(i));
    });
  }
  for (auto& th : readers) th.join();
  writer.join();
  EXPECT_EQ(errors.load(), 0);
  RecordProperty("reads", std::to_string(reads.load()));
}

TEST(TimeConcurrencyTest, RunstateAndWallclockCopiesAreConsistent) {
  // The writer keeps sum(time[]) == state_entry_time, and sec == nsec.
  pvabi_runstate_info rs{};
  pvabi_wallclock wc{};
  std::atomic<uint64_t> updates{0};
  std::atomic<bool> started{false};
  std::thread writer([&] {
    while (!started.load()) {  // race with the reader
    }
    for (uint64_t i = 1; i <= kUpdates; ++i) {
      seqlock_write(rs, [&] {
        __atomic_store_n(&rs.time[i % 4], rs.time[i % 4] + 3, __ATOMIC_RELAXED);
        pause_a_little();
        __atomic_store_n(&rs.state_entry_time, rs.state_entry_time + 3, __ATOMIC_RELAXED);
        __atomic_store_n(&rs.state, static_cast<uint32_t>(i % 4), __ATOMIC_RELAXED);
      });
      seqlock_write(wc, [&] {
        __atomic_store_n(&wc.sec, i, __ATOMIC_RELAXED);
        pause_a_little();
        __atomic_store_n(&wc.nsec, static_cast<uint32_t>(i), __ATOMIC_RELAXED);
      });
      updates.fetch_add(1, std::memory_order_relaxed);
      pause_a_little();
    }
  });
  int errors = 0;
  uint64_t last_entry = 0;
  started = true;
  for (int i = 0; i < kMaxReads && updates.load(std::memory_order_relaxed) < kUpdates; ++i) {
    pvabi_runstate_info copy;
    pv_runstate_read(&rs, &copy);
    if (copy.time[0] + copy.time[1] + copy.time[2] + copy.time[3] != copy.state_entry_time) ++errors;
    if (copy.state_entry_time < last_entry) ++errors;
    last_entry = copy.state_entry_time;
    uint64_t sec;
    uint32_t nsec;
    pv_wallclock_read_at(&wc, 0, &sec, &nsec);
    if (sec != nsec) ++errors;
  }
  writer.join();
  EXPECT_EQ(errors, 0);
}

TEST_F(TimeTest, TheTimerIsArmedThroughTheHypervisor) {
  HypercallRecorder rec(binding());
  const int rc = pv_set_timer_after(0, 1000);
  SKIP_IF_ENOSYS(rc, "set_timer_op");
  EXPECT_EQ(rc, PVABI_OK);
  ASSERT_EQ(rec.calls.size(), 1u);
  EXPECT_EQ(rec.calls[0].nr, static_cast<uint64_t>(PVABI_HC_SET_TIMER_OP));
  EXPECT_EQ(rec.calls[0].args[0], pv_time_system_ns(0) + 1000);
  EXPECT_EQ(pv_set_timer(0), PVABI_OK);  // cancel
}

}  // namespace
}  // namespace libpv::testing
