/*
 * pvtest checking itself: one kernel per verdict (built with -DOUTCOME_*),
 * so selftest.sh can see each reach the console and meson's exit codes.
 */
#include "pvtest.h"

PVTEST_KERNEL_NOTES();

#if defined(OUTCOME_SKIP)
/* A kernel whose every case skips is a SKIP. */
PVTEST(skips) { PVTEST_SKIP("nothing to test, on purpose"); }
#else
PVTEST(passes) { PVTEST_CHECK(1 + 1 == 2); }

PVTEST(reads_its_command_line) {
  PVTEST_EXPECT_EQ(pvtest_arg_u64("answer", 0), 42);
  PVTEST_EXPECT_EQ(pvtest_arg_u64("hex", 0), 0x2a);
  PVTEST_CHECK(pvtest_arg("missing") == 0);
}
#endif

#if defined(OUTCOME_FAIL)
PVTEST(fails_and_goes_on) {
  PVTEST_EXPECT_STATUS(PVABI_EINVAL, PVABI_OK);
  PVTEST_EXPECT_EQ(1, 2);
}
#elif defined(OUTCOME_ERROR)
PVTEST(breaks_in_setup) { PVTEST_REQUIRE_OK(PVABI_ENOMEM); }
#endif
