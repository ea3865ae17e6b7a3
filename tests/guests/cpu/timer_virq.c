/*
 * The one-shot timer and its virtual IRQ: PVABI_VIRQ_TIMER bound to a port,
 * the event upcall registered; set_timer_op with a deadline, then block: the
 * upcall arrives with that port pending, never before the deadline. A series
 * of ten timers each fires in turn; a cancelled timer (deadline 0) never
 * fires; a deadline already past fires at once.
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define MS 1000000ull

static struct pv_event_handler handlers[64];
static uint32_t timer_port;
static volatile struct {
  unsigned upcalls;
  unsigned fired;
  uint64_t fired_at;
  int pending_at_upcall;
  uint32_t port;
} seen;

static void on_timer(uint32_t port, void *arg) {
  (void)arg;
  ++seen.fired;
  seen.fired_at = pv_time_system_ns(0);
  seen.port = port;
}

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  if (kind == CPU_KIND_UPCALL) {
    ++seen.upcalls;
    seen.pending_at_upcall = pv_event_is_pending(timer_port);
    (void)pv_event_upcall(0);
    pv_iret_frame_from_upcall(entry_rsp, regs->rax, out);
    return;
  }
  pv_iret_frame_from_exception(entry_rsp, regs->rax, out); /* not expected: the checks will tell */
}

int pvtest_setup(void) {
  if (pv_event_init(handlers, 64) != PVABI_OK || pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &timer_port) != PVABI_OK ||
      pv_event_set_handler(timer_port, on_timer, NULL) != PVABI_OK ||
      pv_callback_register(PVABI_CALLBACK_EVENT, (uint64_t)cpu_upcall_entry, PVABI_CALLBACK_MASK_EVENTS) != PVABI_OK ||
      pv_event_unmask(timer_port) != PVABI_OK) {
    return 1;
  }
  pv_vcpu_info(0)->upcall_mask = 0;
  return 0;
}

/* Blocks until the timer has fired `count` times in all, or `limit_ns` of
 * system time passed (a safety net: the checks report it). */
static void wait_for_fired(unsigned count, uint64_t limit_ns) {
  while (seen.fired < count && pv_time_system_ns(0) < limit_ns) {
    if (pv_sched_block() != PVABI_OK) return;
  }
}

PVTEST(a_deadline_fires_the_timer_port_not_before_it) {
  seen.fired = 0;
  const uint64_t deadline = pv_time_system_ns(0) + 2 * MS;
  PVTEST_REQUIRE_OK(pv_set_timer(deadline));
  wait_for_fired(1, deadline + 500 * MS);
  PVTEST_EXPECT_EQ(seen.fired, 1);
  PVTEST_EXPECT_EQ(seen.port, timer_port);
  PVTEST_CHECK(seen.pending_at_upcall);
  PVTEST_CHECK_MSG(seen.fired_at >= deadline, "fired at %lu, deadline %lu", seen.fired_at, deadline);
  PVTEST_CHECK(!pv_event_is_pending(timer_port)); /* the upcall took it */
}

PVTEST(ten_timers_in_a_row_each_fire_after_their_deadline) {
  seen.fired = 0;
  for (unsigned i = 1; i <= 10; ++i) {
    const uint64_t deadline = pv_time_system_ns(0) + 1 * MS;
    PVTEST_REQUIRE_OK(pv_set_timer(deadline));
    wait_for_fired(i, deadline + 500 * MS);
    PVTEST_CHECK_MSG(seen.fired == i, "timer %u: fired %u times", i, seen.fired);
    PVTEST_CHECK_MSG(seen.fired_at >= deadline, "timer %u fired at %lu, deadline %lu", i, seen.fired_at, deadline);
  }
}

PVTEST(a_cancelled_timer_never_fires) {
  seen.fired = 0;
  const uint64_t deadline = pv_time_system_ns(0) + 1 * MS;
  PVTEST_REQUIRE_OK(pv_set_timer(deadline));
  PVTEST_REQUIRE_OK(pv_set_timer(0));
  /* Wait well past the deadline, entering the hypervisor all along. */
  while (pv_time_system_ns(0) < deadline + 5 * MS) PVTEST_REQUIRE_OK(pv_sched_yield());
  PVTEST_EXPECT_EQ(seen.fired, 0);
  PVTEST_CHECK(!pv_event_is_pending(timer_port));
}

PVTEST(a_deadline_in_the_past_fires_at_once) {
  seen.fired = 0;
  const uint64_t before = pv_time_system_ns(0);
  PVTEST_REQUIRE_OK(pv_set_timer(before - 1));
  /* The upcall is taken on the way back from the hypercall. */
  PVTEST_EXPECT_EQ(seen.fired, 1);
  PVTEST_EXPECT_EQ(seen.port, timer_port);
}

PVTEST(a_masked_timer_port_stays_pending_until_unmasked) {
  seen.fired = 0;
  pv_event_mask(timer_port);
  const uint64_t deadline = pv_time_system_ns(0) + 1 * MS;
  PVTEST_REQUIRE_OK(pv_set_timer(deadline));
  while (!pv_event_is_pending(timer_port) && pv_time_system_ns(0) < deadline + 500 * MS) {
    PVTEST_REQUIRE_OK(pv_sched_yield());
  }
  PVTEST_CHECK(pv_event_is_pending(timer_port));
  PVTEST_EXPECT_EQ(seen.fired, 0);
  PVTEST_EXPECT_STATUS(pv_event_unmask(timer_port), PVABI_OK);
  PVTEST_EXPECT_EQ(seen.fired, 1); /* unmask asks for delivery; it came on the way back */
}
