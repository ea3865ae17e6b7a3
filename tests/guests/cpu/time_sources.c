/*
 * The three time sources: system time (ns since boot) never goes backwards
 * over many reads; virtual time from the registered run-state area never
 * goes backwards, grows no faster than system time, and does not grow while
 * the vCPU is blocked; the wall clock moves with system time (two readings
 * differ by the system time between them) and starts at a plausible date.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

#define MS 1000000ull
#define Y2020 1577836800ull /* 2020-01-01 in seconds since 1970 */

static struct pvabi_runstate_info runstate __attribute__((aligned(64)));

int pvtest_setup(void) { return pv_vcpu_register_runstate_area(0, &runstate) == PVABI_OK ? 0 : 1; }

static uint64_t wall_ns(void) {
  uint64_t sec;
  uint32_t nsec;
  pv_time_wallclock(0, &sec, &nsec);
  return sec * PV_NS_PER_SEC + nsec;
}

static void spin_ns(uint64_t ns) {
  const uint64_t end = pv_time_system_ns(0) + ns;
  while (pv_time_system_ns(0) < end) {
  }
}

PVTEST(system_time_is_monotonic) {
  const uint64_t first = pv_time_system_ns(0);
  uint64_t last = first;
  unsigned backwards = 0;
  for (unsigned i = 0; i < 20000; ++i) {
    const uint64_t now = pv_time_system_ns(0);
    if (now < last) ++backwards;
    last = now;
    if (i % 1000 == 0) PVTEST_REQUIRE_OK(pv_sched_yield()); /* across hypervisor entries too */
  }
  PVTEST_EXPECT_EQ(backwards, 0);
  PVTEST_CHECK(first > 0);
  PVTEST_CHECK(last > first);
}

PVTEST(virtual_time_is_monotonic_and_no_faster_than_system_time) {
  struct pvabi_runstate_info rs;
  pv_runstate_read(&runstate, &rs);
  PVTEST_EXPECT_EQ(rs.state, PVABI_RUNSTATE_RUNNING);
  const uint64_t s0 = pv_time_system_ns(0);
  const uint64_t v0 = pv_time_virtual_ns(&runstate, 0);
  uint64_t last = v0;
  unsigned backwards = 0;
  for (unsigned i = 0; i < 5000; ++i) {
    const uint64_t v = pv_time_virtual_ns(&runstate, 0);
    if (v < last) ++backwards;
    last = v;
    if (i % 500 == 0) PVTEST_REQUIRE_OK(pv_sched_yield());
  }
  const uint64_t v1 = pv_time_virtual_ns(&runstate, 0);
  const uint64_t s1 = pv_time_system_ns(0);
  PVTEST_EXPECT_EQ(backwards, 0);
  PVTEST_CHECK(v1 > v0);
  PVTEST_CHECK_MSG(v1 - v0 <= s1 - s0, "ran %lu ns in %lu ns", v1 - v0, s1 - s0);
  PVTEST_CHECK(v1 <= s1); /* never more than the time since boot */
}

PVTEST(virtual_time_stands_still_while_blocked) {
  uint32_t port;
  PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(PVABI_DOMID_SELF, &port)); /* a port nothing will raise */
  const uint64_t s0 = pv_time_system_ns(0);
  const uint64_t v0 = pv_time_virtual_ns(&runstate, 0);
  PVTEST_EXPECT_STATUS(pv_sched_poll(&port, 1, s0 + 5 * MS), PVABI_EAGAIN);
  const uint64_t v1 = pv_time_virtual_ns(&runstate, 0);
  const uint64_t s1 = pv_time_system_ns(0);
  struct pvabi_runstate_info rs;
  pv_runstate_read(&runstate, &rs);
  PVTEST_CHECK(s1 - s0 >= 5 * MS);
  PVTEST_CHECK_MSG(v1 - v0 < (s1 - s0) / 2, "ran %lu ns of %lu ns while blocked", v1 - v0, s1 - s0);
  PVTEST_CHECK(rs.time[PVABI_RUNSTATE_BLOCKED] >= 4 * MS);
  PVTEST_REQUIRE_OK(pv_evtchn_close(port));
}

PVTEST(wall_clock_moves_with_system_time) {
  const uint64_t a = pv_time_system_ns(0);
  const uint64_t w1 = wall_ns();
  const uint64_t b = pv_time_system_ns(0);
  spin_ns(2 * MS);
  const uint64_t c = pv_time_system_ns(0);
  const uint64_t w2 = wall_ns();
  const uint64_t d = pv_time_system_ns(0);
  /* Each wall reading lies between the system readings around it. */
  PVTEST_CHECK_MSG(w2 - w1 >= c - b && w2 - w1 <= d - a, "wall moved %lu ns, system %lu..%lu ns", w2 - w1, c - b,
                   d - a);
  PVTEST_CHECK(w1 / PV_NS_PER_SEC > Y2020);
}

PVTEST(wall_clock_is_its_base_plus_system_time) {
  const struct pvabi_wallclock *wc = &pv_shared_info()->wallclock;
  PVTEST_CHECK(wc->nsec < PV_NS_PER_SEC);
  PVTEST_EXPECT_EQ(wc->version & 1, 0);
  const uint64_t base = wc->sec * PV_NS_PER_SEC + wc->nsec;
  const uint64_t a = pv_time_system_ns(0);
  const uint64_t w = wall_ns();
  const uint64_t b = pv_time_system_ns(0);
  PVTEST_CHECK(w >= base + a && w <= base + b);
}
