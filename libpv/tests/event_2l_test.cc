// The 2-level event layout (libpv/event.h): the upcall's scan, masking and
// dispatch, against bits raised in the shared info page as the hypervisor's
// half of pvabi/event.h does (hv-core's event channels are tested through
// real sends in event_send_test.cc).
#include <libpv/event.h>

#include <vector>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

class TwoLevelEventTest : public HostGuestTest {
 public:
  void SetUp() override {
    HostGuestTest::SetUp();
    handlers_.resize(PVABI_EVTCHN_2L_PORTS);
    ASSERT_EQ(pv_event_init(handlers_.data(), PVABI_EVTCHN_2L_PORTS), PVABI_OK);
  }
  // The hypervisor's steps 1-4 for `port` on vCPU `vcpu`.
  void raise(uint32_t port, uint32_t vcpu = 0) {
    pvabi_shared_info& sh = *pv_shared_info();
    const uint64_t bit = 1ull << (port % 64);
    if (__atomic_fetch_or(&sh.evtchn_pending[port / 64], bit, __ATOMIC_SEQ_CST) & bit) return;
    if (__atomic_load_n(&sh.evtchn_mask[port / 64], __ATOMIC_SEQ_CST) & bit) return;
    __atomic_fetch_or(&sh.vcpu_info[vcpu].pending_sel, 1ull << (port / 64), __ATOMIC_SEQ_CST);
    __atomic_store_n(&sh.vcpu_info[vcpu].upcall_pending, 1, __ATOMIC_SEQ_CST);
  }
  void handle(uint32_t port) { ASSERT_EQ(pv_event_set_handler(port, record, this), PVABI_OK); }
  static void record(uint32_t port, void* self) { static_cast<TwoLevelEventTest*>(self)->seen.push_back(port); }

  std::vector<pv_event_handler> handlers_;
  std::vector<uint32_t> seen;
};

TEST_F(TwoLevelEventTest, UpcallTakesPortsBySelectorThenWordThenBit) {
  const std::vector<uint32_t> ports = {4095, 130, 65, 64, 63, 3, 1};
  for (uint32_t p : ports) handle(p);
  for (uint32_t p : ports) raise(p);
  EXPECT_EQ(pv_event_upcall(0), ports.size());
  EXPECT_EQ(seen, (std::vector<uint32_t>{1, 3, 63, 64, 65, 130, 4095}));
  const pvabi_shared_info& sh = *pv_shared_info();
  for (uint64_t w : sh.evtchn_pending) EXPECT_EQ(w, 0u);
  EXPECT_EQ(sh.vcpu_info[0].pending_sel, 0u);
  EXPECT_EQ(sh.vcpu_info[0].upcall_pending, 0);
}

TEST_F(TwoLevelEventTest, OnlyWordsNamedInTheSelectorAreScanned) {
  handle(200);
  pv_shared_info()->evtchn_pending[200 / 64] |= 1ull << (200 % 64);  // pending, but no selector bit
  EXPECT_EQ(pv_event_upcall(0), 0u);
  EXPECT_TRUE(seen.empty());
  EXPECT_TRUE(pv_event_is_pending(200));
}

TEST_F(TwoLevelEventTest, MaskedPortsStayPendingUntilUnmasked) {
  handle(70);
  pv_event_mask(70);
  raise(70);
  EXPECT_EQ(pv_shared_info()->vcpu_info[0].upcall_pending, 0);  // stopped at step 2
  EXPECT_EQ(pv_event_upcall(0), 0u);
  EXPECT_TRUE(pv_event_is_pending(70));
  // Unmasking a pending port asks the hypervisor to deliver it.
  HypercallRecorder rec(binding());
  const int rc = pv_event_unmask(70);
  ASSERT_EQ(rec.calls.size(), 1u);
  EXPECT_EQ(rec.calls[0].nr, static_cast<uint64_t>(PVABI_HC_EVENT_CHANNEL_OP));
  EXPECT_EQ(rec.calls[0].args[0], static_cast<uint64_t>(PVABI_EVTCHNOP_UNMASK));
  EXPECT_EQ(rec.read<pvabi_evtchn_port>(rec.calls[0].args[1]).port, 70u);
  EXPECT_EQ(pv_shared_info()->evtchn_mask[1] & (1ull << 6), 0u);
  EXPECT_EQ(rc, PVABI_ERANGE);  // the core never allocated port 70: these bits were set by hand
  // Unmasking a port that is not pending needs no hypercall.
  pv_event_mask(71);
  EXPECT_EQ(pv_event_unmask(71), PVABI_OK);
  EXPECT_EQ(rec.calls.size(), 1u);
}

TEST_F(TwoLevelEventTest, AMaskedPortInAScannedWordIsLeftAlone) {
  handle(128);
  handle(129);
  pv_event_mask(129);
  raise(129);
  raise(128);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{128});
  EXPECT_TRUE(pv_event_is_pending(129));
}

TEST_F(TwoLevelEventTest, EventsRaisedByAHandlerAreTakenInTheSameUpcall) {
  ASSERT_EQ(pv_event_set_handler(
                5, [](uint32_t, void* self) { static_cast<TwoLevelEventTest*>(self)->raise(3); }, this),
            PVABI_OK);
  handle(3);
  raise(5);
  EXPECT_EQ(pv_event_upcall(0), 2u);  // step 4: upcall_pending was set again
  EXPECT_EQ(seen, std::vector<uint32_t>{3});
}

TEST_F(TwoLevelEventTest, EachVcpuScansTheWordsItsSelectorNames) {
  // Pending bits are the domain's; a vCPU's selector says which words it scans.
  handle(10);
  handle(200);
  raise(10, 0);
  raise(200, 1);
  EXPECT_EQ(pv_event_upcall(1), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{200});
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, (std::vector<uint32_t>{200, 10}));
  EXPECT_EQ(pv_event_upcall(PVABI_SHARED_INFO_VCPUS), 0u);
}

TEST_F(TwoLevelEventTest, PortsWithoutAHandlerAreClearedAndCounted) {
  raise(9);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_FALSE(pv_event_is_pending(9));
  ASSERT_EQ(pv_event_init(handlers_.data(), 64), PVABI_OK);  // a smaller table
  raise(100);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_FALSE(pv_event_is_pending(100));
}

TEST_F(TwoLevelEventTest, HandlerTableChecks) {
  EXPECT_EQ(pv_event_init(nullptr, 8), PVABI_EINVAL);
  EXPECT_EQ(pv_event_init(handlers_.data(), 0), PVABI_EINVAL);
  EXPECT_EQ(pv_event_set_handler(PVABI_EVTCHN_PORT_INVALID, record, this), PVABI_ERANGE);
  EXPECT_EQ(pv_event_set_handler(PVABI_EVTCHN_2L_PORTS, record, this), PVABI_ERANGE);
  EXPECT_EQ(pv_event_unmask(PVABI_EVTCHN_2L_PORTS), PVABI_ERANGE);
}

TEST_F(TwoLevelEventTest, ClearDropsAPendingPort) {
  handle(33);
  raise(33);
  pv_event_clear(33);
  EXPECT_FALSE(pv_event_is_pending(33));
  EXPECT_EQ(pv_event_upcall(0), 0u);
  EXPECT_TRUE(seen.empty());
}

}  // namespace
}  // namespace libpv::testing
