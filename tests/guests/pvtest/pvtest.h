/*
 * pvtest: test cases for guest kernels on hv-core, built on libpv.
 *
 * A test kernel is one C file of cases; pvtest supplies the entry point,
 * initialises libpv, runs every case in the order written, and reports:
 *
 *     #include "pvtest.h"
 *     PVTEST_KERNEL_NOTES();                 // ABI version note (guest_kernel.h)
 *     PVTEST(pin_then_unpin) {
 *       PVTEST_EXPECT_STATUS(pv_mmu_pin_table(0, 1, mfn), PVABI_OK);
 *       if (!have_feature) PVTEST_SKIP("no such feature");
 *     }
 *
 * Each case ends as one of
 *   PASS   every check held;
 *   FAIL   a check did not hold (the case runs on, to report every check);
 *   SKIP   the case cannot run here (a feature is missing);
 *   ERROR  the test itself broke: its setup failed, so nothing was checked.
 * On the console: one "PASS name" (or "FAIL name: why"...) line per case,
 * then "RESULT <verdict>: N passed, N failed, N skipped, N errors". The
 * kernel's verdict is the worst of its cases (FAIL, ERROR, PASS, SKIP in
 * that order; all SKIP is SKIP). The kernel then shuts down: POWEROFF for
 * PASS and SKIP (or the reason given to pvtest_set_shutdown_reason), CRASH
 * for FAIL and ERROR, which hv-core turns into its isa-debug-exit status
 * (docs/testing.md).
 */
#ifndef PVABI_TESTS_GUESTS_PVTEST_H
#define PVABI_TESTS_GUESTS_PVTEST_H

#include <libpv/libpv.h>

#include "../kernels/guest_kernel.h"

struct pvtest_case {
  const char *name;
  void (*run)(void);
};

#define PVTEST(name)                                                                            \
  static void pvtest_run_##name(void);                                                          \
  __attribute__((section("pvtest_cases"), used, aligned(8))) static const struct pvtest_case \
      pvtest_case_##name = {#name, pvtest_run_##name};                                          \
  static void pvtest_run_##name(void)

/* The ELF note every pvtest kernel carries: it speaks this ABI version. */
#define PVTEST_KERNEL_NOTES() \
  PVABI_GUEST_NOTE(pvtest_abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION)

/* Checks: a false one fails the case and the case goes on. */
#define PVTEST_CHECK(cond) pvtest_check((cond) != 0, #cond, __FILE__, __LINE__)
#define PVTEST_CHECK_MSG(cond, ...) \
  ((cond) ? 1 : (pvtest_fail_at(__FILE__, __LINE__, __VA_ARGS__), 0))
#define PVTEST_EXPECT_STATUS(expr, want) pvtest_expect_status((int64_t)(expr), (int64_t)(want), #expr, __FILE__, __LINE__)
#define PVTEST_EXPECT_EQ(a, b) pvtest_expect_eq((uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)

/* Ends the case at once. */
#define PVTEST_SKIP(...)      \
  do {                        \
    pvtest_skip(__VA_ARGS__); \
    return;                   \
  } while (0)
#define PVTEST_ERROR(...)      \
  do {                         \
    pvtest_error(__VA_ARGS__); \
    return;                    \
  } while (0)
/* Setup that must work for the case to mean anything: ERROR otherwise. */
#define PVTEST_REQUIRE_OK(expr)                                                   \
  do {                                                                            \
    const int64_t pvtest_status_ = (int64_t)(expr);                               \
    if (pvtest_status_ != PVABI_OK) {                                             \
      pvtest_error("setup %s gave %s", #expr, pvtest_status_name(pvtest_status_)); \
      return;                                                                     \
    }                                                                             \
  } while (0)

int pvtest_check(int ok, const char *what, const char *file, int line);
int pvtest_expect_status(int64_t got, int64_t want, const char *what, const char *file, int line);
int pvtest_expect_eq(uint64_t a, uint64_t b, const char *a_text, const char *b_text, const char *file, int line);
void pvtest_fail_at(const char *file, int line, const char *fmt, ...);
void pvtest_skip(const char *fmt, ...);
void pvtest_error(const char *fmt, ...);

/* The console, with a small printf: %s %c %d %u %x %p, l and ll sizes, a
 * width and '0' for numbers. Lines are written whole. */
void pvtest_printf(const char *fmt, ...);
const char *pvtest_status_name(int64_t status);

/* The start info libpv was given; a "key=value" word of the command line
 * (NULL if absent), and the same as a number (decimal or 0x hex). */
const struct pvabi_start_info *pvtest_start_info(void);
const char *pvtest_arg(const char *key);
uint64_t pvtest_arg_u64(const char *key, uint64_t fallback);

/* Optional hooks a kernel may define: run before the first case (a
 * nonzero return is an ERROR for the whole kernel) and after the last. */
int pvtest_setup(void) __attribute__((weak));
void pvtest_teardown(void) __attribute__((weak));

/* For tests of shutdown itself: the reason a kernel that passes (or
 * skips) shuts down with, after its RESULT line, instead of
 * PVABI_SHUTDOWN_POWEROFF. A failing kernel still crashes. */
void pvtest_set_shutdown_reason(uint32_t reason);

/* This domain's id, from start info. */
uint16_t pvtest_domid(void);

#endif
