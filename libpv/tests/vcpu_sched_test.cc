// vCPU and scheduler operations (libpv/vcpu.h, libpv/sched.h) through
// hv-core, and what they hand it.
#include <libpv/sched.h>
#include <libpv/vcpu.h>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

class VcpuSchedTest : public HostGuestTest {
 protected:
  hv::host::TestGuestConfig config() const override {
    hv::host::TestGuestConfig c;
    c.vcpus = 2;
    return c;
  }
};

TEST_F(VcpuSchedTest, BringingASecondVcpuUpAndDown) {
  const int up0 = pv_vcpu_is_up(0);
  SKIP_IF_ENOSYS(up0, "vcpu_op");
  EXPECT_EQ(up0, 1);
  EXPECT_EQ(pv_vcpu_is_up(1), 0);
  EXPECT_EQ(pv_vcpu_up(1), PVABI_EINVAL);  // no context yet
  pvabi_vcpu_context ctx{};
  ctx.rip = 0xffffffff80001000ull;
  ctx.rsp = guest().layout().boot_stack_top.value();
  ctx.kernel_ss = PVABI_FLAT_SS;
  ctx.kernel_sp = ctx.rsp;
  ctx.kernel_baseptr = guest().layout().l4.value();
  ctx.flags = PVABI_VCPU_CONTEXT_EVENTS_MASKED;
  const int init = pv_vcpu_initialise(1, &ctx);
  SKIP_IF_ENOSYS(init, "vcpu_op initialise");
  ASSERT_EQ(init, PVABI_OK);
  EXPECT_EQ(pv_vcpu_initialise(1, &ctx), PVABI_EEXIST);
  ASSERT_EQ(pv_vcpu_up(1), PVABI_OK);
  EXPECT_EQ(pv_vcpu_is_up(1), 1);
  EXPECT_EQ(pv_vcpu_down(1), PVABI_OK);
  EXPECT_EQ(pv_vcpu_is_up(1), 0);
  EXPECT_EQ(pv_vcpu_is_up(2), PVABI_ESRCH);
}

TEST_F(VcpuSchedTest, AnAreaOutsideGuestMemoryIsRefused) {
  pvabi_runstate_info host_memory{};
  HypercallRecorder rec(binding());
  const int rc = pv_vcpu_register_runstate_area(0, &host_memory);
  SKIP_IF_ENOSYS(rc, "vcpu_op");
  EXPECT_LT(rc, 0);  // the hypervisor cannot keep writing there
  auto* area = binding().alloc<pvabi_runstate_info>();
  ASSERT_EQ(pv_vcpu_register_runstate_area(0, area), PVABI_OK);
  const auto reg = rec.read<pvabi_area_registration>(rec.calls.back().args[2]);
  EXPECT_EQ(reg.address, binding().guest_address(area));
  EXPECT_EQ(area->version % 2, 0u);  // written at once, settled
  EXPECT_EQ(pv_vcpu_register_runstate_area(0, nullptr), PVABI_OK);
}

TEST_F(VcpuSchedTest, TheTimeAreaIsRegisteredWhenOffered) {
  auto* area = binding().alloc<pvabi_vcpu_time_info>();
  const int rc = pv_vcpu_register_time_area(0, area);
  if ((pv_feature_word(0) & PVABI_FEATURE0_USER_TIME_AREA) == 0) {
    EXPECT_EQ(rc, PVABI_ENOSYS);  // the fallback rule: not offered, not supported
    return;
  }
  ASSERT_EQ(rc, PVABI_OK);
  EXPECT_EQ(area->tsc_to_system_mul, pv_vcpu_info(0)->time.tsc_to_system_mul);
}

TEST_F(VcpuSchedTest, SchedulerOperations) {
  const int yield = pv_sched_yield();
  SKIP_IF_ENOSYS(yield, "sched_op");
  EXPECT_EQ(yield, PVABI_OK);
  EXPECT_EQ(pv_sched_block(), PVABI_OK);  // on the host platform the call returns at once
  EXPECT_EQ(pv_sched_poll(nullptr, 0, 0), PVABI_EINVAL);
  const uint32_t ports[2] = {1, 2};
  EXPECT_EQ(pv_sched_poll(ports, 2, 0), PVABI_ERANGE);  // not allocated
  static const uint32_t too_many[PVABI_SCHED_POLL_MAX + 1] = {};
  EXPECT_EQ(pv_sched_poll(too_many, PVABI_SCHED_POLL_MAX + 1, 0), PVABI_E2BIG);
  EXPECT_EQ(pv_sched_shutdown(99), PVABI_EINVAL);
  EXPECT_FALSE(domain().shut_down);
  EXPECT_EQ(pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF), PVABI_OK);  // returns on the host platform
  EXPECT_TRUE(domain().shut_down);
  EXPECT_EQ(domain().shutdown_reason, static_cast<uint32_t>(PVABI_SHUTDOWN_POWEROFF));
}

TEST_F(VcpuSchedTest, PollHandsOverItsPortsAndTimeout) {
  HypercallRecorder rec(binding());
  rec.answer = [&](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr != PVABI_HC_SCHED_OP || c.args[0] != PVABI_SCHEDOP_POLL) return std::nullopt;
    const auto poll = rec.read<pvabi_sched_poll>(c.args[1]);
    const auto ports = rec.read<std::array<uint32_t, 3>>(poll.ports);
    return poll.count == 3 && ports[0] == 5 && ports[2] == 9 && poll.timeout == 123 && poll._pad0 == 0
               ? PVABI_EAGAIN
               : PVABI_EINVAL;
  };
  const uint32_t ports[3] = {5, 7, 9};
  EXPECT_EQ(pv_sched_poll(ports, 3, 123), PVABI_EAGAIN);
}

}  // namespace
}  // namespace libpv::testing
