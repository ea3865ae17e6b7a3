/*
 * Segment bases: what PVABI_HC_SET_SEGMENT_BASE sets is what %fs and %gs
 * address while the guest kernel runs, after hypercalls, yields and other
 * domains' turns. Booted as two domains, each pointing its bases at a
 * different slot of the same table, so a base left over from the other
 * domain reads the wrong value.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

static volatile uint64_t slots[2][2] = {{100, 101}, {200, 201}};

static uint64_t read_fs0(void) {
  uint64_t v;
  __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
  return v;
}

static uint64_t read_gs0(void) {
  uint64_t v;
  __asm__ volatile("movq %%gs:0, %0" : "=r"(v));
  return v;
}

static unsigned mine(void) { return pvtest_domid() & 1; }

PVTEST(bases_address_what_the_guest_set) {
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_FS, (uint64_t)&slots[mine()][0]));
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_GS_KERNEL, (uint64_t)&slots[mine()][1]));
  PVTEST_EXPECT_EQ(read_fs0(), 100 * (mine() + 1));
  PVTEST_EXPECT_EQ(read_gs0(), 100 * (mine() + 1) + 1);
}

PVTEST(bases_survive_yields_and_the_other_domains_turns) {
  for (int i = 0; i < 200; ++i) {
    (void)pv_sched_yield();
    if (read_fs0() != 100 * (mine() + 1) || read_gs0() != 100 * (mine() + 1) + 1) {
      PVTEST_CHECK(0 && "a base changed");
      return;
    }
  }
}

PVTEST(a_non_canonical_base_is_refused_and_changes_nothing) {
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_FS, 0x0000800000000000ull), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, 7, 0), PVABI_EINVAL);
  PVTEST_EXPECT_EQ(read_fs0(), 100 * (mine() + 1));
}
