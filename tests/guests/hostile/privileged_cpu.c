/*
 * The de-privileged CPU: no descriptor that leads to ring 0 (DPL 0-2, call,
 * interrupt and trap gates, TSS and LDT descriptors, conforming code) can be
 * written or installed as a GDT; GDT frames must be the domain's and not
 * writable-mapped; trap handlers, callbacks and stacks cannot point into the
 * reserved range or use privileged selectors. Each refusal keeps the old
 * state: the frame's descriptors and the trap table still in force.
 */
#include "hostile.h"

PVTEST_KERNEL_NOTES();

enum { G = 0, RW = 1, T = 2 };

int pvtest_setup(void) { return hostile_install_traps(); }

static const uint64_t refused_descriptors[] = {
    0x00af9a000000ffffull, /* 64-bit code, DPL 0 */
    0x00cf92000000ffffull, /* data, DPL 0 */
    0x00afba000000ffffull, /* code, DPL 1 */
    0x00cfd2000000ffffull, /* data, DPL 2 */
    0x00affe000000ffffull, /* conforming code, DPL 3 */
    0x00effa000000ffffull, /* code with L and D both set */
    0x0000ec0000080000ull, /* call gate, DPL 3 */
    0x0000ee0000080000ull, /* interrupt gate, DPL 3 */
    0x0000ef0000080000ull, /* trap gate, DPL 3 */
    0x0000e90000000067ull, /* 64-bit TSS, DPL 3 */
    0x0000e20000000fffull, /* LDT, DPL 3 */
};
static const uint64_t user_code = 0x00affa000000ffffull, user_data = 0x00cff2000000ffffull;

PVTEST(privileged_descriptors_cannot_be_written) {
  const struct page g = hostile_table_page(G);
  const uint64_t maddr = g.mfn << PVABI_PAGE_SHIFT;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, maddr + 8, user_code), PVABI_OK);
  for (unsigned i = 0; i < sizeof refused_descriptors / sizeof refused_descriptors[0]; ++i) {
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, maddr + 8, refused_descriptors[i]), PVABI_EINVAL);
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, maddr + 16, refused_descriptors[i]), PVABI_EINVAL);
  }
  PVTEST_EXPECT_EQ(g.va[1], user_code);
  PVTEST_EXPECT_EQ(g.va[2], 0);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, maddr + 16, user_data), PVABI_OK);
}

PVTEST(descriptors_go_only_into_plain_or_descriptor_frames) {
  const struct page t = hostile_table_page(T);
  PVTEST_REQUIRE_OK(pv_mmu_pin_table(0, 1, t.mfn));
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, t.mfn << PVABI_PAGE_SHIFT, user_code), PVABI_EBUSY);
  PVTEST_EXPECT_EQ(t.va[0], 0);
  PVTEST_REQUIRE_OK(pv_mmu_unpin_table(0, t.mfn));
  const struct page rw = hostile_page(RW);
  PVTEST_REQUIRE_OK(hostile_make_writable(rw));
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, rw.mfn << PVABI_PAGE_SHIFT, user_code), PVABI_EBUSY);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, 1ull << PVABI_PAGE_SHIFT, user_code), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_UPDATE_DESCRIPTOR, hostile_frame_past_memory() << PVABI_PAGE_SHIFT, user_code),
                       PVABI_ERANGE);
}

PVTEST(set_gdt_refuses_privileged_foreign_and_writable_frames) {
  const struct page g = hostile_table_page(G);
  const struct page rw = hostile_page(RW);
  PVTEST_REQUIRE_OK(hostile_make_writable(rw));
  static uint64_t frames[PVABI_GDT_MAX_FRAMES + 1];
  /* A frame holding a ring-0 code descriptor, copied in behind the hypervisor's back. */
  for (unsigned i = 0; i < 512; ++i) rw.va[i] = 0;
  rw.va[3] = refused_descriptors[0];
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, g.mfn, rw.mfn));
  frames[0] = g.mfn;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 512), PVABI_EINVAL);
  rw.va[3] = 0;
  PVTEST_REQUIRE_OK(pv_mmu_copy_page(0, g.mfn, rw.mfn));
  frames[0] = rw.mfn;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 512), PVABI_EBUSY);
  frames[0] = g.mfn;
  frames[1] = 1;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1024), PVABI_EPERM);
  frames[1] = hostile_frame_past_memory();
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, 1024), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, (uint64_t)frames, PVABI_GDT_FIRST_RESERVED_ENTRY + 1), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_GDT, PVABI_HV_VIRT_START + (1ull << 39), 512), PVABI_EFAULT);
  /* None of the refusals left g a descriptor table. */
  PVTEST_EXPECT_STATUS(hostile_make_writable(g), PVABI_OK);
}

/* A trap table of one page-fault entry as given, which must be refused whole. */
static void expect_trap_refused(struct pvabi_trap_info bad, int64_t want) {
  static struct pvabi_trap_info t[2];
  PVTEST_REQUIRE_OK(pv_trap_entry(&t[0], 13, 0, 1, 0));
  t[0].address = (uint64_t)&expect_trap_refused; /* a good entry first: the table is taken whole or not at all */
  t[1] = bad;
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, (uint64_t)t, 2), want);
  /* The old table serves the probe still. */
  PVTEST_CHECK(hostile_probe_write(PVABI_HV_VIRT_START + (1ull << 39), 0) == HOSTILE_FAULTED);
}

PVTEST(trap_handlers_cannot_point_into_the_reserved_range_or_ring_0) {
  const struct pvabi_trap_info good = {PVABI_VECTOR_PAGE_FAULT, 0, PVABI_FLAT_CS64, 0, (uint64_t)&expect_trap_refused};
  struct pvabi_trap_info bad = good;
  bad.address = PVABI_HV_VIRT_START + (1ull << 39);
  expect_trap_refused(bad, PVABI_EINVAL);
  bad.address = 0x0000800000000000ull;
  expect_trap_refused(bad, PVABI_EINVAL);
  const uint16_t selectors[] = {0x08, 0x10, PVABI_FLAT_CS64 & ~3u, PVABI_FLAT_CS64 | 4u, 3, PVABI_FLAT_DS};
  for (unsigned i = 0; i < sizeof selectors / sizeof selectors[0]; ++i) {
    bad = good;
    bad.cs = selectors[i];
    expect_trap_refused(bad, PVABI_EINVAL);
  }
  bad = good;
  bad.vector = 2; /* NMI */
  expect_trap_refused(bad, PVABI_EINVAL);
  bad = good;
  bad.flags = 8;
  expect_trap_refused(bad, PVABI_EINVAL);
  bad = good;
  bad._pad0 = 1;
  expect_trap_refused(bad, PVABI_EINVAL);
  bad = good;
  bad.vector = 13; /* listed twice */
  expect_trap_refused(bad, PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, (uint64_t)&good, 257), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, PVABI_HV_VIRT_START, 1), PVABI_EFAULT);
  PVTEST_CHECK(hostile_probe_write(PVABI_HV_VIRT_START + (1ull << 39), 0) == HOSTILE_FAULTED);
}

PVTEST(callbacks_and_stacks_cannot_point_into_the_reserved_range) {
  const uint64_t bad[] = {PVABI_HV_VIRT_START, PVABI_HV_VIRT_END - 16, 0x0000800000000000ull};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    for (uint32_t type = PVABI_CALLBACK_EVENT; type <= PVABI_CALLBACK_SYSCALL; ++type) {
      PVTEST_EXPECT_STATUS(pv_callback_register(type, bad[i], 0), PVABI_EINVAL);
    }
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, bad[i]), PVABI_EINVAL);
  }
  PVTEST_EXPECT_STATUS(pv_callback_register(3, (uint64_t)&expect_trap_refused, 0), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_callback_register(PVABI_CALLBACK_EVENT, (uint64_t)&expect_trap_refused, 2), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_CALLBACK_OP, PVABI_CALLBACKOP_REGISTER, PVABI_HV_VIRT_START), PVABI_EFAULT);
  static uint64_t stack[4] __attribute__((aligned(16)));
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_STACK_SWITCH, 0x10, (uint64_t)&stack[2]), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS & ~3u, (uint64_t)&stack[2]), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, (uint64_t)&stack[1]), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_SEGMENT_BASE, 3, 0), PVABI_EINVAL);
}

PVTEST(gdt_selectors_the_domain_never_installed_are_refused) {
  /* No GDT is installed, so 0x0b and 0x13 (RPL 3, indexes 1 and 2) name no
   * descriptor of the guest's: on x86-64 they are the hypervisor's ring-0
   * code and data, and entering a handler with them faults inside the
   * hypervisor. The old table is put back at once, so a failure here is a
   * FAIL, not a crash. */
  static struct pvabi_trap_info t[2];
  t[0] = (struct pvabi_trap_info){PVABI_VECTOR_PAGE_FAULT, 0, 0x0b, 0, (uint64_t)&expect_trap_refused};
  const int64_t s = pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, (uint64_t)t, 1);
  if (s == PVABI_OK) PVTEST_REQUIRE_OK(hostile_install_traps());
  PVTEST_EXPECT_STATUS(s, PVABI_EINVAL);
  static uint64_t stack[4] __attribute__((aligned(16)));
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_STACK_SWITCH, 0x13, (uint64_t)&stack[2]), PVABI_EINVAL);
  PVTEST_CHECK(hostile_probe_write(PVABI_HV_VIRT_START + (1ull << 39), 0) == HOSTILE_FAULTED);
}
