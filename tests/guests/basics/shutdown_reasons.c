/*
 * Shutdown: malformed requests (unknown reason, _pad0 set, unreadable
 * argument) are refused and the domain runs on; with `reason=N` on its
 * command line the kernel then ends with that documented reason, which
 * shutdown_reasons.sh reads from hv-core's final table.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

static int64_t shutdown_raw(uint64_t arg) { return pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, arg); }

static int64_t shutdown_with(uint32_t reason, uint32_t pad) {
  static struct pvabi_sched_shutdown s;
  s.reason = reason;
  s._pad0 = pad;
  return shutdown_raw((uint64_t)&s);
}

int pvtest_setup(void) {
  const uint64_t reason = pvtest_arg_u64("reason", PVABI_SHUTDOWN_POWEROFF);
  if (reason > PVABI_SHUTDOWN_WATCHDOG) {
    pvtest_printf("reason=%lu is not a documented shutdown reason", reason);
    return 1;
  }
  pvtest_printf("will shut down with reason %lu", reason);
  pvtest_set_shutdown_reason((uint32_t)reason);
  return 0;
}

PVTEST(unknown_reasons_are_refused) {
  PVTEST_EXPECT_STATUS(shutdown_with(PVABI_SHUTDOWN_WATCHDOG + 1, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(shutdown_with(0x80000000u, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(shutdown_with(0xffffffffu, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_sched_shutdown(PVABI_SHUTDOWN_WATCHDOG + 1), PVABI_EINVAL);
}

PVTEST(a_nonzero_pad_is_refused) {
  PVTEST_EXPECT_STATUS(shutdown_with(PVABI_SHUTDOWN_POWEROFF, 1), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(shutdown_with(PVABI_SHUTDOWN_CRASH, 0x80000000u), PVABI_EINVAL);
}

PVTEST(an_unreadable_argument_gives_efault) {
  PVTEST_EXPECT_STATUS(shutdown_raw(0), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(shutdown_raw(PVABI_HV_VIRT_START), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(shutdown_raw(0x0000800000000000ull), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(shutdown_raw(0x0000000000400000ull), PVABI_EFAULT);
}

/* Every refusal above left the domain running: this case is still here. */
PVTEST(the_domain_is_still_running) {
  static volatile uint64_t counter;
  for (unsigned i = 0; i < 1000; ++i) counter = counter + 1;
  PVTEST_EXPECT_EQ(counter, 1000);
  PVTEST_EXPECT_STATUS(pv_sched_yield(), PVABI_OK);
}
