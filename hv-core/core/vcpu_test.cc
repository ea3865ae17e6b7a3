// PVABI_HC_VCPU_OP through the hypercall entry: every command's success and
// error statuses, and that a refused INITIALISE holds no reference.
#include "vcpu.h"

#include <functional>
#include <vector>

#include "cpu_test_fixture.h"
#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "version.h"

namespace hv {
namespace {

using namespace cpu_test;

constexpr uint32_t kCommands = PVABI_VCPUOP_REGISTER_VCPU_INFO + 1;

class VcpuTest : public CpuFixture {
 protected:
  static int64_t op(TestGuest& g, uint64_t cmd, uint64_t id, uint64_t arg = 0) {
    return g.call(PVABI_HC_VCPU_OP, cmd, id, arg);
  }
  static int64_t initialise(TestGuest& g, uint64_t id, const pvabi_vcpu_context& c) {
    return op(g, PVABI_VCPUOP_INITIALISE, id, g.put(c).value());
  }
  static int64_t register_area(TestGuest& g, uint64_t cmd, uint64_t id, uint64_t address) {
    return op(g, cmd, id, g.put(pvabi_area_registration{address}).value());
  }
  static Mfn pinned_l1(TestGuest& g) {
    const Mfn t = g.make_table_frame([](uint64_t*) {});
    const Gva pin = g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, t.value(), 0});
    HV_CHECK(g.call(PVABI_HC_MMUEXT_OP, pin.value(), 1, 0, PVABI_DOMID_SELF) == PVABI_OK);
    return t;
  }
  // A context every check accepts: the builder's L4 for both base pointers
  // and a one-frame GDT.
  static pvabi_vcpu_context good_context(TestGuest& g) {
    pvabi_vcpu_context c{};
    const uint64_t top = (g.alloc(PVABI_PAGE_SIZE, 16) + PVABI_PAGE_SIZE).value();
    c.rip = kHandler;
    c.rsp = top - 64;
    c.rdi = 0xd1;
    c.rsi = 0x51;
    c.kernel_ss = kGuestSs;
    c.kernel_sp = top;
    c.kernel_baseptr = g.layout().l4.value();
    c.user_baseptr = g.layout().l4.value();
    c.event_callback = kHandler + 0x10;
    c.failsafe_callback = 0;  // none
    c.syscall_callback = kHandler + 0x30;
    c.fs_base = 0x1000;
    c.gs_base_kernel = 0x2000;
    c.gs_base_user = 0x3000;
    c.gdt_frames[0] = descriptor_frame(g, {0, kUserCode64, kUserData}).value();
    c.gdt_entries = 3;
    c.flags = 0;
    return c;
  }
};

TEST_F(VcpuTest, EveryCommandChecksTheVcpuId) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  for (uint32_t cmd = 0; cmd <= kCommands; ++cmd) {
    EXPECT_EQ(op(g, cmd, 2, g.alloc(256).value()), PVABI_ESRCH) << cmd;
    EXPECT_EQ(op(g, cmd, 1ull << 32), PVABI_ESRCH) << cmd;
  }
  EXPECT_EQ(op(g, kCommands, 0), PVABI_ENOSYS);
}

TEST_F(VcpuTest, InitialiseSetsTheWholeContext) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  const pvabi_vcpu_context c = good_context(g);
  const uint32_t l4_types = frame_table().info(g.layout().l4).type_count;
  ASSERT_EQ(initialise(g, 1, c), PVABI_OK);
  const Vcpu& t = g.vcpu(1);
  EXPECT_TRUE(t.initialised);
  EXPECT_FALSE(t.up);
  EXPECT_EQ(t.kernel_baseptr, g.layout().l4);
  EXPECT_EQ(t.user_baseptr, g.layout().l4);
  EXPECT_EQ(frame_table().info(g.layout().l4).type_count, l4_types + 2);
  const VcpuCpu& cpu = t.cpu;
  EXPECT_EQ(cpu.regs.rip, c.rip);
  EXPECT_EQ(cpu.regs.rsp, c.rsp);
  EXPECT_EQ(cpu.regs.rdi, 0xd1u);
  EXPECT_EQ(cpu.regs.rsi, 0x51u);
  EXPECT_EQ(cpu.regs.cs, PVABI_FLAT_CS64);
  EXPECT_EQ(cpu.regs.ss, kGuestSs);
  EXPECT_EQ(cpu.regs.rax, 0u);
  EXPECT_EQ(cpu.kernel_stack.ss, kGuestSs);
  EXPECT_EQ(cpu.kernel_stack.sp, c.kernel_sp);
  EXPECT_EQ(cpu.callbacks[PVABI_CALLBACK_EVENT].address, kHandler + 0x10);
  EXPECT_FALSE(cpu.callbacks[PVABI_CALLBACK_FAILSAFE].registered);
  EXPECT_TRUE(cpu.callbacks[PVABI_CALLBACK_SYSCALL].registered);
  EXPECT_EQ(cpu.fs_base, 0x1000u);
  EXPECT_EQ(cpu.gs_base_kernel, 0x2000u);
  EXPECT_EQ(cpu.gs_base_user, 0x3000u);
  EXPECT_EQ(cpu.gdt.nr_frames, 1u);
  EXPECT_EQ(cpu.gdt.entries, 3u);
  EXPECT_EQ(frame_table().info(Mfn{c.gdt_frames[0]}).type, FrameType::kDescriptorTable);
  EXPECT_EQ(g.vcpu(1).info().upcall_mask, 0);
  EXPECT_FALSE(cpu.fpu_ts);
  // Once only; vCPU 0 has the builder's context.
  EXPECT_EQ(initialise(g, 1, c), PVABI_EEXIST);
  EXPECT_EQ(initialise(g, 0, good_context(g)), PVABI_EEXIST);
  EXPECT_EQ(op(g, PVABI_VCPUOP_INITIALISE, 1, kUnmapped), PVABI_EEXIST);
}

TEST_F(VcpuTest, InitialiseStartsTheFpuAsAfterFninit) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  Vcpu& t = g.vcpu(1);
  t.cpu.fpu.fcw = 0x0040;  // registers left over must not survive
  t.cpu.fpu.mxcsr = 0x7f80;
  t.cpu.fpu.xmm[15][0] = 0xaa;
  t.cpu.fpu_ts = true;
  ASSERT_EQ(initialise(g, 1, good_context(g)), PVABI_OK);
  EXPECT_EQ(t.cpu.fpu.fcw, 0x037fu);
  EXPECT_EQ(t.cpu.fpu.mxcsr, 0x1f80u);
  EXPECT_EQ(t.cpu.fpu.xmm[15][0], 0u);
  EXPECT_FALSE(t.cpu.fpu_ts);
}

TEST_F(VcpuTest, InitialiseMasksEventsWhenAskedAndNeedsNoUserBasePointer) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  pvabi_vcpu_context c = good_context(g);
  c.user_baseptr = 0;
  c.gdt_entries = 0;
  c.gdt_frames[0] = 0;
  c.flags = PVABI_VCPU_CONTEXT_EVENTS_MASKED;
  g.vcpu(1).info().upcall_mask = 0;
  ASSERT_EQ(initialise(g, 1, c), PVABI_OK);
  EXPECT_EQ(g.vcpu(1).user_baseptr, kNoFrame);
  EXPECT_EQ(g.vcpu(1).cpu.gdt.nr_frames, 0u);
  EXPECT_EQ(g.vcpu(1).info().upcall_mask, 1);
}

TEST_F(VcpuTest, RefusedInitialiseLeavesTheVcpuUninitialisedWithNoReferences) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  TestGuest other("other");
  const Mfn l1 = pinned_l1(g);
  const Mfn bad_gdt = descriptor_frame(g, {0, kKernelCode64});
  const Mfn writable = g.mfn(g.take_pfn());
  const Mfn foreign = other.mfn(other.take_pfn());
  using Change = std::function<void(pvabi_vcpu_context&)>;
  const std::vector<Change> changes = {
      [](pvabi_vcpu_context& c) { c.kernel_baseptr = 0; },
      [&](pvabi_vcpu_context& c) { c.kernel_baseptr = l1.value(); },
      [&](pvabi_vcpu_context& c) { c.kernel_baseptr = foreign.value(); },
      [](pvabi_vcpu_context& c) { c.kernel_baseptr = frame_table().size(); },
      // Refused after the kernel base pointer (and then the user one) was taken:
      [&](pvabi_vcpu_context& c) { c.user_baseptr = l1.value(); },
      [&](pvabi_vcpu_context& c) { c.gdt_frames[0] = bad_gdt.value(); },
      [&](pvabi_vcpu_context& c) { c.gdt_frames[0] = writable.value(); },
      [&](pvabi_vcpu_context& c) { c.gdt_frames[0] = foreign.value(); },
      [](pvabi_vcpu_context& c) { c.gdt_entries = PVABI_GDT_FIRST_RESERVED_ENTRY + 1; },
      [](pvabi_vcpu_context& c) { c.gdt_frames[1] = c.gdt_frames[0]; },  // past the frames used
      [](pvabi_vcpu_context& c) { c.kernel_ss = 0xe028; },
      [](pvabi_vcpu_context& c) { c.kernel_ss = PVABI_FLAT_CS64; },
      [](pvabi_vcpu_context& c) { c.kernel_sp += 8; },
      [](pvabi_vcpu_context& c) { c.rip = kReserved; },
      [](pvabi_vcpu_context& c) { c.rsp = kNonCanonical; },
      [](pvabi_vcpu_context& c) { c.event_callback = kReserved; },
      [](pvabi_vcpu_context& c) { c.failsafe_callback = kNonCanonical; },
      [](pvabi_vcpu_context& c) { c.syscall_callback = PVABI_HV_VIRT_START; },
      [](pvabi_vcpu_context& c) { c.fs_base = kNonCanonical; },
      [](pvabi_vcpu_context& c) { c.gs_base_user = kNonCanonical; },
      [](pvabi_vcpu_context& c) { c.flags = 2; },
  };
  const pvabi_vcpu_context good = good_context(g);
  const FrameSnapshot before = FrameSnapshot::take();
  for (size_t i = 0; i < changes.size(); ++i) {
    pvabi_vcpu_context c = good;
    changes[i](c);
    EXPECT_EQ(initialise(g, 1, c), PVABI_EINVAL) << i;
    EXPECT_TRUE(FrameSnapshot::take() == before) << i;
  }
  EXPECT_EQ(op(g, PVABI_VCPUOP_INITIALISE, 1, kUnmapped), PVABI_EFAULT);
  const Vcpu& t = g.vcpu(1);
  EXPECT_FALSE(t.initialised);
  EXPECT_EQ(t.kernel_baseptr, kNoFrame);
  EXPECT_EQ(t.user_baseptr, kNoFrame);
  EXPECT_EQ(t.cpu.gdt.nr_frames, 0u);
  EXPECT_EQ(initialise(g, 1, good), PVABI_OK);  // and it still can be
}

TEST_F(VcpuTest, UpDownAndIsUp) {
  TestGuest g("dom", {.frames = 256, .vcpus = 3});
  EXPECT_EQ(op(g, PVABI_VCPUOP_IS_UP, 0), 1);  // the domain starts with vCPU 0 up
  EXPECT_EQ(op(g, PVABI_VCPUOP_IS_UP, 1), 0);
  EXPECT_EQ(op(g, PVABI_VCPUOP_UP, 1), PVABI_EINVAL);  // not initialised
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 0), PVABI_EINVAL);  // the last one running
  ASSERT_EQ(initialise(g, 1, good_context(g)), PVABI_OK);
  EXPECT_EQ(op(g, PVABI_VCPUOP_UP, 1), PVABI_OK);
  EXPECT_EQ(op(g, PVABI_VCPUOP_UP, 1), PVABI_OK);  // already up
  EXPECT_EQ(op(g, PVABI_VCPUOP_IS_UP, 1), 1);
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 0), PVABI_OK);
  EXPECT_EQ(op(g, PVABI_VCPUOP_IS_UP, 0), 0);
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 0), PVABI_OK);  // already down
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 2), PVABI_OK);  // never up
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 1), PVABI_EINVAL);
  EXPECT_EQ(op(g, PVABI_VCPUOP_UP, 0), PVABI_OK);  // it keeps the builder's context
  EXPECT_EQ(op(g, PVABI_VCPUOP_DOWN, 1), PVABI_OK);
  EXPECT_EQ(op(g, PVABI_VCPUOP_IS_UP, 1), 0);
  EXPECT_TRUE(g.vcpu(1).initialised);  // down keeps the context
  EXPECT_EQ(op(g, PVABI_VCPUOP_UP, 1), PVABI_OK);
}

TEST_F(VcpuTest, RunstateInfoAndArea) {
  TestGuest g("dom");
  EXPECT_EQ(op(g, PVABI_VCPUOP_GET_RUNSTATE_INFO, 0, g.alloc(sizeof(pvabi_runstate_info)).value()), PVABI_OK);
  EXPECT_EQ(op(g, PVABI_VCPUOP_GET_RUNSTATE_INFO, 0, kUnmapped), PVABI_EFAULT);
  const uint64_t page = g.alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE).value();
  const uint32_t area = PVABI_VCPUOP_REGISTER_RUNSTATE_AREA;
  EXPECT_EQ(op(g, area, 0, kUnmapped), PVABI_EFAULT);
  EXPECT_EQ(register_area(g, area, 0, page + 4), PVABI_EINVAL);
  EXPECT_EQ(register_area(g, area, 0, page + PVABI_PAGE_SIZE - 16), PVABI_EINVAL);  // crosses the page
  EXPECT_EQ(register_area(g, area, 0, page + 8), PVABI_OK);
  EXPECT_EQ(register_area(g, area, 0, 0), PVABI_OK);
}

TEST_F(VcpuTest, TimeAreaNeedsItsFeature) {
  TestGuest g("dom");
  const uint64_t page = g.alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE).value();
  const uint32_t area = PVABI_VCPUOP_REGISTER_TIME_AREA;
  if ((feature_word(0) & PVABI_FEATURE0_USER_TIME_AREA) == 0) {
    EXPECT_EQ(register_area(g, area, 0, page), PVABI_ENOSYS);
    EXPECT_EQ(op(g, area, 0, kUnmapped), PVABI_ENOSYS);
    return;
  }
  EXPECT_EQ(op(g, area, 0, kUnmapped), PVABI_EFAULT);
  EXPECT_EQ(register_area(g, area, 0, page + 4), PVABI_EINVAL);
  EXPECT_EQ(register_area(g, area, 0, page), PVABI_OK);
  EXPECT_EQ(register_area(g, area, 0, 0), PVABI_OK);
}

TEST_F(VcpuTest, RegisterVcpuInfoMovesItOnce) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  const uint32_t cmd = PVABI_VCPUOP_REGISTER_VCPU_INFO;
  const Gva page = g.alloc(PVABI_PAGE_SIZE, PVABI_PAGE_SIZE);
  EXPECT_EQ(op(g, cmd, 1, kUnmapped), PVABI_EFAULT);
  EXPECT_EQ(register_area(g, cmd, 1, 0), PVABI_EINVAL);
  EXPECT_EQ(register_area(g, cmd, 1, page.value() + 32), PVABI_EINVAL);
  EXPECT_EQ(register_area(g, cmd, 1, kReserved), PVABI_EINVAL);
  EXPECT_EQ(register_area(g, cmd, 1, kUnmapped), PVABI_EFAULT);
  const Mfn read_only = descriptor_frame(g, {});
  EXPECT_EQ(register_area(g, cmd, 1, g.va_of(frame_table().m2p(read_only)).value()), PVABI_EFAULT);
  EXPECT_EQ(moved_vcpu_info(g.vcpu(1).cpu), nullptr);

  g.vcpu(1).info().upcall_pending = 1;
  g.vcpu(1).info().pending_sel = 0x55;
  const Maddr at = translate(g.vcpu(), page + 128, false).value;
  const uint32_t types = frame_table().info(at.frame()).type_count;
  ASSERT_EQ(register_area(g, cmd, 1, (page + 128).value()), PVABI_OK);
  const pvabi_vcpu_info* moved = moved_vcpu_info(g.vcpu(1).cpu);
  ASSERT_EQ(reinterpret_cast<const uint8_t*>(moved), platform::frame_memory(at.frame()) + at.page_offset());
  EXPECT_EQ(moved->upcall_pending, 1);
  EXPECT_EQ(moved->upcall_mask, 1);
  EXPECT_EQ(moved->pending_sel, 0x55u);
  EXPECT_EQ(frame_table().info(at.frame()).type_count, types + 1);
  EXPECT_EQ(register_area(g, cmd, 1, (page + 256).value()), PVABI_EEXIST);
  EXPECT_EQ(moved_vcpu_info(g.vcpu(1).cpu), moved);
  // The frame stays writable-typed: it cannot become a page table.
  const Gva pin = g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, at.frame().value(), 0});
  EXPECT_EQ(g.call(PVABI_HC_MMUEXT_OP, pin.value(), 1, 0, PVABI_DOMID_SELF), PVABI_EBUSY);
}

TEST_F(VcpuTest, BootGivesVcpu0ItsFirstRegisters) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  const uint64_t top = g.layout().boot_stack_top.value();
  vcpu_boot(v, kHandler, top, g.layout().start_info.value());
  EXPECT_TRUE(v.initialised);
  EXPECT_TRUE(v.up);
  EXPECT_EQ(v.cpu.regs.rip, kHandler);
  EXPECT_EQ(v.cpu.regs.rsp, top);
  EXPECT_EQ(v.cpu.regs.rsi, g.layout().start_info.value());
  EXPECT_EQ(v.cpu.regs.cs, PVABI_FLAT_CS64);
  EXPECT_EQ(v.cpu.regs.ss, PVABI_FLAT_SS);
  EXPECT_EQ(v.cpu.kernel_stack.sp, top);
  EXPECT_EQ(v.info().upcall_mask, 1);
  EXPECT_EQ(initialise(g, 0, pvabi_vcpu_context{}), PVABI_EEXIST);
}

}  // namespace
}  // namespace hv
