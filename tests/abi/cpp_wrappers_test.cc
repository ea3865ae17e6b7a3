// The C++ conveniences in include/pvabi/*.hpp: they encode exactly what the
// C structs and constants say.
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pvabi/pvabi.hpp"

namespace pvabi {
namespace {

TEST(StrongTypes, FrameAndAddressConvert) {
  constexpr Mfn frame{0x1234};
  static_assert(frame.address() == Maddr{0x1234000});
  static_assert((Maddr{0x1234abc}).frame() == frame);
  static_assert((Maddr{0x1234abc}).page_offset() == 0xabc);
  EXPECT_LT(Mfn{1}, Mfn{2});
}

TEST(StrongTypes, CanonicalAddresses) {
  EXPECT_TRUE(Gva{0x00007fffffffffffull}.canonical());
  EXPECT_TRUE(Gva{0xffff800000000000ull}.canonical());
  EXPECT_FALSE(Gva{0x0000800000000000ull}.canonical());
  EXPECT_FALSE(Gva{0xfff0000000000000ull}.canonical());
}

TEST(StrongTypes, TableIndexPerLevel) {
  // 0xffff800000000000 is L4 slot 256, the first reserved one.
  EXPECT_EQ(Gva{PVABI_HV_VIRT_START}.table_index(4), unsigned{PVABI_L4_FIRST_RESERVED_SLOT});
  const Gva va{(5ull << 39) | (6ull << 30) | (7ull << 21) | (8ull << 12) | 0x10};
  EXPECT_EQ(va.table_index(4), 5u);
  EXPECT_EQ(va.table_index(3), 6u);
  EXPECT_EQ(va.table_index(2), 7u);
  EXPECT_EQ(va.table_index(1), 8u);
  EXPECT_TRUE(in_reserved_range(Gva{PVABI_HV_VIRT_END - 1}));
  EXPECT_FALSE(in_reserved_range(Gva{PVABI_HV_VIRT_END}));
}

TEST(Mmu, PteEncodesFrameAndFlags) {
  constexpr Pte pte = Pte::map(Mfn{42}, Pte::kWritable | Pte::kNoExecute);
  static_assert(pte.present() && pte.writable());
  static_assert(pte.frame() == Mfn{42});
  EXPECT_EQ(pte.raw(), (42ull << 12) | PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_NX);
  EXPECT_EQ(pte.flags(), PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_NX);
  // A frame number too large for the frame field cannot spill into flag bits.
  EXPECT_EQ(Pte::map(Mfn{1ull << 45}, 0).raw() & ~PVABI_PTE_FRAME_MASK, PVABI_PTE_PRESENT);
}

TEST(Mmu, BatchItemsCarryTheirCommand) {
  constexpr pvabi_mmu_update u = pt_update(Maddr{0x5008}, Pte::map(Mfn{7}, 0));
  static_assert(mmu_update_cmd(u) == PVABI_MMU_NORMAL_PT_UPDATE);
  static_assert(mmu_update_target(u) == Maddr{0x5008});
  constexpr pvabi_mmu_update m = machphys_update(Mfn{9}, Pfn{3});
  EXPECT_EQ(m.ptr, (9ull << 12) | PVABI_MMU_MACHPHYS_UPDATE);
  EXPECT_EQ(m.val, 3u);
  EXPECT_EQ(mmu_update_cmd(pt_update_preserve_ad(Maddr{0x5008}, Pte{})),
            uint64_t{PVABI_MMU_PT_UPDATE_PRESERVE_AD});
  for (unsigned level = 1; level <= 4; ++level) {
    const pvabi_mmuext_op pin = pin_table(level, Mfn{11});
    EXPECT_EQ(pin.cmd, PVABI_MMUEXT_PIN_L1_TABLE + level - 1);
    EXPECT_EQ(pin.arg1, 11u);
    EXPECT_EQ(pin._pad0, 0u);
  }
  EXPECT_EQ(new_baseptr(Mfn{3}).cmd, uint32_t{PVABI_MMUEXT_NEW_BASEPTR});
  EXPECT_EQ(new_user_baseptr(Mfn{3}).cmd, uint32_t{PVABI_MMUEXT_NEW_USER_BASEPTR});
  EXPECT_EQ(unpin_table(Mfn{3}).cmd, uint32_t{PVABI_MMUEXT_UNPIN_TABLE});
  EXPECT_EQ(invlpg_local(Gva{0x1000}).arg1, 0x1000u);
}

TEST(Hypercall, StubOffsetsAndMulticallEntries) {
  EXPECT_EQ(stub_offset(Hypercall::kSchedOp), uint64_t{PVABI_HC_SCHED_OP} * 32);
  EXPECT_LT(stub_offset(Hypercall::kDomctl), uint64_t{PVABI_PAGE_SIZE});
  constexpr pvabi_multicall_entry e = multicall_entry(Hypercall::kSchedOp, PVABI_SCHEDOP_YIELD, 9);
  EXPECT_EQ(e.op, uint64_t{PVABI_HC_SCHED_OP});
  EXPECT_EQ(e.args[1], 9u);
  EXPECT_EQ(e.result, 0);
}

TEST(Status, NamesAndConversion) {
  EXPECT_EQ(to_status(5), Status::kOk);
  EXPECT_EQ(to_status(PVABI_ENOSYS), Status::kNotSupported);
  EXPECT_STREQ(status_name(Status::kRestart), "ERESTART");
  EXPECT_STREQ(status_name(static_cast<Status>(-100)), "unknown status");
}

TEST(Event, PortBits) {
  EXPECT_EQ(port_bit(Port{130}).word, 2u);
  EXPECT_EQ(port_bit(Port{130}).bit, 2u);
  EXPECT_EQ(port_at(63, 63), Port{PVABI_EVTCHN_2L_PORTS - 1});
}

__extension__ typedef unsigned __int128 Uint128;

TEST(Time, ScaleMatchesExactArithmetic) {
  for (uint64_t hz : {1000000000ull, 2400000000ull, 3333333333ull, 14318180ull, 1193182ull}) {
    const TscScale s = tsc_scale_for(hz);
    EXPECT_GE(s.mul, 1u << 31) << hz;  // full precision
    for (uint64_t ticks : {1ull, 1000ull, 123456789ull, 1ull << 36}) {
      const Uint128 exact = static_cast<Uint128>(ticks) * 1000000000ull / hz;
      const uint64_t got = scale_tsc_delta(ticks, s.mul, s.shift);
      const double err = static_cast<double>(got) - static_cast<double>(exact);
      EXPECT_LE(err < 0 ? -err : err, 1.0 + static_cast<double>(exact) * 1e-8) << hz << " " << ticks;
    }
  }
}

struct Req {
  uint32_t id;
  uint32_t op;
};
struct Rsp {
  uint32_t id;
  int32_t status;
  uint64_t extra;
};

TEST(Ring, RequestsAndResponsesRoundTrip) {
  alignas(64) static uint8_t page[PVABI_PAGE_SIZE];
  std::memset(page, 0xff, sizeof page);
  RingFront<Req, Rsp> front(page, sizeof page);
  RingBack<Req, Rsp> back(page);
  ASSERT_TRUE(back.compatible());
  const auto* header = reinterpret_cast<const pvabi_ring_header*>(page);
  EXPECT_EQ(header->slots, 128u);  // (4096 - 64) / 16 = 252 -> 128
  EXPECT_EQ(front.free_slots(), 128u);

  EXPECT_EQ(back.peek_request(), nullptr);  // and asks to be told about request 1
  for (uint32_t i = 0; i < 128; ++i) ASSERT_TRUE(front.push(Req{i, 7}));
  EXPECT_FALSE(front.push(Req{999, 7}));
  EXPECT_TRUE(front.publish());  // the backend was waiting

  for (uint32_t i = 0; i < 128; ++i) {
    const Req* r = back.peek_request();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->id, i);
    back.pop_request();
    back.respond(Rsp{r->id, -int32_t(i), 0});
  }
  EXPECT_EQ(back.peek_request(), nullptr);
  EXPECT_TRUE(back.publish());   // pvabi_ring_init asks for the first response
  EXPECT_FALSE(back.publish());  // nothing new since
  for (uint32_t i = 0; i < 128; ++i) {
    const Rsp* r = front.peek_response();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, -int32_t(i));
    front.pop_response();
  }
  EXPECT_EQ(front.peek_response(), nullptr);
  EXPECT_EQ(front.free_slots(), 128u);
}

TEST(Ring, NotifyOnlyWhenCrossingTheEvent) {
  EXPECT_TRUE(pvabi_ring_needs_notify(0, 1, 1));
  EXPECT_FALSE(pvabi_ring_needs_notify(1, 2, 1));
  EXPECT_TRUE(pvabi_ring_needs_notify(0, 5, 3));
  EXPECT_TRUE(pvabi_ring_needs_notify(0xfffffffeu, 2, 0));  // across the wrap
  EXPECT_EQ(pvabi_ring_slots_for(100, 0), 0u);
  EXPECT_EQ(pvabi_ring_slots_for(64, 8), 0u);
  EXPECT_EQ(pvabi_ring_slots_for(64 + 8 * 3, 8), 2u);
}

}  // namespace
}  // namespace pvabi
