// Traps (libpv/trap.h): building and installing the trap table, callbacks
// and the kernel stack through hv-core, and decoding bounce frames.
#include <libpv/trap.h>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

constexpr uint64_t kHandler = 0xffffffff80001000ull;

TEST(TrapEntryTest, FillsTheFlatSelectorAndFlags) {
  pvabi_trap_info e{};
  ASSERT_EQ(pv_trap_entry(&e, PVABI_VECTOR_PAGE_FAULT, 0, 1, kHandler), PVABI_OK);
  EXPECT_EQ(e.vector, PVABI_VECTOR_PAGE_FAULT);
  EXPECT_EQ(e.flags, PVABI_TRAP_MASK_EVENTS);
  EXPECT_EQ(e.cs, PVABI_FLAT_CS64);
  EXPECT_EQ(e._pad0, 0u);
  EXPECT_EQ(e.address, kHandler);
  ASSERT_EQ(pv_trap_entry(&e, 0x80, 3, 0, kHandler), PVABI_OK);
  EXPECT_EQ(e.flags, 3u);
}

TEST(TrapEntryTest, RefusesWhatTheHypervisorWould) {
  pvabi_trap_info e{};
  EXPECT_EQ(pv_trap_entry(&e, 2, 0, 0, kHandler), PVABI_EINVAL);    // NMI
  EXPECT_EQ(pv_trap_entry(&e, 256, 0, 0, kHandler), PVABI_EINVAL);  // no such vector
  EXPECT_EQ(pv_trap_entry(&e, 3, 4, 0, kHandler), PVABI_EINVAL);    // DPL
  EXPECT_EQ(pv_trap_entry(&e, 3, 0, 0, 0x0000800000000000ull), PVABI_EINVAL);  // not canonical
  EXPECT_EQ(pv_trap_entry(&e, 3, 0, 0, PVABI_HV_VIRT_START + 64), PVABI_EINVAL);  // reserved
  EXPECT_EQ(e.address, 0u);  // untouched
}

class TrapTest : public HostGuestTest {};

TEST_F(TrapTest, TheTableReachesTheHypervisor) {
  pvabi_trap_info t[3];
  ASSERT_EQ(pv_trap_entry(&t[0], 0, 0, 0, kHandler), PVABI_OK);
  ASSERT_EQ(pv_trap_entry(&t[1], PVABI_VECTOR_PAGE_FAULT, 0, 1, kHandler + 0x40), PVABI_OK);
  ASSERT_EQ(pv_trap_entry(&t[2], 0x80, 3, 0, kHandler + 0x80), PVABI_OK);
  HypercallRecorder rec(binding());
  const int rc = pv_set_trap_table(t, 3);
  SKIP_IF_ENOSYS(rc, "set_trap_table");
  EXPECT_EQ(rc, PVABI_OK);
  ASSERT_EQ(rec.calls.size(), 1u);
  EXPECT_EQ(rec.calls[0].args[1], 3u);
  const auto& cpu = guest().vcpu().cpu;
  const auto& gate = cpu.trap_tables[cpu.active_trap_table][PVABI_VECTOR_PAGE_FAULT];
  EXPECT_EQ(gate.address(), kHandler + 0x40);
  EXPECT_TRUE(gate.masks_events());
  EXPECT_EQ(cpu.trap_tables[cpu.active_trap_table][0x80].dpl(), 3u);
  static pvabi_trap_info too_many[257];
  EXPECT_EQ(pv_set_trap_table(too_many, 257), PVABI_E2BIG);
}

TEST_F(TrapTest, CallbacksAndTheKernelStack) {
  const int rc = pv_callback_register(PVABI_CALLBACK_EVENT, kHandler, PVABI_CALLBACK_MASK_EVENTS);
  SKIP_IF_ENOSYS(rc, "callback_op");
  EXPECT_EQ(rc, PVABI_OK);
  const auto& cb = guest().vcpu().cpu.callbacks[PVABI_CALLBACK_EVENT];
  EXPECT_TRUE(cb.registered);
  EXPECT_EQ(cb.address, kHandler);
  EXPECT_EQ(pv_callback_register(PVABI_CALLBACK_EVENT, PVABI_HV_VIRT_START, 0), PVABI_EINVAL);
  EXPECT_EQ(pv_callback_unregister(PVABI_CALLBACK_EVENT), PVABI_OK);
  EXPECT_FALSE(guest().vcpu().cpu.callbacks[PVABI_CALLBACK_EVENT].registered);
  const uint64_t top = guest().layout().boot_stack_top.value();
  EXPECT_EQ(pv_stack_switch(PVABI_FLAT_SS, top), PVABI_OK);
  EXPECT_EQ(guest().vcpu().cpu.kernel_stack.sp, top);
  EXPECT_EQ(pv_stack_switch(PVABI_FLAT_SS, top + 8), PVABI_EINVAL);  // not 16-byte aligned
}

pvabi_exception_frame frame(uint32_t vector, uint64_t error_code, uint32_t flags) {
  pvabi_exception_frame f{};
  f.rcx = 1;
  f.r11 = 2;
  f.error_code = error_code;
  f.rip = 0xffffffff80002000ull;
  f.cs = PVABI_FLAT_CS64;
  f.rflags = 0x202;
  f.rsp = 0xffffffff80300000ull;
  f.ss = PVABI_FLAT_SS;
  f.vector = vector;
  f.flags = flags;
  return f;
}

TEST(TrapFrameTest, APageFaultFrameLeadsWithTheAddress) {
  pvabi_page_fault_frame pf{};
  pf.fault_addr = 0xdead000;
  pf.frame = frame(PVABI_VECTOR_PAGE_FAULT, 0x2 | 0x1, PVABI_FRAME_FROM_USER);
  EXPECT_EQ(pv_trap_frame(&pf, PVABI_VECTOR_PAGE_FAULT), &pf.frame);
  pv_page_fault d{};
  ASSERT_EQ(pv_page_fault_decode(&pf, &d), PVABI_OK);
  EXPECT_EQ(d.address, 0xdead000u);
  EXPECT_EQ(d.rip, pf.frame.rip);
  EXPECT_TRUE(d.present);
  EXPECT_TRUE(d.write);
  EXPECT_TRUE(d.from_user);
  EXPECT_FALSE(d.reserved_bit);
  EXPECT_FALSE(d.instruction_fetch);
  EXPECT_FALSE(d.events_were_masked);
  // The x86 user bit is set for guest-kernel faults too: it is not from_user.
  pf.frame = frame(PVABI_VECTOR_PAGE_FAULT, 0x4 | 0x10, PVABI_FRAME_EVENTS_WERE_MASKED);
  ASSERT_EQ(pv_page_fault_decode(&pf, &d), PVABI_OK);
  EXPECT_FALSE(d.from_user);
  EXPECT_FALSE(d.present);
  EXPECT_TRUE(d.instruction_fetch);
  EXPECT_TRUE(d.events_were_masked);
  pf.frame.vector = 13;
  EXPECT_EQ(pv_page_fault_decode(&pf, &d), PVABI_EINVAL);
}

TEST(TrapFrameTest, OtherVectorsHaveThePlainFrame) {
  const pvabi_exception_frame f = frame(13, 0x10, 0);
  EXPECT_EQ(pv_trap_frame(&f, 13), &f);
}

TEST(TrapFrameTest, IretFramesReturnWhereTheBounceCameFrom) {
  const pvabi_exception_frame user = frame(3, 0, PVABI_FRAME_FROM_USER);
  pvabi_iret_frame out;
  pv_iret_frame_from_exception(&user, 42, &out);
  EXPECT_EQ(out.rax, 42u);
  EXPECT_EQ(out.rcx, user.rcx);
  EXPECT_EQ(out.r11, user.r11);
  EXPECT_EQ(out.rip, user.rip);
  EXPECT_EQ(out.cs, user.cs);
  EXPECT_EQ(out.rflags, user.rflags);
  EXPECT_EQ(out.rsp, user.rsp);
  EXPECT_EQ(out.ss, user.ss);
  EXPECT_EQ(out.flags, PVABI_IRET_TO_USER | PVABI_IRET_UNMASK_EVENTS);
  EXPECT_EQ(out._pad0, 0u);
  const pvabi_exception_frame masked = frame(3, 0, PVABI_FRAME_EVENTS_WERE_MASKED);
  pv_iret_frame_from_exception(&masked, 0, &out);
  EXPECT_EQ(out.flags, 0u);
  pvabi_event_upcall_frame up{};
  up.rip = 0x1234;
  up.flags = 0;
  pv_iret_frame_from_upcall(&up, 7, &out);
  EXPECT_EQ(out.rip, 0x1234u);
  EXPECT_EQ(out.rax, 7u);
  EXPECT_EQ(out.flags, PVABI_IRET_UNMASK_EVENTS);
}

}  // namespace
}  // namespace libpv::testing
