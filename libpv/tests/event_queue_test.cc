// The queue/priority event layout (libpv/event_queue.h) through hv-core:
// set-up, delivery by priority and in order, masking, and events raised
// while the upcall runs.
#include <libpv/event_queue.h>

#include <libpv/event.h>

#include <vector>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

class EventQueueTest : public HostGuestTest {
 public:
  void SetUp() override {
    HostGuestTest::SetUp();
    handlers_.assign(2 * PVABI_EVTQ_WORDS_PER_PAGE, pv_event_handler{});
    ASSERT_EQ(pv_event_init(handlers_.data(), static_cast<uint32_t>(handlers_.size())), PVABI_OK);
    ASSERT_EQ(pv_evtq_set_pages(pages_, 2), PVABI_OK);
  }
  // Switches to the queue layout with one page of event words; false if not offered.
  bool switch_layout() {
    uint64_t block_mfn = 0, words_mfn = 0;
    auto* block = static_cast<pvabi_evtq_control_block*>(binding().alloc_page(&block_mfn));
    auto* words = static_cast<uint32_t*>(binding().alloc_page(&words_mfn));
    const int rc = pv_evtq_init_control(&queues_, block, block_mfn, 0);
    if (rc == PVABI_ENOSYS) return false;
    EXPECT_EQ(rc, PVABI_OK);
    EXPECT_EQ(pv_evtq_expand(words, words_mfn), PVABI_OK);
    return true;
  }
  uint32_t ipi_port(uint32_t priority) {
    uint32_t port = 0;
    EXPECT_EQ(pv_evtchn_bind_ipi(0, &port), PVABI_OK);
    EXPECT_EQ(pv_evtq_set_priority(port, priority), PVABI_OK);
    EXPECT_EQ(pv_event_set_handler(port, record, this), PVABI_OK);
    return port;
  }
  static void record(uint32_t port, void* self) { static_cast<EventQueueTest*>(self)->seen.push_back(port); }

  std::vector<pv_event_handler> handlers_;
  uint32_t* pages_[2] = {};
  pv_evtq_vcpu queues_{};
  std::vector<uint32_t> seen;
};

TEST_F(EventQueueTest, SetUpChecksItsArguments) {
  EXPECT_EQ(pv_evtq_set_pages(nullptr, 1), PVABI_EINVAL);
  EXPECT_EQ(pv_evtq_set_pages(pages_, 0), PVABI_EINVAL);
  EXPECT_EQ(pv_evtq_set_pages(pages_, PVABI_EVTQ_MAX_PORTS / PVABI_EVTQ_WORDS_PER_PAGE + 1), PVABI_EINVAL);
  alignas(8) uint8_t block[sizeof(pvabi_evtq_control_block) + 4];
  EXPECT_EQ(pv_evtq_init_control(&queues_, reinterpret_cast<pvabi_evtq_control_block*>(block + 4), 1, 0),
            PVABI_EINVAL);
  EXPECT_EQ(pv_evtq_init_control(&queues_, reinterpret_cast<pvabi_evtq_control_block*>(block), 1,
                                 PVABI_SHARED_INFO_VCPUS),
            PVABI_ERANGE);
  EXPECT_FALSE(pv_evtq_active());
  uint64_t mfn = 0;
  auto* page = static_cast<uint32_t*>(binding().alloc_page(&mfn));
  EXPECT_EQ(pv_evtq_expand(page + 1, mfn), PVABI_EINVAL);
}

TEST_F(EventQueueTest, EventsArriveByPriorityThenInOrder) {
  if (!switch_layout()) GTEST_SKIP() << "the queue layout: hv-core answers PVABI_ENOSYS";
  EXPECT_TRUE(pv_evtq_active());
  const uint32_t a = ipi_port(7), b = ipi_port(7), urgent = ipi_port(2), c = ipi_port(7);
  for (uint32_t p : {a, b, urgent, c}) ASSERT_EQ(pv_event_unmask(p), PVABI_OK);
  for (uint32_t p : {a, b, urgent, c}) ASSERT_EQ(pv_evtchn_send(p), PVABI_OK);
  EXPECT_EQ(pv_event_upcall(0), 4u);
  EXPECT_EQ(seen, (std::vector<uint32_t>{urgent, a, b, c}));
  for (uint32_t p : {a, b, urgent, c}) EXPECT_FALSE(pv_event_is_pending(p));
  // The queues drained: a later send starts a new one.
  ASSERT_EQ(pv_evtchn_send(b), PVABI_OK);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen.back(), b);
}

TEST_F(EventQueueTest, AMaskedPortWaitsForItsUnmask) {
  if (!switch_layout()) GTEST_SKIP() << "the queue layout: hv-core answers PVABI_ENOSYS";
  const uint32_t p = ipi_port(7);
  pv_event_mask(p);
  ASSERT_EQ(pv_evtchn_send(p), PVABI_OK);
  EXPECT_TRUE(pv_event_is_pending(p));
  EXPECT_EQ(pv_event_upcall(0), 0u);
  ASSERT_EQ(pv_event_unmask(p), PVABI_OK);
  EXPECT_EQ(pv_event_upcall(0), 1u);
  EXPECT_EQ(seen, std::vector<uint32_t>{p});
  pv_event_clear(p);
  EXPECT_FALSE(pv_event_is_pending(p));
}

TEST_F(EventQueueTest, EventsRaisedDuringTheUpcallAreTakenByPriority) {
  if (!switch_layout()) GTEST_SKIP() << "the queue layout: hv-core answers PVABI_ENOSYS";
  const uint32_t first = ipi_port(7), later = ipi_port(7), urgent = ipi_port(0);
  static uint32_t to_send[2];
  to_send[0] = urgent;
  to_send[1] = later;
  ASSERT_EQ(pv_event_set_handler(
                first,
                [](uint32_t port, void* self) {
                  static_cast<EventQueueTest*>(self)->seen.push_back(port);
                  for (uint32_t p : to_send) EXPECT_EQ(pv_evtchn_send(p), PVABI_OK);
                },
                this),
            PVABI_OK);
  for (uint32_t p : {first, later, urgent}) ASSERT_EQ(pv_event_unmask(p), PVABI_OK);
  ASSERT_EQ(pv_evtchn_send(first), PVABI_OK);
  EXPECT_EQ(pv_event_upcall(0), 3u);
  EXPECT_EQ(seen, (std::vector<uint32_t>{first, urgent, later}));
}

}  // namespace
}  // namespace libpv::testing
