/* pvtest: the entry point, the case runner and the console reports. */
#include "pvtest.h"

#include "../kernels/cmdline.h"
#include "../kernels/console_line.h"

#include <stdarg.h>

enum verdict { VERDICT_SKIP, VERDICT_PASS, VERDICT_ERROR, VERDICT_FAIL };
static const char *const verdict_names[] = {"SKIP", "PASS", "ERROR", "FAIL"};

extern const struct pvtest_case __start_pvtest_cases[];
extern const struct pvtest_case __stop_pvtest_cases[];

static const struct pvabi_start_info *start_info;
static const char *current_case;
static enum verdict current_verdict;
static unsigned counts[4];
static uint32_t passing_shutdown_reason = PVABI_SHUTDOWN_POWEROFF;

void pvtest_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_vprintf(fmt, ap);
  va_end(ap);
}

const char *pvtest_status_name(int64_t status) {
  switch (status) {
    case PVABI_OK: return "PVABI_OK";
    case PVABI_EPERM: return "PVABI_EPERM";
    case PVABI_ENOENT: return "PVABI_ENOENT";
    case PVABI_ESRCH: return "PVABI_ESRCH";
    case PVABI_E2BIG: return "PVABI_E2BIG";
    case PVABI_EAGAIN: return "PVABI_EAGAIN";
    case PVABI_ENOMEM: return "PVABI_ENOMEM";
    case PVABI_EFAULT: return "PVABI_EFAULT";
    case PVABI_EBUSY: return "PVABI_EBUSY";
    case PVABI_EEXIST: return "PVABI_EEXIST";
    case PVABI_EINVAL: return "PVABI_EINVAL";
    case PVABI_ENOSPC: return "PVABI_ENOSPC";
    case PVABI_ERANGE: return "PVABI_ERANGE";
    case PVABI_ENOSYS: return "PVABI_ENOSYS";
    case PVABI_ERESTART: return "PVABI_ERESTART";
    default: return status >= 0 ? "a non-negative value" : "an unknown status";
  }
}

/* ---- outcomes ---- */

/* Within a case the worst outcome stands: FAIL over ERROR over SKIP over PASS. */
static void raise_verdict(enum verdict v) {
  static const int rank[] = {[VERDICT_PASS] = 0, [VERDICT_SKIP] = 1, [VERDICT_ERROR] = 2, [VERDICT_FAIL] = 3};
  if (rank[v] > rank[current_verdict]) current_verdict = v;
}

static void report(enum verdict v, const char *fmt, va_list ap) {
  struct console_line l = {{0}, 0};
  console_line_puts(&l, verdict_names[v]);
  console_line_putc(&l, ' ');
  console_line_puts(&l, current_case != 0 ? current_case : "(setup)");
  console_line_puts(&l, ": ");
  console_line_vformat(&l, fmt, ap);
  console_line_write(&l);
  raise_verdict(v);
}

/* "FAIL case: file:line: what". */
static void vfail(const char *file, int line, const char *fmt, va_list ap) {
  struct console_line l = {{0}, 0};
  console_line_puts(&l, "FAIL ");
  console_line_puts(&l, current_case != 0 ? current_case : "(setup)");
  console_line_puts(&l, ": ");
  console_line_puts(&l, file);
  console_line_putc(&l, ':');
  console_line_number(&l, (uint64_t)line, 10, 0, 0, ' ');
  console_line_puts(&l, ": ");
  console_line_vformat(&l, fmt, ap);
  console_line_write(&l);
  raise_verdict(VERDICT_FAIL);
}

void pvtest_fail_at(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(file, line, fmt, ap);
  va_end(ap);
}

int pvtest_check(int ok, const char *what, const char *file, int line) {
  if (!ok) pvtest_fail_at(file, line, "%s", what);
  return ok;
}

int pvtest_expect_status(int64_t got, int64_t want, const char *what, const char *file, int line) {
  if (got == want) return 1;
  pvtest_fail_at(file, line, "%s gave %s (%ld), want %s (%ld)", what, pvtest_status_name(got), got, pvtest_status_name(want),
       want);
  return 0;
}

int pvtest_expect_eq(uint64_t a, uint64_t b, const char *a_text, const char *b_text, const char *file, int line) {
  if (a == b) return 1;
  pvtest_fail_at(file, line, "%s == %s: 0x%lx != 0x%lx", a_text, b_text, a, b);
  return 0;
}

void pvtest_skip(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(VERDICT_SKIP, fmt, ap);
  va_end(ap);
}

void pvtest_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(VERDICT_ERROR, fmt, ap);
  va_end(ap);
}

/* ---- start info and command line ---- */

const struct pvabi_start_info *pvtest_start_info(void) { return start_info; }
uint16_t pvtest_domid(void) { return start_info->domid; }

const char *pvtest_arg(const char *key) { return cmdline_value((const char *)start_info->cmdline, key); }

uint64_t pvtest_arg_u64(const char *key, uint64_t fallback) {
  return cmdline_u64((const char *)start_info->cmdline, key, fallback);
}

/* ---- the run ---- */

void pvtest_set_shutdown_reason(uint32_t reason) { passing_shutdown_reason = reason; }

static enum verdict kernel_verdict(void) {
  if (counts[VERDICT_FAIL] > 0) return VERDICT_FAIL;
  if (counts[VERDICT_ERROR] > 0) return VERDICT_ERROR;
  if (counts[VERDICT_PASS] > 0) return VERDICT_PASS;
  return VERDICT_SKIP;
}

static __attribute__((noreturn)) void finish(void) {
  const enum verdict v = kernel_verdict();
  pvtest_printf("RESULT %s: %u passed, %u failed, %u skipped, %u errors", verdict_names[v], counts[VERDICT_PASS],
                counts[VERDICT_FAIL], counts[VERDICT_SKIP], counts[VERDICT_ERROR]);
  const uint32_t reason = v == VERDICT_PASS || v == VERDICT_SKIP ? passing_shutdown_reason : PVABI_SHUTDOWN_CRASH;
  (void)pv_sched_shutdown(reason);
  (void)pv_sched_shutdown(PVABI_SHUTDOWN_CRASH);  /* a reason the hypervisor refused */
  for (;;) {
  }
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  start_info = si;
  if (pv_init(si) != PVABI_OK) {
    /* No console without libpv: crash through the raw op, which still works. */
    struct pvabi_sched_shutdown s = {PVABI_SHUTDOWN_CRASH, 0};
    for (;;) (void)pv_hypercall2(PVABI_HC_SCHED_OP, PVABI_SCHEDOP_SHUTDOWN, (uint64_t)&s);
  }
  if (pvtest_setup != 0) {
    current_verdict = VERDICT_PASS;
    if (pvtest_setup() != 0) {
      current_case = "setup";
      pvtest_printf("ERROR setup: the kernel's setup failed; no case ran");
      ++counts[VERDICT_ERROR];
      finish();
    }
  }
  for (const struct pvtest_case *c = __start_pvtest_cases; c < __stop_pvtest_cases; ++c) {
    current_case = c->name;
    current_verdict = VERDICT_PASS;
    c->run();
    if (current_verdict == VERDICT_PASS) pvtest_printf("PASS %s", c->name);
    ++counts[current_verdict];
  }
  current_case = 0;
  if (pvtest_teardown != 0) pvtest_teardown();
  finish();
}
