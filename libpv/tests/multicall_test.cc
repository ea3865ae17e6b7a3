// Multicall batches of mixed operations (libpv/multicall.h).
#include <libpv/multicall.h>

#include <pvabi/mmu.hpp>

#include "host_guest_fixture.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

using pvabi::Mfn;
using pvabi::Pte;

class MulticallTest : public HostGuestTest {
 protected:
  void SetUp() override {
    HostGuestTest::SetUp();
    payload_ = binding().alloc<uint64_t>(kPayloadWords);  // the hypervisor reads it: guest memory
    ASSERT_EQ(pv_multicall_init(&mc_, entries_, kEntries, payload_, kPayloadWords * 8), PVABI_OK);
    for (auto& pfn : pfns_) pfn = guest().take_pfn();
  }
  pvabi_mmu_update read_only(unsigned i) {
    return pvabi::pt_update(pvabi::Maddr{l1_entry(pfns_[i])}, Pte::map(guest().mfn(pfns_[i]), 0));
  }
  bool is_read_only(unsigned i) { return (read_machine(l1_entry(pfns_[i])) & PVABI_PTE_WRITABLE) == 0; }
  uint64_t va(unsigned i) { return guest().va_of(pfns_[i]).value(); }

  static constexpr uint32_t kEntries = 8;
  static constexpr uint32_t kPayloadWords = 256;
  pvabi_multicall_entry entries_[kEntries] = {};
  uint64_t* payload_ = nullptr;
  pv_multicall mc_{};
  uint64_t pfns_[8] = {};
};

TEST_F(MulticallTest, InitChecksItsStorage) {
  pv_multicall mc;
  EXPECT_EQ(pv_multicall_init(&mc, nullptr, 4, payload_, 64), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_init(&mc, entries_, 0, payload_, 64), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_init(&mc, entries_, PVABI_MULTICALL_MAX + 1, payload_, 64), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_init(&mc, entries_, 4, payload_, 12), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_init(&mc, entries_, 4, nullptr, 64), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_init(&mc, entries_, 4, nullptr, 0), PVABI_OK);
}

TEST_F(MulticallTest, MixedOperationsInOneEntryToTheHypervisor) {
  pvabi_mmu_update q_slots[4];
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, q_slots, 4, PVABI_DOMID_SELF), PVABI_OK);
  for (unsigned i = 0; i < 3; ++i) ASSERT_EQ(pv_mmu_queue_add(&q, read_only(i).ptr, read_only(i).val), PVABI_OK);
  const uint64_t table = guest().mfn(pfns_[3]).value();
  const pvabi_mmu_update unmap_table = read_only(3);
  const pvabi_mmuext_op pin = pvabi::pin_table(1, Mfn{table});

  ASSERT_EQ(pv_multicall_add_mmu_queue(&mc_, &q), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);
  ASSERT_EQ(pv_multicall_add_mmu_update(&mc_, &unmap_table, 1, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_mmuext(&mc_, &pin, 1, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_update_va_mapping(&mc_, va(4), Pte::map(guest().mfn(pfns_[4]), 0).raw(),
                                               PVABI_UVMF_INVLPG),
            PVABI_OK);
  const uint64_t version[] = {PVABI_VERSION_OP_GET, 0};
  ASSERT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, version, 2), PVABI_OK);
  EXPECT_EQ(pv_multicall_pending(&mc_), 5u);

  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  EXPECT_EQ(hypercalls() - before, 1u + 5u);  // the multicall and the five it carried
  for (unsigned i = 0; i < 5; ++i) EXPECT_TRUE(is_read_only(i)) << i;
  EXPECT_EQ(hv::frame_table().info(hv::Mfn{table}).type, hv::FrameType::kL1);
  EXPECT_EQ(pv_multicall_result(&mc_, 4), PVABI_INTERFACE_VERSION);
  EXPECT_EQ(pv_multicall_result(&mc_, 5), PVABI_ERANGE);
  EXPECT_EQ(pv_multicall_pending(&mc_), 0u);
  EXPECT_EQ(pv_mmu_unpin_table(nullptr, table), PVABI_OK);
}

TEST_F(MulticallTest, EmptyFlushMakesNoHypercall) {
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  pvabi_mmu_update slot;
  pv_mmu_queue empty;
  ASSERT_EQ(pv_mmu_queue_init(&empty, &slot, 1, PVABI_DOMID_SELF), PVABI_OK);
  EXPECT_EQ(pv_multicall_add_mmu_queue(&mc_, &empty), PVABI_OK);  // adds nothing
  EXPECT_EQ(pv_multicall_pending(&mc_), 0u);
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  EXPECT_EQ(hypercalls(), before);
}

TEST_F(MulticallTest, AFailingEntryIsReportedAndTheOthersStillRun) {
  const pvabi_mmu_update a = read_only(0), c = read_only(2);
  ASSERT_EQ(pv_multicall_add_mmu_update(&mc_, &a, 1, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_update_va_mapping(&mc_, PVABI_HV_VIRT_START, 0, PVABI_UVMF_NONE), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_mmu_update(&mc_, &c, 1, PVABI_DOMID_SELF), PVABI_OK);
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_failed_index(&mc_), 1u);
  EXPECT_TRUE(is_read_only(0));
  EXPECT_TRUE(is_read_only(2));
  EXPECT_EQ(pv_multicall_result(&mc_, 0), PVABI_OK);
  EXPECT_EQ(pv_multicall_result(&mc_, 1), PVABI_EINVAL);
}

TEST_F(MulticallTest, APreemptionBetweenEntriesIsContinued) {
  for (unsigned i = 0; i < 4; ++i) {
    const pvabi_mmu_update u = read_only(i);
    ASSERT_EQ(pv_multicall_add_mmu_update(&mc_, &u, 1, PVABI_DOMID_SELF), PVABI_OK);
  }
  const uint64_t before = hypercalls();
  hv::host::request_preemption_after(2);  // the multicall stops before entry 2
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  EXPECT_EQ(hypercalls() - before, 2u + 4u);
  for (unsigned i = 0; i < 4; ++i) EXPECT_TRUE(is_read_only(i)) << i;
}

TEST_F(MulticallTest, APreemptedMmuUpdateInsideIsCompleted) {
  pvabi_mmu_update items[5];
  for (unsigned i = 0; i < 5; ++i) items[i] = read_only(i);
  ASSERT_EQ(pv_multicall_add_mmu_update(&mc_, items, 5, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_update_va_mapping(&mc_, va(5), Pte::map(guest().mfn(pfns_[5]), 0).raw(), 0),
            PVABI_OK);
  hv::host::request_preemption_after(2);  // inside the mmu_update, after its item 1
  EXPECT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  for (unsigned i = 0; i < 6; ++i) EXPECT_TRUE(is_read_only(i)) << i;
  EXPECT_EQ(pv_multicall_result(&mc_, 0), PVABI_OK);
}

TEST_F(MulticallTest, AnEntryThatEndsTheBatchEarlyIsFollowedByTheRest) {
  const uint64_t yield[] = {PVABI_SCHEDOP_YIELD, 0};
  ASSERT_EQ(pv_multicall_add(&mc_, PVABI_HC_SCHED_OP, yield, 2), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_update_va_mapping(&mc_, va(0), Pte::map(guest().mfn(pfns_[0]), 0).raw(), 0),
            PVABI_OK);
  const uint64_t before = hypercalls();
  const int rc = pv_multicall_flush(&mc_);
  EXPECT_EQ(hypercalls() - before, 2u + 2u);  // issued twice: the batch ended after the yield
  EXPECT_TRUE(is_read_only(0));
  EXPECT_EQ(pv_multicall_result(&mc_, 1), PVABI_OK);
  // The yield's own result is the scheduler's (PVABI_ENOSYS until it lands).
  EXPECT_EQ(rc, pv_multicall_result(&mc_, 0) < 0 ? pv_multicall_result(&mc_, 0) : PVABI_OK);
}

TEST_F(MulticallTest, EventSendEntryCarriesItsPort) {
  ASSERT_EQ(pv_multicall_add_evtchn_send(&mc_, 77), PVABI_OK);
  const int rc = pv_multicall_flush(&mc_);
  EXPECT_EQ(entries_[0].op, static_cast<uint64_t>(PVABI_HC_EVENT_CHANNEL_OP));
  EXPECT_EQ(entries_[0].args[0], static_cast<uint64_t>(PVABI_EVTCHNOP_SEND));
  pvabi_evtchn_port sent;
  std::memcpy(&sent, binding().host_address(entries_[0].args[1]), sizeof sent);
  EXPECT_EQ(sent.port, 77u);
  EXPECT_EQ(pv_multicall_result(&mc_, 0), pv_evtchn_send(77));  // the same answer as a direct send
  EXPECT_EQ(rc, static_cast<int>(pv_multicall_result(&mc_, 0)));
}

TEST_F(MulticallTest, AddRefusesWhatDoesNotFit) {
  const uint64_t args[6] = {};
  EXPECT_EQ(pv_multicall_add(&mc_, PVABI_HC_MULTICALL, args, 0), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_add(&mc_, PVABI_HC_IRET, args, 0), PVABI_EINVAL);
  EXPECT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, args, 7), PVABI_EINVAL);
  const pvabi_mmu_update u = read_only(0);
  EXPECT_EQ(pv_multicall_add_mmu_update(&mc_, &u, 0, PVABI_DOMID_SELF), PVABI_EINVAL);
  static pvabi_mmu_update many[kPayloadWords];
  EXPECT_EQ(pv_multicall_add_mmu_update(&mc_, many, kPayloadWords, PVABI_DOMID_SELF), PVABI_ENOSPC);
  for (uint32_t i = 0; i < kEntries; ++i) ASSERT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, args, 2), PVABI_OK);
  EXPECT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, args, 2), PVABI_ENOSPC);
  EXPECT_EQ(pv_multicall_add_evtchn_send(&mc_, 1), PVABI_ENOSPC);
  EXPECT_EQ(pv_multicall_pending(&mc_), kEntries);
}

TEST_F(MulticallTest, ResultsLastUntilTheNextAdd) {
  const uint64_t version[] = {PVABI_VERSION_OP_GET, 0};
  ASSERT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, version, 2), PVABI_OK);
  ASSERT_EQ(pv_multicall_flush(&mc_), PVABI_OK);
  EXPECT_EQ(pv_multicall_result(&mc_, 0), PVABI_INTERFACE_VERSION);
  ASSERT_EQ(pv_multicall_add(&mc_, PVABI_HC_VERSION, version, 2), PVABI_OK);
  EXPECT_EQ(pv_multicall_result(&mc_, 0), PVABI_ERANGE);
}

}  // namespace
}  // namespace libpv::testing
