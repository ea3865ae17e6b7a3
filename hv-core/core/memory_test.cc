// PVABI_HC_MEMORY_OP, PVABI_HC_VERSION and PVABI_HC_CONSOLE_IO through the
// hypercall entry.
#include "memory.h"

#include <string>

#include "domain.h"
#include "frame_table.h"
#include "gmock/gmock.h"
#include "grant.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "invariants.h"
#include "version.h"

namespace hv {
namespace {

using host::TestGuest;

class MemoryTest : public host::CoreTest {
 protected:
  int64_t reserve(TestGuest& g, uint64_t op, Gva list, uint32_t count, uint16_t domid = PVABI_DOMID_SELF) {
    const Gva arg = g.put(pvabi_memory_reservation{list.value(), count, domid, 0});
    return g.call(PVABI_HC_MEMORY_OP, op, arg.value());
  }
  pvabi_memory_query query(TestGuest& g) {
    const Gva arg = g.put(pvabi_memory_query{PVABI_DOMID_SELF, 0, 0, 0, 0, 0});
    EXPECT_EQ(g.call(PVABI_HC_MEMORY_OP, PVABI_MEMOP_QUERY_RESERVATION, arg.value()), PVABI_OK);
    return g.get<pvabi_memory_query>(arg);
  }
};

TEST_F(MemoryTest, IncreaseUpToTheMaximumThenDecrease) {
  DomainConfig c;
  c.name = "grow";
  c.memory_frames = 64;
  c.max_frames = 70;
  const Result<Domain*> d = create_domain(c);
  ASSERT_TRUE(d.is_ok());
  ASSERT_TRUE(build_address_space(*d.value, BuildSpec{}).is_ok());
  // Drive it through a TestGuest-like path: the domain's own vCPU.
  Vcpu& v = *d.value->vcpus[0];
  const Gva list = Gva{0xffffffff80000000ull + 40 * PVABI_PAGE_SIZE};
  const Gva arg = list + 1024;
  auto call = [&](uint64_t op, uint32_t count) {
    EXPECT_EQ(write_guest(v, arg, pvabi_memory_reservation{list.value(), count, PVABI_DOMID_SELF, 0}), Status::kOk);
    return hypercall(v, PVABI_HC_MEMORY_OP, HypercallArgs{{op, arg.value(), 0, 0, 0, 0}});
  };
  // A list the guest cannot write: nothing stays allocated.
  const uint64_t free_before = frame_table().free_frames();
  EXPECT_EQ(write_guest(v, arg, pvabi_memory_reservation{0x1000, 3, PVABI_DOMID_SELF, 0}), Status::kOk);
  EXPECT_EQ(hypercall(v, PVABI_HC_MEMORY_OP, HypercallArgs{{PVABI_MEMOP_INCREASE_RESERVATION, arg.value(), 0, 0, 0, 0}}),
            PVABI_EFAULT);
  EXPECT_EQ(frame_table().free_frames(), free_before);
  EXPECT_EQ(call(PVABI_MEMOP_INCREASE_RESERVATION, 10), 6);  // only 6 more fit
  pvabi_u64 frames[6];
  ASSERT_EQ(copy_from_guest(v, list, frames, sizeof frames), Status::kOk);
  for (pvabi_u64 f : frames) {
    EXPECT_EQ(frame_table().info(Mfn{f}).owner, d.value->id.value());
    EXPECT_EQ(frame_table().m2p(Mfn{f}), PVABI_M2P_INVALID);
  }
  EXPECT_EQ(call(PVABI_MEMOP_INCREASE_RESERVATION, 1), 0);
  EXPECT_EQ(call(PVABI_MEMOP_DECREASE_RESERVATION, 6), 6);
  for (pvabi_u64 f : frames) EXPECT_EQ(frame_table().info(Mfn{f}).owner, kOwnerFree);
  // A frame in use stops the batch: the root page table is pinned.
  ASSERT_EQ(write_guest(v, list, pvabi_u64{v.kernel_baseptr.value()}), Status::kOk);
  EXPECT_EQ(call(PVABI_MEMOP_DECREASE_RESERVATION, 1), PVABI_EBUSY);
  destroy_domain(d.value);
}

TEST_F(MemoryTest, ArgumentsAreChecked) {
  TestGuest a("a"), b("b");
  const Gva list = a.alloc(8 * 16);
  EXPECT_EQ(reserve(a, PVABI_MEMOP_INCREASE_RESERVATION, list, PVABI_MEMOP_MAX_FRAMES + 1), PVABI_E2BIG);
  EXPECT_EQ(reserve(a, PVABI_MEMOP_INCREASE_RESERVATION, list, 1, b.domain().id.value()), PVABI_EPERM);
  const Gva bad_pad = a.put(pvabi_memory_reservation{list.value(), 1, PVABI_DOMID_SELF, 1});
  EXPECT_EQ(a.call(PVABI_HC_MEMORY_OP, PVABI_MEMOP_INCREASE_RESERVATION, bad_pad.value()), PVABI_EINVAL);
  EXPECT_EQ(a.call(PVABI_HC_MEMORY_OP, PVABI_MEMOP_QUERY_RESERVATION, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(a.call(PVABI_HC_MEMORY_OP, 77, list.value()), PVABI_ENOSYS);
  // Another domain's frame, or one past the end, cannot be given back.
  ASSERT_EQ(write_guest(a.vcpu(), list, pvabi_u64{b.mfn(5).value()}), Status::kOk);
  EXPECT_EQ(reserve(a, PVABI_MEMOP_DECREASE_RESERVATION, list, 1), PVABI_EPERM);
  ASSERT_EQ(write_guest(a.vcpu(), list, pvabi_u64{frame_table().size()}), Status::kOk);
  EXPECT_EQ(reserve(a, PVABI_MEMOP_DECREASE_RESERVATION, list, 1), PVABI_ERANGE);
}

TEST_F(MemoryTest, GrantFramesDoNotCountAgainstTheReservation) {
  TestGuest g("dom");
  const pvabi_memory_query before = query(g);
  EXPECT_EQ(before.current_frames, g.pfns());
  EXPECT_EQ(before.max_frames, g.pfns());
  const Gva frames = g.alloc(8 * 4);
  const Gva setup = g.put(pvabi_gnttab_setup_table{frames.value(), 2, 0});
  ASSERT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_SETUP_TABLE, setup.value(), 1), PVABI_OK);
  ASSERT_EQ(g.get<pvabi_gnttab_setup_table>(setup).status, PVABI_OK);
  EXPECT_EQ(query(g).current_frames, before.current_frames);
  // At its full reservation, the domain gets no more frames (a wrap once gave it some).
  EXPECT_EQ(reserve(g, PVABI_MEMOP_INCREASE_RESERVATION, g.alloc(8 * 10), 10), 0);
}

TEST_F(MemoryTest, MachphysMapping) {
  TestGuest g("dom");
  const Gva arg = g.alloc(sizeof(pvabi_machphys_mapping));
  ASSERT_EQ(g.call(PVABI_HC_MEMORY_OP, PVABI_MEMOP_MACHPHYS_MAPPING, arg.value()), PVABI_OK);
  const auto m = g.get<pvabi_machphys_mapping>(arg);
  EXPECT_EQ(m.virt_start, PVABI_M2P_VIRT_START);
  EXPECT_EQ(m.max_machine_frame, frame_table().size());
  EXPECT_EQ(m.virt_end, PVABI_M2P_VIRT_START + 8 * frame_table().size());
}

TEST_F(MemoryTest, VersionFeaturesAndLimits) {
  TestGuest g("dom");
  EXPECT_EQ(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET), PVABI_INTERFACE_VERSION);
  const Gva q = g.put(pvabi_feature_query{0, 0});
  ASSERT_EQ(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, q.value()), PVABI_OK);
  EXPECT_EQ(g.get<pvabi_feature_query>(q).bits, feature_word(0));
  EXPECT_TRUE(feature_word(0) & PVABI_FEATURE0_EVENT_QUEUE);
  const Gva q1 = g.put(pvabi_feature_query{1, 0xffff});
  ASSERT_EQ(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, q1.value()), PVABI_OK);
  EXPECT_EQ(g.get<pvabi_feature_query>(q1).bits, 0u);
  const Gva l = g.alloc(sizeof(pvabi_limits));
  ASSERT_EQ(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_LIMITS, l.value()), PVABI_OK);
  const auto limits = g.get<pvabi_limits>(l);
  EXPECT_EQ(limits.max_vcpus, 1u);
  EXPECT_EQ(limits.max_grant_frames, kMaxGrantFrames);
  EXPECT_EQ(limits.hv_virt_start, PVABI_HV_VIRT_START);
  EXPECT_EQ(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_VERSION, 9), PVABI_ENOSYS);
  EXPECT_EQ(g.call(PVABI_HC_COUNT + 5), PVABI_ENOSYS);
}

TEST_F(MemoryTest, ConsoleWriteAndRead) {
  TestGuest g("talker");
  host::clear_console_lines();
  const std::string text = "hello\nworld \x01!\n";
  const Gva buf = g.alloc(64);
  ASSERT_EQ(copy_to_guest(g.vcpu(), buf, text.data(), text.size()), Status::kOk);
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, buf.value(), text.size()),
            static_cast<int64_t>(text.size()));
  ASSERT_EQ(host::console_lines().size(), 2u);
  EXPECT_EQ(host::console_lines()[0].name, "talker");
  EXPECT_EQ(host::console_lines()[0].text, "hello");
  EXPECT_EQ(host::console_lines()[1].text, "world ?!");  // control characters are replaced
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, 0x1000, 4), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, buf.value(), PVABI_CONSOLE_IO_MAX + 1), PVABI_E2BIG);
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, 5, buf.value(), 1), PVABI_ENOSYS);

  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_READ, buf.value(), 64), 0);
  EXPECT_EQ(console_input(g.domain(), "abc", 3), 3u);
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_READ, 0x1000, 2), PVABI_EFAULT);  // nothing consumed
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_READ, buf.value(), 2), 2);
  EXPECT_EQ(g.get<char>(buf), 'a');
  EXPECT_EQ(g.call(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_READ, buf.value(), 64), 1);
  EXPECT_EQ(g.get<char>(buf), 'c');
}

}  // namespace
}  // namespace hv
