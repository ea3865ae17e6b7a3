// The de-privileged CPU through the hypercall entry and the bounce API, with
// one test per attack class of the architecture brief ("Attack" in the name).
#include "cpu.h"

#include <cstring>
#include <vector>

#include "cpu_checks.h"
#include "cpu_test_fixture.h"
#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"

namespace hv {
namespace {

using namespace cpu_test;

pvabi_trap_info trap(uint8_t vector, uint64_t address = kHandler, uint8_t flags = 0,
                     uint16_t cs = PVABI_FLAT_CS64) {
  return pvabi_trap_info{vector, flags, cs, 0, address};
}

class CpuTest : public CpuFixture {
 protected:
  static int64_t set_traps(TestGuest& g, const std::vector<pvabi_trap_info>& traps) {
    const Gva table = g.alloc(traps.size() * sizeof(pvabi_trap_info) + 16);
    HV_CHECK(copy_to_guest(g.vcpu(), table, traps.data(), traps.size() * sizeof(pvabi_trap_info)) == Status::kOk);
    return g.call(PVABI_HC_SET_TRAP_TABLE, table.value(), traps.size());
  }
  static int64_t callback(TestGuest& g, uint32_t cmd, uint32_t type, uint64_t address = kHandler,
                          uint32_t flags = 0) {
    return g.call(PVABI_HC_CALLBACK_OP, cmd, g.put(pvabi_callback{type, flags, address}).value());
  }
  // The top of a fresh 4 KiB guest stack (mapped writable, 16-aligned).
  static uint64_t stack_top(TestGuest& g) { return (g.alloc(PVABI_PAGE_SIZE, 16) + PVABI_PAGE_SIZE).value(); }
  // A vCPU interrupted in kernel mode with recognisable registers.
  static GuestRegs kernel_regs(uint64_t rsp) {
    GuestRegs r{};
    r.rip = 0xffffffff80001234ull;
    r.cs = PVABI_FLAT_CS64;
    r.rflags = 0x202 | 0x100 | 0x4000;  // IF, TF, NT
    r.rsp = rsp;
    r.ss = PVABI_FLAT_SS;
    r.rcx = 0xc0c0;
    r.r11 = 0x1111;
    return r;
  }
  template <typename T>
  static void expect_bytes(TestGuest& g, Gva at, const T& expected) {
    uint8_t got[sizeof(T)];
    ASSERT_EQ(copy_from_guest(g.vcpu(), at, got, sizeof got), Status::kOk);
    EXPECT_EQ(std::memcmp(got, &expected, sizeof got), 0);
  }
};

// ---- Pure rules ----

TEST_F(CpuTest, SelectorRules) {
  EXPECT_TRUE(is_guest_selector(PVABI_FLAT_CS64, SelectorUse::kCode));
  EXPECT_TRUE(is_guest_selector(PVABI_FLAT_CS32, SelectorUse::kCode));
  EXPECT_TRUE(is_guest_selector(kGuestCs, SelectorUse::kCode));
  EXPECT_TRUE(is_guest_selector(PVABI_FLAT_SS, SelectorUse::kData));
  EXPECT_TRUE(is_guest_selector(kGuestSs, SelectorUse::kData));
  EXPECT_FALSE(is_guest_selector(PVABI_FLAT_DS, SelectorUse::kCode));
  EXPECT_FALSE(is_guest_selector(PVABI_FLAT_CS64, SelectorUse::kData));
  // Guest GDT selectors too (0x0b, 0x13, 0x33, 0x2b): the hypervisor would
  // load them from its own GDT, where index 1 is its ring-0 code.
  for (uint64_t bad : U64s{0x0ull, 0x3ull, 0x0bull, 0x13ull, 0x2bull, 0x33ull, 0x10ull, 0x30ull, 0x37ull, 0xe030ull,
                       0xe008ull, 0xe00bull, 0xfffbull, 0x1e033ull}) {
    EXPECT_FALSE(is_guest_selector(bad, SelectorUse::kCode)) << bad;
    EXPECT_FALSE(is_guest_selector(bad, SelectorUse::kData)) << bad;
  }
}

TEST_F(CpuTest, DescriptorRules) {
  using namespace descriptor;
  for (uint64_t good : U64s{0ull, kUserCode64, kUserCode32, kUserData, kUserData & ~kPresent,
                        0xffcff3ffffffffffull /* base 4 GiB - 1, limit 4 GiB: still below 8 GiB */}) {
    EXPECT_TRUE(is_guest_descriptor(good)) << std::hex << good;
  }
  const uint64_t refused[] = {
      kKernelCode64, kKernelData,                     // DPL 0
      0x00afbb000000ffffull, 0x00afdb000000ffffull,   // DPL 1, 2
      kCallGate, 0x0000ee00e0081000ull, 0x0000ef00e0081000ull,  // call, interrupt, trap gate
      0x0000e90000000067ull, 0x0000e20000000fffull,   // TSS, LDT
      0x00afff000000ffffull,                          // conforming code, DPL 3
      0x00effb000000ffffull,                          // code with L and D
      0x0000100000000000ull,                          // junk: S set, DPL 0
  };
  for (uint64_t bad : refused) EXPECT_FALSE(is_guest_descriptor(bad)) << std::hex << bad;
}

// ---- Trap table ----

TEST_F(CpuTest, SetTrapTableInstallsEveryEntry) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(0), trap(14, kHandler + 16, PVABI_TRAP_MASK_EVENTS),
                          trap(0x80, kHandler + 32, 3, kGuestCs), trap(255, 0x400000, 0, PVABI_FLAT_CS32)}),
            PVABI_OK);
  const VcpuCpu& c = g.vcpu().cpu;
  EXPECT_EQ(trap_gate(c, 0).address(), kHandler);
  EXPECT_EQ(trap_gate(c, 0).cs(), PVABI_FLAT_CS64);
  EXPECT_FALSE(trap_gate(c, 0).masks_events());
  EXPECT_TRUE(trap_gate(c, 14).masks_events());
  EXPECT_EQ(trap_gate(c, 14).dpl(), 0u);
  EXPECT_EQ(trap_gate(c, 0x80).cs(), kGuestCs);
  EXPECT_EQ(trap_gate(c, 0x80).dpl(), 3u);
  EXPECT_EQ(trap_gate(c, 255).address(), 0x400000u);
  EXPECT_EQ(trap_gate(c, 255).cs(), PVABI_FLAT_CS32);
  int present = 0;
  for (unsigned i = 0; i < kTrapVectors; ++i) present += trap_gate(c, i).present();
  EXPECT_EQ(present, 4);
}

TEST_F(CpuTest, SetTrapTableReplacesTheWholeTableAndCountZeroClearsIt) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(3), trap(13)}), PVABI_OK);
  ASSERT_EQ(set_traps(g, {trap(14)}), PVABI_OK);
  EXPECT_FALSE(trap_gate(g.vcpu().cpu, 3).present());
  EXPECT_TRUE(trap_gate(g.vcpu().cpu, 14).present());
  EXPECT_EQ(g.call(PVABI_HC_SET_TRAP_TABLE, kUnmapped, 0), PVABI_OK);  // count 0 reads nothing
  EXPECT_FALSE(trap_gate(g.vcpu().cpu, 14).present());
}

TEST_F(CpuTest, SetTrapTableRefusesMoreThan256Entries) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(1)}), PVABI_OK);
  const Gva table = g.alloc(257 * sizeof(pvabi_trap_info));
  EXPECT_EQ(g.call(PVABI_HC_SET_TRAP_TABLE, table.value(), 257), PVABI_E2BIG);
  EXPECT_TRUE(trap_gate(g.vcpu().cpu, 1).present());
}

TEST_F(CpuTest, SetTrapTableFaultsOnAnUnreadableTable) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(1)}), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_SET_TRAP_TABLE, kUnmapped, 1), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_SET_TRAP_TABLE, kReserved, 1), PVABI_EFAULT);
  EXPECT_TRUE(trap_gate(g.vcpu().cpu, 1).present());
}

TEST_F(CpuTest, AttackTrapHandlerInTheReservedRange) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(14)}), PVABI_OK);
  for (uint64_t address : U64s{PVABI_HV_VIRT_START, kReserved, PVABI_HV_VIRT_END - 1, kNonCanonical}) {
    EXPECT_EQ(set_traps(g, {trap(13), trap(14, address)}), PVABI_EINVAL) << std::hex << address;
  }
  EXPECT_EQ(trap_gate(g.vcpu().cpu, 14).address(), kHandler);
  EXPECT_FALSE(trap_gate(g.vcpu().cpu, 13).present());
  EXPECT_EQ(set_traps(g, {trap(14, PVABI_HV_VIRT_END)}), PVABI_OK);  // just past it is the guest's
}

TEST_F(CpuTest, AttackPrivilegedSelectorInATrapEntry) {
  TestGuest g("dom");
  // RPL 0 flat and guest selectors, hypervisor entries, LDT, null, a data
  // selector, and one past 16 bits' worth of index.
  for (uint16_t cs : {0xe030, 0x0030, 0x0010, 0xe008, 0xe00b, 0x0037, 0x0003, 0x0000, 0xe02b, 0xfffb, 0x000b, 0x0033}) {
    EXPECT_EQ(set_traps(g, {trap(6, kHandler, 0, cs)}), PVABI_EINVAL) << std::hex << cs;
  }
  EXPECT_FALSE(trap_gate(g.vcpu().cpu, 6).present());
}

TEST_F(CpuTest, BadTrapEntriesAreRefusedAndTheOldTableStaysWhole) {
  TestGuest g("dom");
  ASSERT_EQ(set_traps(g, {trap(1), trap(3, kHandler, 3)}), PVABI_OK);
  pvabi_trap_info padded = trap(8);
  padded._pad0 = 1;
  const pvabi_trap_info bad[] = {
      trap(2),                          // NMI
      trap(8, kHandler, 8),             // a flag past MASK_EVENTS
      trap(8, kHandler, 0x80),
      padded,
      trap(1),                          // vector 1 twice (the first entry is vector 1)
  };
  for (const pvabi_trap_info& b : bad) {
    // Good entries first: the table is built whole or not at all.
    EXPECT_EQ(set_traps(g, {trap(1, kHandler + 8), trap(4), b}), PVABI_EINVAL) << int{b.vector};
    EXPECT_EQ(trap_gate(g.vcpu().cpu, 1).address(), kHandler);
    EXPECT_TRUE(trap_gate(g.vcpu().cpu, 3).present());
    EXPECT_FALSE(trap_gate(g.vcpu().cpu, 4).present());
  }
}

// ---- Callbacks, stack, segment bases, FPU flag ----

TEST_F(CpuTest, CallbacksRegisterAndUnregister) {
  TestGuest g("dom");
  for (uint32_t type : {PVABI_CALLBACK_EVENT, PVABI_CALLBACK_FAILSAFE, PVABI_CALLBACK_SYSCALL}) {
    ASSERT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, type, kHandler + type, PVABI_CALLBACK_MASK_EVENTS), PVABI_OK);
    const GuestCallback& cb = g.vcpu().cpu.callbacks[type];
    EXPECT_TRUE(cb.registered);
    EXPECT_EQ(cb.address, kHandler + type);
    EXPECT_EQ(cb.flags, PVABI_CALLBACK_MASK_EVENTS);
  }
  // UNREGISTER reads only the type: the rest may be anything.
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_UNREGISTER, PVABI_CALLBACK_FAILSAFE, kReserved, 99), PVABI_OK);
  EXPECT_FALSE(g.vcpu().cpu.callbacks[PVABI_CALLBACK_FAILSAFE].registered);
  EXPECT_TRUE(g.vcpu().cpu.callbacks[PVABI_CALLBACK_EVENT].registered);
}

TEST_F(CpuTest, CallbackErrorsKeepTheOldCallback) {
  TestGuest g("dom");
  ASSERT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_EVENT), PVABI_OK);
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, 3), PVABI_EINVAL);
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_UNREGISTER, 3), PVABI_EINVAL);
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_EVENT, kHandler + 64, 2), PVABI_EINVAL);
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_EVENT, kReserved), PVABI_EINVAL);
  EXPECT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_EVENT, kNonCanonical), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_CALLBACK_OP, PVABI_CALLBACKOP_REGISTER, kUnmapped), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_CALLBACK_OP, PVABI_CALLBACKOP_UNREGISTER, kUnmapped), PVABI_EFAULT);
  EXPECT_EQ(callback(g, 2, PVABI_CALLBACK_EVENT), PVABI_ENOSYS);
  EXPECT_EQ(g.vcpu().cpu.callbacks[PVABI_CALLBACK_EVENT].address, kHandler);
  EXPECT_TRUE(g.vcpu().cpu.callbacks[PVABI_CALLBACK_EVENT].registered);
}

TEST_F(CpuTest, StackSwitch) {
  TestGuest g("dom");
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, top), PVABI_OK);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, kGuestSs, top), PVABI_OK);
  EXPECT_EQ(g.vcpu().cpu.kernel_stack.ss, kGuestSs);
  EXPECT_EQ(g.vcpu().cpu.kernel_stack.sp, top);
  for (uint64_t ss : U64s{0x28ull, 0xe028ull, 0ull, uint64_t{PVABI_FLAT_CS64}, 0x1002bull, 0x2full, 0x13ull, 0x2bull}) {
    EXPECT_EQ(g.call(PVABI_HC_STACK_SWITCH, ss, top), PVABI_EINVAL) << std::hex << ss;
  }
  for (uint64_t sp : U64s{top - 8, kReserved, kNonCanonical}) {
    EXPECT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, sp), PVABI_EINVAL) << std::hex << sp;
  }
  EXPECT_EQ(g.vcpu().cpu.kernel_stack.ss, kGuestSs);
  EXPECT_EQ(g.vcpu().cpu.kernel_stack.sp, top);
}

TEST_F(CpuTest, SegmentBasesAndTheFpuFlag) {
  TestGuest g("dom");
  const VcpuCpu& c = g.vcpu().cpu;
  EXPECT_EQ(g.call(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_FS, 0x7000), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_GS_USER, 0x8000), PVABI_OK);
  EXPECT_EQ(g.call(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_GS_KERNEL, kHandler), PVABI_OK);
  EXPECT_EQ(c.fs_base, 0x7000u);
  EXPECT_EQ(c.gs_base_user, 0x8000u);
  EXPECT_EQ(c.gs_base_kernel, kHandler);
  EXPECT_EQ(g.call(PVABI_HC_SET_SEGMENT_BASE, 3, 0x9000), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_SET_SEGMENT_BASE, PVABI_SEGBASE_FS, kNonCanonical), PVABI_EINVAL);
  EXPECT_EQ(c.fs_base, 0x7000u);

  EXPECT_EQ(g.call(PVABI_HC_FPU_TASKSWITCH, 1), PVABI_OK);
  EXPECT_TRUE(c.fpu_ts);
  EXPECT_EQ(g.call(PVABI_HC_FPU_TASKSWITCH, 2), PVABI_EINVAL);
  EXPECT_TRUE(c.fpu_ts);
  EXPECT_EQ(g.call(PVABI_HC_FPU_TASKSWITCH, 0), PVABI_OK);
  EXPECT_FALSE(c.fpu_ts);
}

// ---- Descriptor tables ----

TEST_F(CpuTest, UpdateDescriptorWritesUntypedAndDescriptorTableFrames) {
  TestGuest g("dom");
  const Mfn plain = descriptor_frame(g, {});
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_DESCRIPTOR, plain.address().value() + 40, kUserCode64), PVABI_OK);
  EXPECT_EQ(table_entries(plain)[5], kUserCode64);
  EXPECT_EQ(info(plain).type, FrameType::kNone);
  ASSERT_EQ(set_gdt(g, {plain.value()}, 16), PVABI_OK);
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_DESCRIPTOR, plain.address().value() + 48, kUserData), PVABI_OK);
  EXPECT_EQ(table_entries(plain)[6], kUserData);
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_DESCRIPTOR, plain.address().value() + 48, 0), PVABI_OK);
  EXPECT_EQ(table_entries(plain)[6], 0u);
}

TEST_F(CpuTest, AttackUpdateDescriptorWithAPrivilegedDescriptorOrAGate) {
  TestGuest g("dom");
  const Mfn gdt = descriptor_frame(g, {0, kUserCode64});
  ASSERT_EQ(set_gdt(g, {gdt.value()}, 2), PVABI_OK);
  const uint64_t slot = gdt.address().value() + 8;
  for (uint64_t bad : U64s{kKernelCode64, kKernelData, kCallGate, 0x0000e90000000067ull}) {
    EXPECT_EQ(g.call(PVABI_HC_UPDATE_DESCRIPTOR, slot, bad), PVABI_EINVAL) << std::hex << bad;
    EXPECT_EQ(table_entries(gdt)[1], kUserCode64);
  }
}

TEST_F(CpuTest, UpdateDescriptorChecksTheAddressAndTheFrame) {
  TestGuest a("a"), b("b");
  const Mfn mine = descriptor_frame(a, {kUserData});
  EXPECT_EQ(a.call(PVABI_HC_UPDATE_DESCRIPTOR, mine.address().value() + 4, kUserCode64), PVABI_EINVAL);
  EXPECT_EQ(a.call(PVABI_HC_UPDATE_DESCRIPTOR, Mfn{frame_table().size()}.address().value(), kUserCode64),
            PVABI_ERANGE);
  const Mfn theirs = descriptor_frame(b, {});
  EXPECT_EQ(a.call(PVABI_HC_UPDATE_DESCRIPTOR, theirs.address().value(), kUserCode64), PVABI_EPERM);
  const uint64_t l4_slot0 = table_entries(a.layout().l4)[0];
  const Mfn writable = a.mfn(a.take_pfn());  // mapped writable by the builder
  EXPECT_EQ(a.call(PVABI_HC_UPDATE_DESCRIPTOR, writable.address().value(), kUserCode64), PVABI_EBUSY);
  EXPECT_EQ(a.call(PVABI_HC_UPDATE_DESCRIPTOR, a.layout().l4.address().value(), kUserCode64), PVABI_EBUSY);
  EXPECT_EQ(table_entries(mine)[0], kUserData);
  EXPECT_EQ(table_entries(theirs)[0], 0u);
  EXPECT_EQ(table_entries(a.layout().l4)[0], l4_slot0);
}

TEST_F(CpuTest, SetGdtTypesItsFramesAndReplacingDropsTheOld) {
  TestGuest g("dom");
  const Mfn f0 = descriptor_frame(g, {0, kUserCode64, kUserData, kUserCode32});
  const Mfn f1 = descriptor_frame(g, {kUserData});
  ASSERT_EQ(set_gdt(g, {f0.value(), f1.value()}, 513), PVABI_OK);
  const GuestGdt& gdt = g.vcpu().cpu.gdt;
  EXPECT_EQ(gdt.nr_frames, 2u);
  EXPECT_EQ(gdt.entries, 513u);
  EXPECT_EQ(gdt.frames[1], f1);
  for (Mfn f : {f0, f1}) {
    EXPECT_EQ(info(f).type, FrameType::kDescriptorTable);
    EXPECT_EQ(info(f).type_count, 1u);
  }
  const uint32_t f0_refs = info(f0).ref_count;
  // The same frame twice is two references; the old GDT's go after.
  ASSERT_EQ(set_gdt(g, {f0.value()}, 4), PVABI_OK);
  EXPECT_EQ(info(f0).type_count, 1u);
  EXPECT_EQ(info(f0).ref_count, f0_refs);
  EXPECT_EQ(info(f1).type, FrameType::kNone);
  ASSERT_EQ(set_gdt(g, {}, 0), PVABI_OK);
  EXPECT_EQ(info(f0).type, FrameType::kNone);
  EXPECT_EQ(g.vcpu().cpu.gdt.nr_frames, 0u);
}

TEST_F(CpuTest, SetGdtErrorsKeepTheOldTableAndNoFrameChangesType) {
  TestGuest a("a"), b("b");
  const Mfn old = descriptor_frame(a, {0, kUserCode64});
  ASSERT_EQ(set_gdt(a, {old.value()}, 2), PVABI_OK);
  const Mfn good = descriptor_frame(a, {0, kUserData});
  const Mfn theirs = descriptor_frame(b, {});
  const FrameSnapshot before = FrameSnapshot::take();
  EXPECT_EQ(set_gdt(a, {good.value()}, PVABI_GDT_FIRST_RESERVED_ENTRY + 1), PVABI_E2BIG);
  EXPECT_EQ(a.call(PVABI_HC_SET_GDT, kUnmapped, 2), PVABI_EFAULT);
  EXPECT_EQ(set_gdt(a, {good.value(), theirs.value()}, 600), PVABI_EPERM);
  EXPECT_EQ(set_gdt(a, {good.value(), frame_table().size()}, 600), PVABI_EPERM);
  EXPECT_TRUE(FrameSnapshot::take() == before);
  EXPECT_EQ(a.vcpu().cpu.gdt.frames[0], old);
  EXPECT_EQ(a.vcpu().cpu.gdt.entries, 2u);
}

TEST_F(CpuTest, AttackGdtFrameMappedWritable) {
  TestGuest g("dom");
  const Mfn good = descriptor_frame(g, {});
  const Mfn writable = g.mfn(g.take_pfn());  // still mapped writable by the builder
  const FrameSnapshot before = FrameSnapshot::take();
  EXPECT_EQ(set_gdt(g, {good.value(), writable.value()}, 1024), PVABI_EBUSY);
  EXPECT_EQ(set_gdt(g, {writable.value()}, 1), PVABI_EBUSY);
  EXPECT_TRUE(FrameSnapshot::take() == before);
}

TEST_F(CpuTest, AttackGdtWithADpl0DescriptorACallGateOrAHiddenBadEntry) {
  TestGuest g("dom");
  const Mfn good = descriptor_frame(g, {0, kUserCode64});
  std::vector<uint64_t> hidden(512, 0);
  hidden[400] = kKernelCode64;  // past `entries`, but the frame is checked whole
  for (const std::vector<uint64_t>& descs :
       {std::vector<uint64_t>{0, kKernelCode64}, std::vector<uint64_t>{0, kUserData, kCallGate}, hidden}) {
    const Mfn bad = descriptor_frame(g, descs);
    const FrameSnapshot before = FrameSnapshot::take();
    EXPECT_EQ(set_gdt(g, {good.value(), bad.value()}, 520), PVABI_EINVAL);
    EXPECT_TRUE(FrameSnapshot::take() == before);
  }
  EXPECT_EQ(g.vcpu().cpu.gdt.nr_frames, 0u);
}

TEST_F(CpuTest, AttackDescriptorReachingTheReservedRange) {
  TestGuest g("dom");
  // Only system descriptors and gates carry 64-bit addresses: a call gate
  // to 0xffff800000001000 is refused by either of its halves.
  const uint64_t gate_high_half = PVABI_HV_VIRT_START >> 32;
  EXPECT_EQ(set_gdt(g, {descriptor_frame(g, {0, kCallGate, gate_high_half}).value()}, 3), PVABI_EINVAL);
  EXPECT_EQ(set_gdt(g, {descriptor_frame(g, {0, gate_high_half}).value()}, 2), PVABI_EINVAL);
  // Code and data segments have 32-bit bases and limits: the largest ends
  // below 8 GiB (descriptor::kMaxSegmentEnd, checked at compile time).
  const uint64_t largest = 0xffcff3ffffffffffull;  // base 0xffffffff, limit 4 GiB
  EXPECT_EQ(set_gdt(g, {descriptor_frame(g, {0, largest}).value()}, 2), PVABI_OK);
  EXPECT_LT(descriptor::kMaxSegmentEnd, PVABI_HV_VIRT_START);
}

TEST_F(CpuTest, AGdtFrameCannotBeMappedWritableOrBecomeAPageTable) {
  TestGuest g("dom");
  const uint64_t pfn = g.take_pfn();  // its L1 slot will map the GDT frame
  const Mfn gdt = descriptor_frame(g, {0, kUserCode64});
  ASSERT_EQ(set_gdt(g, {gdt.value()}, 2), PVABI_OK);
  const Pte writable = Pte::map(gdt, PVABI_PTE_WRITABLE);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), writable.raw(), PVABI_UVMF_INVLPG),
            PVABI_EBUSY);
  const Gva pin = g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, gdt.value(), 0});
  EXPECT_EQ(g.call(PVABI_HC_MMUEXT_OP, pin.value(), 1, 0, PVABI_DOMID_SELF), PVABI_EBUSY);
  EXPECT_EQ(info(gdt).type, FrameType::kDescriptorTable);
}

TEST_F(CpuTest, DestroyingADomainDropsItsGdtReferences) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  const Mfn gdt = descriptor_frame(g, {0, kUserCode64});
  ASSERT_EQ(set_gdt(g, {gdt.value(), gdt.value()}, 1000), PVABI_OK);
  EXPECT_EQ(info(gdt).type_count, 2u);
  g.destroy();
  EXPECT_EQ(info(gdt).owner, kOwnerFree);
  EXPECT_EQ(info(gdt).ref_count, 0u);  // the fixture checks every frame came back
}

// ---- iret ----

TEST_F(CpuTest, IretReturnsWithTheFramesRegisters) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  v.info().upcall_mask = 1;
  pvabi_iret_frame f{};
  f.rax = 0xaaaa;
  f.r11 = 0xbbbb;
  f.rcx = 0xcccc;
  f.flags = PVABI_IRET_UNMASK_EVENTS | PVABI_IRET_TO_USER;
  f.rip = 0x401000;
  f.cs = kGuestCs;
  f.rflags = 0x3000 | 0x4000 | 0x20000 | 0x10000 | 0x100 | 0x1;  // IOPL 3, NT, VM, RF, TF, CF; IF clear
  f.rsp = 0x7ffff000;
  f.ss = kGuestSs;
  v.cpu.regs.rsp = g.put(f).value();
  EXPECT_EQ(g.call(PVABI_HC_IRET), 0xaaaa);
  const GuestRegs& r = v.cpu.regs;
  EXPECT_EQ(r.rax, 0xaaaau);
  EXPECT_EQ(r.r11, 0xbbbbu);
  EXPECT_EQ(r.rcx, 0xccccu);
  EXPECT_EQ(r.rip, 0x401000u);
  EXPECT_EQ(r.cs, kGuestCs);
  EXPECT_EQ(r.rflags, 0x200u | 0x2 | 0x100 | 0x1);  // IF and TF, CF kept; IOPL, NT, VM, RF gone
  EXPECT_EQ(r.rsp, 0x7ffff000u);
  EXPECT_EQ(r.ss, kGuestSs);
  EXPECT_TRUE(v.in_user_mode);
  EXPECT_EQ(v.info().upcall_mask, 0);
}

TEST_F(CpuTest, IretToKernelKeepsTheMaskUnlessAsked) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  v.info().upcall_mask = 1;
  v.in_user_mode = true;
  pvabi_iret_frame f{};
  f.rip = kHandler;
  f.cs = PVABI_FLAT_CS64;
  f.ss = PVABI_FLAT_SS;
  f.rsp = kHandler;
  v.cpu.regs.rsp = g.put(f).value();
  EXPECT_EQ(g.call(PVABI_HC_IRET), 0);
  EXPECT_FALSE(v.in_user_mode);
  EXPECT_EQ(v.info().upcall_mask, 1);
}

TEST_F(CpuTest, AttackIretToRing0EntersTheFailsafeCallback) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_FAILSAFE, kHandler + 0x100,
                     PVABI_CALLBACK_MASK_EVENTS),
            PVABI_OK);
  pvabi_iret_frame good{};
  good.rip = 0x401000;
  good.cs = PVABI_FLAT_CS64;
  good.ss = PVABI_FLAT_SS;
  good.rsp = 0x7ffff000;
  std::vector<pvabi_iret_frame> bad(7, good);
  bad[0].cs = 0xe030;            // ring-0 flat code
  bad[1].cs = 0x10;              // ring-0 guest entry
  bad[2].ss = 0xe028;            // ring-0 stack
  bad[3].cs = 0xe008 | 3;        // a hypervisor entry with RPL 3
  bad[4].rip = kNonCanonical;    // sysret would fault in ring 0
  bad[5].rip = kReserved;
  bad[6].rsp = kNonCanonical;
  for (const pvabi_iret_frame& f : bad) {
    v.info().upcall_mask = 0;
    v.in_user_mode = false;
    GuestRegs& r = v.cpu.regs;
    r = kernel_regs(g.put(f).value());
    r.rax = 0x5a5a;
    const uint64_t frame_at = r.rsp;
    EXPECT_EQ(g.call(PVABI_HC_IRET), 0x5a5a);
    EXPECT_EQ(r.rip, kHandler + 0x100);
    EXPECT_EQ(r.cs, PVABI_FLAT_CS64);
    EXPECT_EQ(r.rsp, frame_at);  // the handler can read the rejected frame
    EXPECT_EQ(r.ss, PVABI_FLAT_SS);
    EXPECT_FALSE(v.in_user_mode);
    EXPECT_EQ(v.info().upcall_mask, 1);
  }
}

TEST_F(CpuTest, IretErrorsChangeNothing) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  pvabi_iret_frame f{};
  f.rip = 0x401000;
  f.cs = 0xe030;  // refused, and no failsafe callback
  f.ss = PVABI_FLAT_SS;
  v.cpu.regs = kernel_regs(g.put(f).value());
  const GuestRegs before = v.cpu.regs;
  EXPECT_EQ(g.call(PVABI_HC_IRET), PVABI_EINVAL);
  f.cs = PVABI_FLAT_CS64;
  f.flags = 4;
  v.cpu.regs.rsp = g.put(f).value();
  EXPECT_EQ(g.call(PVABI_HC_IRET), PVABI_EINVAL);
  f.flags = 0;
  f._pad0 = 1;
  v.cpu.regs.rsp = g.put(f).value();
  EXPECT_EQ(g.call(PVABI_HC_IRET), PVABI_EINVAL);
  v.cpu.regs.rsp = kUnmapped;
  EXPECT_EQ(g.call(PVABI_HC_IRET), PVABI_EFAULT);
  EXPECT_EQ(v.cpu.regs.rip, before.rip);
  EXPECT_EQ(v.cpu.regs.cs, before.cs);
  EXPECT_FALSE(v.in_user_mode);
}

// ---- Bounces ----

TEST_F(CpuTest, ExceptionFrameFromKernelMode) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(13, kHandler, 0, kGuestCs)}), PVABI_OK);
  v.info().upcall_mask = 0;
  const uint64_t top = stack_top(g);
  v.cpu.regs = kernel_regs(top - 24);  // not 16-aligned: the frame is
  const GuestRegs was = v.cpu.regs;
  ASSERT_EQ(bounce_exception(v, 13, 0x18, 0xdead), Status::kOk);
  const uint64_t frame_at = top - 32 - sizeof(pvabi_exception_frame);
  pvabi_exception_frame expected{};
  expected.rcx = was.rcx;
  expected.r11 = was.r11;
  expected.error_code = 0x18;
  expected.rip = was.rip;
  expected.cs = was.cs;
  expected.rflags = was.rflags;
  expected.rsp = was.rsp;
  expected.ss = was.ss;
  expected.vector = 13;
  expected.flags = 0;
  expect_bytes(g, Gva{frame_at}, expected);
  const GuestRegs& r = v.cpu.regs;
  EXPECT_EQ(r.rsp, frame_at);
  EXPECT_EQ(r.rip, kHandler);
  EXPECT_EQ(r.cs, kGuestCs);
  EXPECT_EQ(r.ss, PVABI_FLAT_SS);
  EXPECT_EQ(r.rflags, 0x202u);  // TF and NT cleared for the handler
  EXPECT_EQ(r.rcx, kHandler);   // as sysret leaves them
  EXPECT_EQ(r.r11, r.rflags);
  EXPECT_EQ(v.info().upcall_mask, 0);  // the entry does not mask
}

TEST_F(CpuTest, PageFaultFrameFromUserModeLandsOnTheKernelStack) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(14, kHandler, PVABI_TRAP_MASK_EVENTS)}), PVABI_OK);
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, kGuestSs, top), PVABI_OK);
  v.info().upcall_mask = 0;
  v.in_user_mode = true;
  v.cpu.regs = kernel_regs(0x7fffe008);
  v.cpu.regs.cs = kGuestCs;
  ASSERT_EQ(bounce_exception(v, 14, 6, 0xdeadb000), Status::kOk);
  const uint64_t frame_at = top - sizeof(pvabi_page_fault_frame);
  EXPECT_EQ(v.cpu.regs.rsp, frame_at);
  EXPECT_EQ(v.cpu.regs.ss, kGuestSs);
  EXPECT_FALSE(v.in_user_mode);
  EXPECT_EQ(v.info().upcall_mask, 1);
  // The documented offsets: fault_addr at 0, the frame at 16, its error code at 16 + 16.
  uint8_t raw_frame[sizeof(pvabi_page_fault_frame)];
  ASSERT_EQ(copy_from_guest(v, Gva{frame_at}, raw_frame, sizeof raw_frame), Status::kOk);
  uint64_t at0, at32, at8;
  uint32_t vector, flags;
  std::memcpy(&at0, raw_frame + 0, 8);
  std::memcpy(&at8, raw_frame + 8, 8);
  std::memcpy(&at32, raw_frame + 32, 8);
  std::memcpy(&vector, raw_frame + 16 + 64, 4);
  std::memcpy(&flags, raw_frame + 16 + 68, 4);
  EXPECT_EQ(at0, 0xdeadb000u);
  EXPECT_EQ(at8, 0u);
  EXPECT_EQ(at32, 6u);
  EXPECT_EQ(vector, 14u);
  EXPECT_EQ(flags, PVABI_FRAME_FROM_USER);
  const auto pf = g.get<pvabi_page_fault_frame>(Gva{frame_at});
  EXPECT_EQ(pf.frame.rsp, 0x7fffe008u);
  EXPECT_EQ(pf.frame.cs, kGuestCs);
  EXPECT_EQ(pf.frame.rip, 0xffffffff80001234ull);
}

TEST_F(CpuTest, ABounceRecordsThatEventsWereMasked) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(3, kHandler, 3)}), PVABI_OK);
  v.info().upcall_mask = 1;
  v.cpu.regs = kernel_regs(stack_top(g));
  ASSERT_EQ(bounce_exception(v, 3, 0, 0), Status::kOk);
  EXPECT_EQ(g.get<pvabi_exception_frame>(Gva{v.cpu.regs.rsp}).flags, PVABI_FRAME_EVENTS_WERE_MASKED);
  EXPECT_EQ(v.info().upcall_mask, 1);
}

TEST_F(CpuTest, BounceFailuresChangeNothing) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  v.cpu.regs = kernel_regs(stack_top(g));
  const uint64_t rip = v.cpu.regs.rip;
  EXPECT_EQ(bounce_exception(v, 6, 0, 0), Status::kNoEntry);        // no handler
  EXPECT_EQ(bounce_event_upcall(v), Status::kNoEntry);              // no callback
  ASSERT_EQ(set_traps(g, {trap(6)}), PVABI_OK);
  v.in_user_mode = true;
  EXPECT_EQ(bounce_exception(v, 6, 0, 0), Status::kNoEntry);        // user mode, no kernel stack
  v.in_user_mode = false;
  v.cpu.regs.rsp = kUnmapped + 64;
  EXPECT_EQ(bounce_exception(v, 6, 0, 0), Status::kFault);          // stack not mapped
  const uint64_t read_only = g.va_of(frame_table().m2p(descriptor_frame(g, {}))).value();
  v.cpu.regs.rsp = read_only + PVABI_PAGE_SIZE;
  EXPECT_EQ(bounce_exception(v, 6, 0, 0), Status::kFault);          // stack read-only
  EXPECT_EQ(v.cpu.regs.rip, rip);
  EXPECT_EQ(v.cpu.regs.rsp, read_only + PVABI_PAGE_SIZE);
}

TEST_F(CpuTest, ADeliveredNmClearsTheFpuFlagAndNothingElseDoes) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  v.cpu.regs = kernel_regs(stack_top(g));
  ASSERT_EQ(g.call(PVABI_HC_FPU_TASKSWITCH, 1), PVABI_OK);
  EXPECT_EQ(bounce_exception(v, 7, 0, 0), Status::kNoEntry);  // no handler: the domain crashes, flag as it was
  EXPECT_TRUE(v.cpu.fpu_ts);
  ASSERT_EQ(set_traps(g, {trap(6), trap(7, kHandler + 0x40)}), PVABI_OK);
  ASSERT_EQ(bounce_exception(v, 6, 0, 0), Status::kOk);
  EXPECT_TRUE(v.cpu.fpu_ts);
  ASSERT_EQ(bounce_exception(v, 7, 0, 0), Status::kOk);
  EXPECT_EQ(v.cpu.regs.rip, kHandler + 0x40);
  EXPECT_EQ(g.get<pvabi_exception_frame>(Gva{v.cpu.regs.rsp}).vector, 7u);
  EXPECT_FALSE(v.cpu.fpu_ts);
  // A #NM the vCPU takes with the flag clear is bounced all the same.
  ASSERT_EQ(bounce_exception(v, 7, 0, 0), Status::kOk);
  EXPECT_FALSE(v.cpu.fpu_ts);
}

TEST_F(CpuTest, EveryVcpuStartsWithTheFpuStateOfFninit) {
  TestGuest g("dom", {.frames = 256, .vcpus = 2});
  for (uint32_t i = 0; i < 2; ++i) {
    const FpuState& f = g.vcpu(i).cpu.fpu;
    EXPECT_EQ(f.fcw, 0x037fu);
    EXPECT_EQ(f.fsw, 0u);
    EXPECT_EQ(f.ftw, 0u);
    EXPECT_EQ(f.mxcsr, 0x1f80u);
    for (const auto& x : f.xmm) {
      for (uint8_t b : x) EXPECT_EQ(b, 0u);
    }
    EXPECT_EQ(reinterpret_cast<uintptr_t>(&f) % 16, 0u);  // FXSAVE needs it
    EXPECT_FALSE(g.vcpu(i).cpu.fpu_ts);
  }
}

TEST_F(CpuTest, SoftwareInterruptsFollowTheTrapTablesDpl) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(13, kHandler + 0x10), trap(0x80, kHandler + 0x20, 3), trap(0x81, kHandler + 0x30, 1),
                          trap(0x82, kHandler + 0x40, 0)}),
            PVABI_OK);
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, top), PVABI_OK);
  struct Case {
    unsigned vector;
    bool user;
    uint64_t handler;
  };
  // DPL 3: anyone; DPL 1: the guest kernel only; DPL 0 or no handler: nobody.
  for (const Case c : {Case{0x80, false, kHandler + 0x20}, Case{0x80, true, kHandler + 0x20},
                       Case{0x81, false, kHandler + 0x30}, Case{0x81, true, kHandler + 0x10},
                       Case{0x82, false, kHandler + 0x10}, Case{0x83, false, kHandler + 0x10}}) {
    v.in_user_mode = c.user;
    v.cpu.regs = kernel_regs(top - 256);
    const uint64_t after = v.cpu.regs.rip;
    ASSERT_EQ(bounce_software_interrupt(v, c.vector, 2), Status::kOk) << c.vector;
    EXPECT_EQ(v.cpu.regs.rip, c.handler) << c.vector << " user " << c.user;
    const auto f = g.get<pvabi_exception_frame>(Gva{v.cpu.regs.rsp});
    if (c.handler == kHandler + 0x10) {
      EXPECT_EQ(f.vector, 13u);
      EXPECT_EQ(f.error_code, uint64_t{c.vector} * 8 + 2);
      EXPECT_EQ(f.rip, after - 2);  // a fault: at the instruction
    } else {
      EXPECT_EQ(f.vector, c.vector);
      EXPECT_EQ(f.error_code, 0u);
      EXPECT_EQ(f.rip, after);  // a trap: past it
    }
  }
}

TEST_F(CpuTest, ARefusedSoftwareInterruptWithoutAGpHandlerChangesNothing) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(3, kHandler, 0)}), PVABI_OK);
  v.cpu.regs = kernel_regs(stack_top(g));
  const GuestRegs was = v.cpu.regs;
  EXPECT_EQ(bounce_software_interrupt(v, 3, 1), Status::kNoEntry);  // DPL 0 refuses, no #GP handler
  EXPECT_EQ(v.cpu.regs.rip, was.rip);
  EXPECT_EQ(v.cpu.regs.rsp, was.rsp);
}

TEST_F(CpuTest, EventUpcallFrame) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_EVENT, kHandler + 0x40), PVABI_OK);
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, top), PVABI_OK);
  v.info().upcall_mask = 0;
  v.in_user_mode = true;
  v.cpu.regs = kernel_regs(0x7fff0000);
  const GuestRegs was = v.cpu.regs;
  ASSERT_EQ(bounce_event_upcall(v), Status::kOk);
  pvabi_event_upcall_frame expected{};
  expected.rcx = was.rcx;
  expected.r11 = was.r11;
  expected.rip = was.rip;
  expected.cs = was.cs;
  expected.rflags = was.rflags;
  expected.rsp = was.rsp;
  expected.ss = was.ss;
  expected.flags = PVABI_FRAME_FROM_USER;
  expect_bytes(g, Gva{top - sizeof expected}, expected);
  EXPECT_EQ(v.cpu.regs.rip, kHandler + 0x40);
  EXPECT_EQ(v.cpu.regs.cs, PVABI_FLAT_CS64);
  EXPECT_EQ(v.cpu.regs.rsp, top - sizeof expected);
  EXPECT_EQ(v.info().upcall_mask, 1);  // always, registered with or without MASK_EVENTS
  EXPECT_FALSE(v.in_user_mode);
}

TEST_F(CpuTest, SyscallFromUserModeEntersTheSyscallCallback) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(callback(g, PVABI_CALLBACKOP_REGISTER, PVABI_CALLBACK_SYSCALL, kHandler + 0x80), PVABI_OK);
  v.in_user_mode = true;
  EXPECT_EQ(bounce_syscall(v), Status::kNoEntry);  // no kernel stack yet
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, top), PVABI_OK);
  v.info().upcall_mask = 0;
  v.cpu.regs = kernel_regs(0x7fff0000);
  ASSERT_EQ(bounce_syscall(v), Status::kOk);
  const auto f = g.get<pvabi_exception_frame>(Gva{top - sizeof(pvabi_exception_frame)});
  EXPECT_EQ(f.vector, PVABI_VECTOR_SYSCALL);
  EXPECT_EQ(f.flags, PVABI_FRAME_FROM_USER);
  EXPECT_EQ(f.error_code, 0u);
  EXPECT_EQ(f.rcx, 0xc0c0u);
  EXPECT_EQ(f.rsp, 0x7fff0000u);
  EXPECT_EQ(v.cpu.regs.rip, kHandler + 0x80);
  EXPECT_EQ(v.info().upcall_mask, 0);  // registered without MASK_EVENTS
  EXPECT_FALSE(v.in_user_mode);
}

TEST_F(CpuTest, ABounceAndItsIretRoundTrip) {
  TestGuest g("dom");
  Vcpu& v = g.vcpu();
  ASSERT_EQ(set_traps(g, {trap(14, kHandler, PVABI_TRAP_MASK_EVENTS)}), PVABI_OK);
  const uint64_t top = stack_top(g);
  ASSERT_EQ(g.call(PVABI_HC_STACK_SWITCH, PVABI_FLAT_SS, top), PVABI_OK);
  v.info().upcall_mask = 0;
  v.in_user_mode = true;
  v.cpu.regs = kernel_regs(0x7fff0000);
  v.cpu.regs.rflags = 0x202;
  ASSERT_EQ(bounce_exception(v, 14, 2, 0x1000), Status::kOk);
  // The guest's handler turns its frame into an iret frame below it.
  const auto pf = g.get<pvabi_page_fault_frame>(Gva{v.cpu.regs.rsp});
  const pvabi_iret_frame back{7, pf.frame.r11, pf.frame.rcx, PVABI_IRET_UNMASK_EVENTS | PVABI_IRET_TO_USER,
                              pf.frame.rip, pf.frame.cs, pf.frame.rflags, pf.frame.rsp, pf.frame.ss, 0};
  const Gva iret_at{v.cpu.regs.rsp - sizeof back};
  ASSERT_EQ(write_guest(v, iret_at, back), Status::kOk);
  v.cpu.regs.rsp = iret_at.value();
  EXPECT_EQ(g.call(PVABI_HC_IRET), 7);
  EXPECT_TRUE(v.in_user_mode);
  EXPECT_EQ(v.cpu.regs.rip, 0xffffffff80001234ull);
  EXPECT_EQ(v.cpu.regs.rsp, 0x7fff0000u);
  EXPECT_EQ(v.cpu.regs.rcx, 0xc0c0u);
  EXPECT_EQ(v.cpu.regs.rflags, 0x202u);
  EXPECT_EQ(v.info().upcall_mask, 0);
}

}  // namespace
}  // namespace hv
