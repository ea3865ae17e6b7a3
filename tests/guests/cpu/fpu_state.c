/*
 * The FPU: each vCPU's x87 and SSE registers are its own. Booted as two
 * domains: a vCPU starts as after FNINIT (FCW 0x37f, MXCSR 0x1f80, every
 * register zero), not with the other domain's registers; each domain loads
 * different values into xmm0-15, the x87 stack, FCW and MXCSR, then yields
 * and spins through the other's turns and must find its own values again.
 * PVABI_HC_FPU_TASKSWITCH(1) makes the next SSE or x87 instruction (and
 * WAIT) bounce #NM, vector 7, at that instruction, also after the other
 * domain ran with its flag clear; the bounce clears the flag (pvabi/cpu.h),
 * so the handler's return re-runs the instruction, which completes.
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define VECTOR_NM 7u
#define MS 1000000ull
#define COMPARED_BYTES 416 /* FXSAVE64 up to the end of xmm15 */

struct fxsave_area {
  uint16_t fcw, fsw;
  uint8_t ftw, _reserved0;
  uint16_t fop;
  uint64_t fip, fdp;
  uint32_t mxcsr, mxcsr_mask;
  uint8_t st[8][16];
  uint8_t xmm[16][16];
  uint8_t _unused[96];
} __attribute__((aligned(16)));
_Static_assert(sizeof(struct fxsave_area) == 512, "the FXSAVE64 layout");

/* The kernel is built without FPU code of its own: these are the only
 * instructions that touch the registers under test. */
static void fxsave(struct fxsave_area *a) { __asm__ __volatile__("fxsave64 %0" : "=m"(*a)); }

#define LOAD_XMM(n) "movdqu " #n "*16(%0), %%xmm" #n "\n\t"
static void load_xmm(const uint8_t x[16][16]) {
  __asm__ __volatile__(LOAD_XMM(0) LOAD_XMM(1) LOAD_XMM(2) LOAD_XMM(3) LOAD_XMM(4) LOAD_XMM(5) LOAD_XMM(6)
                           LOAD_XMM(7) LOAD_XMM(8) LOAD_XMM(9) LOAD_XMM(10) LOAD_XMM(11) LOAD_XMM(12)
                               LOAD_XMM(13) LOAD_XMM(14) LOAD_XMM(15)
                       :
                       : "r"(x), "m"(*(const uint8_t(*)[256])x));
}

/* FNINIT, then FCW, eight integers onto the x87 stack, and MXCSR. */
static void load_x87_and_mxcsr(uint16_t fcw, const int64_t v[8], uint32_t mxcsr) {
  __asm__ __volatile__(
      "fninit\n\tfldcw %1\n\t"
      "fildq 0(%0)\n\tfildq 8(%0)\n\tfildq 16(%0)\n\tfildq 24(%0)\n\t"
      "fildq 32(%0)\n\tfildq 40(%0)\n\tfildq 48(%0)\n\tfildq 56(%0)\n\t"
      "ldmxcsr %2"
      :
      : "r"(v), "m"(fcw), "m"(mxcsr), "m"(*(const int64_t(*)[8])v));
}

static unsigned mine(void) { return pvtest_domid() & 1; }

/* ---- #NM bounces ---- */

static volatile unsigned nm_count;
static volatile int handler_clears_ts;
static struct pvabi_exception_frame nm_frame;
uint64_t nm_rip; /* set just before the instruction under test */

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  const struct pvabi_exception_frame *f = entry_rsp;
  (void)kind;
  if (f->vector == VECTOR_NM) {
    ++nm_count;
    nm_frame = *f;
    /* Past the third #NM the flag is stuck: clear it so the test ends. */
    if (handler_clears_ts || nm_count > 3) (void)pv_hypercall1(PVABI_HC_FPU_TASKSWITCH, 0);
  }
  pv_iret_frame_from_exception(f, regs->rax, out); /* a fault: the instruction runs again */
}

static int set_ts(int on) { return (int)pv_hypercall1(PVABI_HC_FPU_TASKSWITCH, on ? 1 : 0); }

/* Runs `insn` (which may use rdx and xmm1) with nm_rip at its address. */
#define AT_NM_RIP(insn)                                                                           \
  __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, nm_rip(%%rip)\n\t1: " insn "\n\t" \
                       :                                                                          \
                       :                                                                          \
                       : "rax", "rdx", "memory")

static struct pvabi_trap_info traps[1];

int pvtest_setup(void) {
  if (pv_trap_entry(&traps[0], VECTOR_NM, 0, 0, (uint64_t)cpu_exception_entry) != PVABI_OK) return 1;
  return pv_set_trap_table(traps, 1) == PVABI_OK ? 0 : 1;
}

static void reset_nm(int clears) {
  nm_count = 0;
  nm_frame.vector = ~0u;
  handler_clears_ts = clears;
}

static void expect_one_nm_at(uint64_t rip) {
  PVTEST_EXPECT_EQ(nm_count, 1);
  PVTEST_EXPECT_EQ(nm_frame.vector, VECTOR_NM);
  PVTEST_EXPECT_EQ(nm_frame.rip, rip);
  PVTEST_EXPECT_EQ(nm_frame.error_code, 0);
}

/* Time this vCPU spent waiting while another ran. */
static uint64_t runnable_ns(void) {
  static struct pvabi_runstate_info r;
  if (pv_hypercall3(PVABI_HC_VCPU_OP, PVABI_VCPUOP_GET_RUNSTATE_INFO, 0, (uint64_t)&r) != PVABI_OK) return 0;
  return r.time[PVABI_RUNSTATE_RUNNABLE];
}

/* Yields, then spins past a few slices so the timer preempts it too. */
static void let_the_other_domain_run(void) {
  (void)pv_sched_yield();
  const uint64_t until = pv_time_system_ns(0) + 3 * MS;
  while (pv_time_system_ns(0) < until) __asm__ __volatile__("pause");
}

/* First: nothing has touched this vCPU's registers yet. The second domain
 * looks once the first has loaded its own values (the next case). */
PVTEST(a_new_vcpu_starts_as_after_fninit_not_with_another_guests_registers) {
  static struct fxsave_area a;
  if (mine() == 1) {
    for (unsigned round = 0; round < 3; ++round) let_the_other_domain_run();
  }
  fxsave(&a);
  PVTEST_EXPECT_EQ(a.fcw, 0x037f);
  PVTEST_EXPECT_EQ(a.fsw, 0);
  PVTEST_EXPECT_EQ(a.ftw, 0);
  PVTEST_EXPECT_EQ(a.mxcsr, 0x1f80);
  unsigned nonzero = 0;
  for (unsigned i = 0; i < 16; ++i) {
    for (unsigned j = 0; j < 16; ++j) nonzero += a.xmm[i][j] != 0;
  }
  for (unsigned i = 0; i < 8; ++i) {
    for (unsigned j = 0; j < 10; ++j) nonzero += a.st[i][j] != 0;
  }
  PVTEST_EXPECT_EQ(nonzero, 0);
}

PVTEST(registers_survive_yields_and_the_other_domains_turns) {
  static uint8_t xmm[16][16];
  static int64_t x87[8];
  static struct fxsave_area want, got;
  for (unsigned i = 0; i < 16; ++i) {
    for (unsigned j = 0; j < 16; ++j) xmm[i][j] = (uint8_t)((mine() << 7) | (i << 3) | (j & 7)) ^ (uint8_t)j;
  }
  for (unsigned i = 0; i < 8; ++i) x87[i] = (int64_t)(mine() + 1) * 1000 + i;
  const uint16_t fcw = mine() == 0 ? 0x077f : 0x0b7f;   /* rounding down, up */
  const uint32_t mxcsr = mine() == 0 ? 0x3f80 : 0x5f80; /* the same for SSE */
  load_x87_and_mxcsr(fcw, x87, mxcsr);
  load_xmm((const uint8_t(*)[16])xmm);
  fxsave(&want);
  PVTEST_EXPECT_EQ(want.fcw, fcw);
  PVTEST_EXPECT_EQ(want.mxcsr, mxcsr);
  PVTEST_EXPECT_EQ(want.xmm[15][15], xmm[15][15]);
  const uint64_t waited_before = runnable_ns();
  for (unsigned round = 0; round < 20; ++round) {
    let_the_other_domain_run();
    fxsave(&got);
    const uint8_t *w = (const uint8_t *)&want, *g = (const uint8_t *)&got;
    for (unsigned i = 0; i < COMPARED_BYTES; ++i) {
      if (w[i] != g[i]) {
        PVTEST_CHECK_MSG(0, "round %u: FXSAVE byte %u is 0x%x, was 0x%x", round, i, g[i], w[i]);
        return;
      }
    }
  }
  const uint64_t waited = runnable_ns() - waited_before;
  pvtest_printf("waited %lu us while the other domain ran", waited / 1000);
  if (waited == 0) PVTEST_SKIP("no other vCPU ran: boot two domains");
}

PVTEST(with_ts_set_an_sse_instruction_bounces_nm_and_completes) {
  uint64_t out = 0;
  reset_nm(1);
  PVTEST_REQUIRE_OK(set_ts(1));
  __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, nm_rip(%%rip)\n\t"
                       "movq $0x5eed5eed, %%rdx\n\t"
                       "1: movq %%rdx, %%xmm1\n\t"
                       "movq %%xmm1, %0"
                       : "=r"(out)
                       :
                       : "rax", "rdx", "memory");
  expect_one_nm_at(nm_rip);
  PVTEST_EXPECT_EQ(out, 0x5eed5eed);
}

PVTEST(the_nm_bounce_clears_ts) {
  reset_nm(0);
  PVTEST_REQUIRE_OK(set_ts(1));
  AT_NM_RIP("pxor %%xmm1, %%xmm1");
  expect_one_nm_at(nm_rip);
  reset_nm(0);
  AT_NM_RIP("pxor %%xmm1, %%xmm1");
  PVTEST_EXPECT_EQ(nm_count, 0);
}

PVTEST(with_ts_set_x87_and_wait_bounce_nm) {
  reset_nm(0);
  PVTEST_REQUIRE_OK(set_ts(1));
  AT_NM_RIP("fld1");
  expect_one_nm_at(nm_rip);
  __asm__ __volatile__("fstp %%st(0)" ::: "memory");
  reset_nm(0);
  PVTEST_REQUIRE_OK(set_ts(1));
  AT_NM_RIP("fwait");
  expect_one_nm_at(nm_rip);
}

PVTEST(ts_holds_across_the_other_domains_turns) {
  reset_nm(0);
  PVTEST_REQUIRE_OK(set_ts(1));
  for (unsigned round = 0; round < 5; ++round) let_the_other_domain_run();
  AT_NM_RIP("pxor %%xmm1, %%xmm1");
  expect_one_nm_at(nm_rip);
}

PVTEST(with_ts_clear_nothing_bounces) {
  reset_nm(0);
  PVTEST_REQUIRE_OK(set_ts(0));
  AT_NM_RIP("pxor %%xmm1, %%xmm1");
  AT_NM_RIP("fwait");
  PVTEST_EXPECT_EQ(nm_count, 0);
}

PVTEST(taskswitch_refuses_a_value_other_than_0_or_1) {
  PVTEST_EXPECT_STATUS(pv_hypercall1(PVABI_HC_FPU_TASKSWITCH, 2), PVABI_EINVAL);
}
