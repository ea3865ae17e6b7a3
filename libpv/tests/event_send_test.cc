// Event channels end to end through hv-core (libpv/event.h): binding,
// sending, masking, the timer VIRQ, and inter-domain ports. Each test skips
// only if the core answers PVABI_ENOSYS (its event channels not in the tree).
#include <libpv/event.h>
#include <libpv/time.h>

#include <vector>

#include "host_guest_fixture.h"
#include "hv-core/core/sched.h"
#include "hv-core/core/time.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

class EventSendTest : public HostGuestTest {
 public:
  void SetUp() override {
    HostGuestTest::SetUp();
    init_events();
  }
  void init_events() {
    handlers_.assign(PVABI_EVTCHN_2L_PORTS, pv_event_handler{});
    ASSERT_EQ(pv_event_init(handlers_.data(), PVABI_EVTCHN_2L_PORTS), PVABI_OK);
  }
  void handle(uint32_t port) { ASSERT_EQ(pv_event_set_handler(port, record, this), PVABI_OK); }
  static void record(uint32_t port, void* self) { static_cast<EventSendTest*>(self)->seen.push_back(port); }
  uint8_t upcall_pending() { return pv_vcpu_info(0)->upcall_pending; }

  std::vector<pv_event_handler> handlers_;
  std::vector<uint32_t> seen;
};

TEST_F(EventSendTest, AnIpiToItselfArrivesThroughTheUpcall) {
  uint32_t port = 0;
  const int rc = pv_evtchn_bind_ipi(0, &port);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  handle(port);
  ASSERT_EQ(pv_event_unmask(port), PVABI_OK);
  ASSERT_EQ(pv_evtchn_send(port), PVABI_OK);
  EXPECT_EQ(upcall_pending(), 1);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{port});
  EXPECT_FALSE(pv_event_is_pending(port));
  pvabi_evtchn_status st{PVABI_DOMID_SELF, 0, port, 0, 0, 0, 0};
  ASSERT_EQ(pv_evtchn_status(&st), PVABI_OK);
  EXPECT_EQ(st.state, static_cast<uint32_t>(PVABI_EVTCHN_STATE_IPI));
}

TEST_F(EventSendTest, APortMovesToAnotherVcpuOnlyIfItMayMove) {
  uint32_t unbound = 0, ipi = 0;
  const int rc = pv_evtchn_alloc_unbound(domain().id.value(), &unbound);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  EXPECT_EQ(pv_evtchn_bind_vcpu(unbound, 0), PVABI_OK);
  EXPECT_EQ(pv_evtchn_bind_vcpu(unbound, 7), PVABI_ESRCH);  // the guest has one vCPU
  ASSERT_EQ(pv_evtchn_bind_ipi(0, &ipi), PVABI_OK);
  EXPECT_EQ(pv_evtchn_bind_vcpu(ipi, 0), PVABI_EINVAL);  // IPI ports stay with their vCPU
  EXPECT_EQ(pv_evtchn_bind_vcpu(PVABI_EVTCHN_2L_PORTS - 1, 0), PVABI_ERANGE);
}

TEST_F(EventSendTest, AMaskedPortIsDeliveredWhenUnmasked) {
  uint32_t port = 0;
  const int rc = pv_evtchn_bind_ipi(0, &port);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  handle(port);
  pv_event_mask(port);
  ASSERT_EQ(pv_evtchn_send(port), PVABI_OK);
  EXPECT_TRUE(pv_event_is_pending(port));
  EXPECT_EQ(upcall_pending(), 0);
  EXPECT_EQ(pv_event_upcall(0), 0u);
  ASSERT_EQ(pv_event_unmask(port), PVABI_OK);  // pending: the hypervisor runs steps 3-4
  EXPECT_EQ(upcall_pending(), 1);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{port});
}

TEST_F(EventSendTest, TheTimerVirqFiresAtTheDeadline) {
  uint32_t port = 0;
  const int rc = pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &port);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  handle(port);
  ASSERT_EQ(pv_event_unmask(port), PVABI_OK);
  const int timer = pv_set_timer_after(0, 5000);
  SKIP_IF_ENOSYS(timer, "set_timer_op");
  ASSERT_EQ(timer, PVABI_OK);
  hv::host::advance_tsc(4000);
  hv::sched_run_timers(hv::hypervisor_time_ns());
  EXPECT_EQ(pv_event_upcall(0), 0u);
  hv::host::advance_tsc(2000);
  hv::sched_run_timers(hv::hypervisor_time_ns());
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{port});
}

TEST_F(EventSendTest, ClosingAPortForgetsItsHandler) {
  uint32_t port = 0;
  const int rc = pv_evtchn_bind_ipi(0, &port);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  handle(port);
  ASSERT_EQ(pv_evtchn_close(port), PVABI_OK);
  EXPECT_EQ(handlers_[port].fn, nullptr);
  EXPECT_EQ(pv_evtchn_send(port), PVABI_ERANGE);
  EXPECT_EQ(pv_evtchn_close(port), PVABI_ERANGE);
}

TEST_F(EventSendTest, InterdomainPortsConnectTwoGuests) {
  uint32_t offered = 0;
  hv::host::TestGuest other("peer");
  const int rc = pv_evtchn_alloc_unbound(other.domain().id.value(), &offered);
  SKIP_IF_ENOSYS(rc, "event channels");
  ASSERT_EQ(rc, PVABI_OK);
  handle(offered);
  ASSERT_EQ(pv_event_unmask(offered), PVABI_OK);
  const uint16_t self = domain().id.value();
  {
    host::TestGuestBinding peer(other);  // libpv runs as the peer now
    ASSERT_EQ(pv_init(peer.start_info()), PVABI_OK);
    uint32_t local = 0;
    ASSERT_EQ(pv_evtchn_bind_interdomain(self, offered, &local), PVABI_OK);
    ASSERT_EQ(pv_evtchn_send(local), PVABI_OK);
  }
  binding().use_vcpu(0);
  ASSERT_EQ(pv_init(binding().start_info()), PVABI_OK);
  init_events();
  handle(offered);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{offered});
}

}  // namespace
}  // namespace libpv::testing
