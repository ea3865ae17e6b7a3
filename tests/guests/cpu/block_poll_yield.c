/*
 * Giving up the CPU: yield returns and the domain runs on; block with an
 * event already pending returns at once (and the upcall runs); poll on a set
 * of ports times out with PVABI_EAGAIN after its deadline, and returns
 * PVABI_OK at once when one of them is pending, masked or not; poll's
 * errors: count 0, count past the maximum, a bad pointer, an unallocated
 * port, a nonzero pad.
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define MS 1000000ull

static struct pv_event_handler handlers[64];
static uint32_t ipi_port, quiet_ports[3];
static volatile unsigned ipis, upcalls;

static void on_ipi(uint32_t port, void *arg) {
  (void)port;
  (void)arg;
  ++ipis;
}

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  if (kind == CPU_KIND_UPCALL) {
    ++upcalls;
    (void)pv_event_upcall(0);
    pv_iret_frame_from_upcall(entry_rsp, regs->rax, out);
    return;
  }
  pv_iret_frame_from_exception(entry_rsp, regs->rax, out);
}

int pvtest_setup(void) {
  if (pv_event_init(handlers, 64) != PVABI_OK || pv_evtchn_bind_ipi(0, &ipi_port) != PVABI_OK ||
      pv_event_set_handler(ipi_port, on_ipi, NULL) != PVABI_OK ||
      pv_callback_register(PVABI_CALLBACK_EVENT, (uint64_t)cpu_upcall_entry, PVABI_CALLBACK_MASK_EVENTS) != PVABI_OK ||
      pv_event_unmask(ipi_port) != PVABI_OK) {
    return 1;
  }
  for (unsigned i = 0; i < 3; ++i) {
    if (pv_evtchn_alloc_unbound(PVABI_DOMID_SELF, &quiet_ports[i]) != PVABI_OK) return 1;
  }
  pv_vcpu_info(0)->upcall_mask = 0;
  return 0;
}

static int64_t raw_poll(uint64_t ports, uint32_t count, uint32_t pad, uint64_t timeout) {
  static struct pvabi_sched_poll p;
  p = (struct pvabi_sched_poll){ports, count, pad, timeout};
  return pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, (uint64_t)&p);
}

PVTEST(yield_returns_and_the_domain_runs_on) {
  const uint64_t t0 = pv_time_system_ns(0);
  for (unsigned i = 0; i < 200; ++i) PVTEST_EXPECT_STATUS(pv_sched_yield(), PVABI_OK);
  PVTEST_CHECK(pv_time_system_ns(0) > t0);
}

PVTEST(block_with_an_event_pending_returns_at_once) {
  struct pvabi_vcpu_info *vi = pv_vcpu_info(0);
  ipis = 0;
  /* Raise the event with upcalls masked, so it is still pending at block. */
  vi->upcall_mask = 1;
  PVTEST_REQUIRE_OK(pv_evtchn_send(ipi_port));
  PVTEST_CHECK(vi->upcall_pending);
  PVTEST_EXPECT_EQ(ipis, 0);
  /* A safety net: should block wait, the timer ends it and the check fails. */
  const uint64_t t0 = pv_time_system_ns(0);
  PVTEST_REQUIRE_OK(pv_set_timer(t0 + 200 * MS));
  PVTEST_EXPECT_STATUS(pv_sched_block(), PVABI_OK);
  const uint64_t waited = pv_time_system_ns(0) - t0;
  PVTEST_REQUIRE_OK(pv_set_timer(0));
  PVTEST_EXPECT_EQ(ipis, 1); /* the upcall ran on the way back */
  PVTEST_EXPECT_EQ(vi->upcall_mask, 0); /* block unmasked */
  PVTEST_CHECK_MSG(waited < 50 * MS, "block waited %lu ns", waited);
}

PVTEST(poll_times_out_after_its_deadline) {
  const uint64_t deadline = pv_time_system_ns(0) + 3 * MS;
  PVTEST_EXPECT_STATUS(pv_sched_poll(quiet_ports, 3, deadline), PVABI_EAGAIN);
  const uint64_t now = pv_time_system_ns(0);
  PVTEST_CHECK_MSG(now >= deadline, "returned at %lu, deadline %lu", now, deadline);
}

PVTEST(poll_with_a_deadline_already_past_returns_eagain) {
  PVTEST_EXPECT_STATUS(pv_sched_poll(quiet_ports, 3, 1), PVABI_EAGAIN);
}

PVTEST(poll_with_a_pending_port_returns_at_once) {
  uint32_t ports[2] = {quiet_ports[0], ipi_port};
  pv_event_mask(ipi_port); /* poll does not need the upcall */
  ipis = 0;
  PVTEST_REQUIRE_OK(pv_evtchn_send(ipi_port));
  const uint64_t t0 = pv_time_system_ns(0);
  PVTEST_EXPECT_STATUS(pv_sched_poll(ports, 2, t0 + 200 * MS), PVABI_OK);
  const uint64_t waited = pv_time_system_ns(0) - t0;
  PVTEST_CHECK_MSG(waited < 50 * MS, "poll waited %lu ns", waited);
  PVTEST_CHECK(pv_event_is_pending(ipi_port)); /* poll reports, it does not consume */
  PVTEST_EXPECT_EQ(ipis, 0);
  PVTEST_EXPECT_STATUS(pv_event_unmask(ipi_port), PVABI_OK);
  PVTEST_EXPECT_EQ(ipis, 1);
}

PVTEST(poll_without_timeout_returns_for_a_pending_port) {
  pv_event_mask(ipi_port);
  PVTEST_REQUIRE_OK(pv_evtchn_send(ipi_port));
  PVTEST_EXPECT_STATUS(pv_sched_poll(&ipi_port, 1, 0), PVABI_OK);
  pv_event_clear(ipi_port);
  PVTEST_REQUIRE_OK(pv_event_unmask(ipi_port));
}

PVTEST(poll_refuses_bad_arguments) {
  static uint32_t many[PVABI_SCHED_POLL_MAX + 1];
  const uint32_t unallocated = 60;
  for (unsigned i = 0; i <= PVABI_SCHED_POLL_MAX; ++i) many[i] = quiet_ports[0];
  const uint64_t soon = pv_time_system_ns(0) + 1 * MS;
  PVTEST_EXPECT_STATUS(raw_poll((uint64_t)quiet_ports, 0, 0, soon), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(raw_poll((uint64_t)many, PVABI_SCHED_POLL_MAX + 1, 0, soon), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(raw_poll((uint64_t)quiet_ports, 1, 1, soon), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(raw_poll(PVABI_HV_VIRT_START, 1, 0, soon), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_POLL, PVABI_HV_VIRT_START), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(pv_sched_poll(&unallocated, 1, soon), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(raw_poll((uint64_t)many, PVABI_SCHED_POLL_MAX, 0, 1), PVABI_EAGAIN); /* the maximum is fine */
}
