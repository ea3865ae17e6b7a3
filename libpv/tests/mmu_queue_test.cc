// The MMU update queue (libpv/mmu.h): batching, flushing, preemption and
// errors, against hv-core's page-table validation.
#include <libpv/mmu.h>

#include <pvabi/mmu.hpp>

#include "host_guest_fixture.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

using pvabi::Mfn;
using pvabi::Pte;

class MmuQueueTest : public HostGuestTest {
 protected:
  // Free pfns whose linear-map entries the tests rewrite.
  void SetUp() override {
    HostGuestTest::SetUp();
    for (auto& pfn : pfns_) pfn = guest().take_pfn();
  }
  // Queues "map pfn i read-only" (a change that is validated, not a fast path).
  int queue_read_only(pv_mmu_queue* q, unsigned i) {
    return pv_mmu_queue_set_pte(q, l1_entry(pfns_[i]), Pte::map(mfn(i), 0).raw());
  }
  // Queues an entry the hypervisor refuses: a cache-attribute bit.
  int queue_refused(pv_mmu_queue* q, unsigned i) {
    return pv_mmu_queue_set_pte(q, l1_entry(pfns_[i]), Pte::map(mfn(i), PVABI_PTE_PCD).raw());
  }
  Mfn mfn(unsigned i) { return guest().mfn(pfns_[i]); }
  bool read_only(unsigned i) { return (read_machine(l1_entry(pfns_[i])) & PVABI_PTE_WRITABLE) == 0; }
  unsigned read_only_count() {
    unsigned n = 0;
    for (unsigned i = 0; i < kPfns; ++i) n += read_only(i) ? 1 : 0;
    return n;
  }

  static constexpr unsigned kPfns = 16;
  uint64_t pfns_[kPfns] = {};
  pvabi_mmu_update slots_[kPfns] = {};
};

TEST_F(MmuQueueTest, InitChecksItsStorage) {
  pv_mmu_queue q;
  EXPECT_EQ(pv_mmu_queue_init(&q, nullptr, 4, PVABI_DOMID_SELF), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_init(&q, slots_, 0, PVABI_DOMID_SELF), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_init(&q, slots_, PVABI_MMU_BATCH_MAX + 1, PVABI_DOMID_SELF), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);
  EXPECT_EQ(pv_mmu_queue_set_pte(&q, l1_entry(pfns_[0]) + 4, 0), PVABI_EINVAL);  // misaligned
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);
}

TEST_F(MmuQueueTest, EmptyFlushMakesNoHypercall) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(hypercalls(), before);
}

TEST_F(MmuQueueTest, QueuedEntriesGoInOneHypercall) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  for (unsigned i = 0; i < 10; ++i) ASSERT_EQ(queue_read_only(&q, i), PVABI_OK);
  EXPECT_EQ(read_only_count(), 0u);  // nothing sent yet
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(hypercalls() - before, 1u);
  EXPECT_EQ(read_only_count(), 10u);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);
}

TEST_F(MmuQueueTest, AnExactlyFullQueueIsSentByTheNextAdd) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, 4, PVABI_DOMID_SELF), PVABI_OK);
  const uint64_t before = hypercalls();
  for (unsigned i = 0; i < 4; ++i) ASSERT_EQ(queue_read_only(&q, i), PVABI_OK);
  EXPECT_EQ(hypercalls(), before);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 4u);
  ASSERT_EQ(queue_read_only(&q, 4), PVABI_OK);
  EXPECT_EQ(hypercalls() - before, 1u);
  EXPECT_EQ(read_only_count(), 4u);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 1u);
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(read_only_count(), 5u);
}

TEST_F(MmuQueueTest, APreemptedBatchIsContinuedUntilDone) {
  for (uint64_t after : {1, 3, 9}) {
    pv_mmu_queue q;
    ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
    for (unsigned i = 0; i < 10; ++i) ASSERT_EQ(queue_read_only(&q, i), PVABI_OK);
    const uint64_t before = hypercalls();
    hv::host::request_preemption_after(after);  // the after-th item boundary asks to stop
    EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
    EXPECT_EQ(hypercalls() - before, 2u) << "preempted after " << after;
    EXPECT_EQ(read_only_count(), 10u);
    // Back to writable for the next round.
    for (unsigned i = 0; i < 10; ++i) {
      ASSERT_EQ(pv_mmu_queue_set_pte(&q, l1_entry(pfns_[i]), Pte::map(mfn(i), PVABI_PTE_WRITABLE).raw()), PVABI_OK);
    }
    ASSERT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  }
}

TEST_F(MmuQueueTest, AFailingEntryIsReportedByIndexAndTheRestDropped) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  for (unsigned i = 0; i < 6; ++i) ASSERT_EQ(i == 3 ? queue_refused(&q, i) : queue_read_only(&q, i), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_failed_index(&q), 3u);
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(read_only(i), i < 3) << "entry " << i;
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);  // nothing left to send
  EXPECT_EQ(hypercalls(), before);
}

TEST_F(MmuQueueTest, AFailureAfterAPreemptionCountsFromTheWholeBatch) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  for (unsigned i = 0; i < 8; ++i) ASSERT_EQ(i == 6 ? queue_refused(&q, i) : queue_read_only(&q, i), PVABI_OK);
  hv::host::request_preemption_after(2);  // stops after entry 1; the rest is re-issued from 2
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_failed_index(&q), 6u);
  EXPECT_EQ(read_only_count(), 6u);
}

TEST_F(MmuQueueTest, AddReportsTheFailureOfTheFlushItForced) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, 2, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(queue_read_only(&q, 0), PVABI_OK);
  ASSERT_EQ(queue_refused(&q, 1), PVABI_OK);
  EXPECT_EQ(queue_read_only(&q, 2), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_queue_failed_index(&q), 1u);
  EXPECT_EQ(pv_mmu_queue_pending(&q), 0u);  // entry 2 was not queued
  EXPECT_TRUE(read_only(0));
  EXPECT_FALSE(read_only(2));
}

TEST_F(MmuQueueTest, TheWholeBatchLimitFitsInOneQueue) {
  static pvabi_mmu_update big[PVABI_MMU_BATCH_MAX];
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, big, PVABI_MMU_BATCH_MAX, PVABI_DOMID_SELF), PVABI_OK);
  // The same entry, rewritten: the last write wins.
  for (unsigned i = 0; i < PVABI_MMU_BATCH_MAX; ++i) {
    const uint64_t flags = i % 2 == 0 ? 0 : PVABI_PTE_WRITABLE;
    ASSERT_EQ(pv_mmu_queue_set_pte(&q, l1_entry(pfns_[0]), Pte::map(mfn(0), flags).raw()), PVABI_OK);
  }
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(hypercalls() - before, 1u);
  EXPECT_FALSE(read_only(0));
}

TEST_F(MmuQueueTest, StorageInGuestMemoryWorksToo) {
  auto* slots = binding().alloc<pvabi_mmu_update>(8);
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots, 8, PVABI_DOMID_SELF), PVABI_OK);
  for (unsigned i = 0; i < 8; ++i) ASSERT_EQ(queue_read_only(&q, i), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(read_only_count(), 8u);
}

TEST_F(MmuQueueTest, PreserveAdKeepsTheOldAccessedAndDirtyBits) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  const uint64_t entry = l1_entry(pfns_[0]);
  const uint64_t ad = PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY;
  ASSERT_EQ(pv_mmu_queue_set_pte(&q, entry, Pte::map(mfn(0), PVABI_PTE_WRITABLE | ad).raw()), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_set_pte_preserve_ad(&q, entry, Pte::map(mfn(0), PVABI_PTE_WRITABLE).raw()), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(read_machine(entry) & ad, ad);
  ASSERT_EQ(pv_mmu_queue_set_pte(&q, entry, Pte::map(mfn(0), PVABI_PTE_WRITABLE).raw()), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(read_machine(entry) & ad, 0u);
}

TEST_F(MmuQueueTest, M2pUpdatesGoThroughTheQueue) {
  pv_mmu_queue q;
  ASSERT_EQ(pv_mmu_queue_init(&q, slots_, kPfns, PVABI_DOMID_SELF), PVABI_OK);
  // Swap the pseudo-physical numbers of two frames, as ballooning code would.
  ASSERT_EQ(pv_mmu_queue_set_m2p(&q, mfn(0).value(), pfns_[1]), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_set_m2p(&q, mfn(1).value(), pfns_[0]), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_flush(&q), PVABI_OK);
  EXPECT_EQ(pv_mfn_to_pfn(mfn(0).value()), pfns_[1]);
  EXPECT_EQ(pv_mfn_to_pfn(mfn(1).value()), pfns_[0]);
}

}  // namespace
}  // namespace libpv::testing
