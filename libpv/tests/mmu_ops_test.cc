// Pinning, base pointers, TLB flushes, update_va_mapping and page copies
// (libpv/mmu.h): each flushes the queue it is given before it runs.
#include <libpv/mmu.h>

#include <pvabi/mmu.hpp>

#include "host_guest_fixture.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/platform.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

using pvabi::Mfn;
using pvabi::Pte;

class MmuOpsTest : public HostGuestTest {
 protected:
  void SetUp() override {
    HostGuestTest::SetUp();
    ASSERT_EQ(pv_mmu_queue_init(&q_, slots_, 8, PVABI_DOMID_SELF), PVABI_OK);
  }
  hv::FrameType type_of(uint64_t mfn) { return hv::frame_table().info(hv::Mfn{mfn}).type; }
  uint8_t* frame(uint64_t mfn) { return hv::platform::frame_memory(hv::Mfn{mfn}); }

  pvabi_mmu_update slots_[8] = {};
  pv_mmu_queue q_{};
};

TEST_F(MmuOpsTest, PinFlushesTheQueueFirst) {
  // A table frame is still mapped writable in the linear map; the queued
  // update that maps it read-only must reach the hypervisor before the pin.
  const uint64_t pfn = guest().take_pfn();
  const uint64_t mfn = guest().mfn(pfn).value();
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, l1_entry(pfn), Pte::map(Mfn{mfn}, 0).raw()), PVABI_OK);
  EXPECT_EQ(pv_mmu_pin_table(&q_, 1, mfn), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_pending(&q_), 0u);
  EXPECT_EQ(type_of(mfn), hv::FrameType::kL1);
  EXPECT_EQ(pv_mmu_pin_table(nullptr, 1, mfn), PVABI_EEXIST);
  EXPECT_EQ(pv_mmu_unpin_table(nullptr, mfn), PVABI_OK);
  EXPECT_EQ(type_of(mfn), hv::FrameType::kNone);
  EXPECT_EQ(pv_mmu_unpin_table(nullptr, mfn), PVABI_ENOENT);
}

TEST_F(MmuOpsTest, WithoutTheFlushThePinWouldFail) {
  const uint64_t mfn = guest().mfn(guest().take_pfn()).value();
  EXPECT_EQ(pv_mmu_pin_table(nullptr, 1, mfn), PVABI_EBUSY);  // still mapped writable
}

TEST_F(MmuOpsTest, AFailedFlushStopsTheOperation) {
  const uint64_t pfn = guest().take_pfn();
  const uint64_t mfn = guest().mfn(pfn).value();
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, l1_entry(pfn), Pte::map(Mfn{mfn}, PVABI_PTE_PCD).raw()), PVABI_OK);
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_pin_table(&q_, 1, mfn), PVABI_EINVAL);
  EXPECT_EQ(hypercalls() - before, 1u);  // the flush, not the pin
  EXPECT_EQ(pv_mmu_queue_failed_index(&q_), 0u);
}

TEST_F(MmuOpsTest, PinLevelIsChecked) {
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_mmu_pin_table(nullptr, 0, 1), PVABI_EINVAL);
  EXPECT_EQ(pv_mmu_pin_table(nullptr, 5, 1), PVABI_EINVAL);
  EXPECT_EQ(hypercalls(), before);
}

TEST_F(MmuOpsTest, BasePointers) {
  const uint64_t l4 = guest().layout().l4.value();
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, l4, 0), PVABI_OK);
  EXPECT_EQ(guest().vcpu().kernel_baseptr.value(), l4);
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, l4, 1), PVABI_OK);
  EXPECT_EQ(guest().vcpu().user_baseptr.value(), l4);
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, 0, 1), PVABI_OK);
  EXPECT_EQ(guest().vcpu().user_baseptr, hv::kNoFrame);
  const uint64_t data = guest().mfn(guest().take_pfn()).value();
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, data, 0), PVABI_EINVAL);  // writable, not an L4
}

TEST_F(MmuOpsTest, TlbFlushesAndInvlpg) {
  const pvabi::DomId id = domain().id;
  uint64_t flushes = hv::host::tlb_flushes(id);
  EXPECT_EQ(pv_mmu_flush_tlb(&q_, 0), PVABI_OK);
  EXPECT_EQ(pv_mmu_flush_tlb(&q_, 1), PVABI_OK);
  EXPECT_EQ(hv::host::tlb_flushes(id) - flushes, 2u);
  flushes = hv::host::tlb_flushes(id);
  EXPECT_EQ(pv_mmu_invlpg(&q_, guest().va_of(3).value(), 0), PVABI_OK);
  EXPECT_EQ(pv_mmu_invlpg(&q_, guest().va_of(3).value(), 1), PVABI_OK);
  EXPECT_EQ(hv::host::tlb_flushes(id) - flushes, 2u);
  EXPECT_EQ(pv_mmu_invlpg(&q_, PVABI_HV_VIRT_START, 0), PVABI_EINVAL);
}

TEST_F(MmuOpsTest, UpdateVaMappingWritesTheEntryAndFlushes) {
  const uint64_t pfn = guest().take_pfn();
  const uint64_t mfn = guest().mfn(pfn).value();
  const uint64_t flushes = hv::host::tlb_flushes(domain().id);
  EXPECT_EQ(pv_mmu_update_va_mapping(&q_, guest().va_of(pfn).value(), Pte::map(Mfn{mfn}, 0).raw(),
                                     PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL),
            PVABI_OK);
  EXPECT_EQ(read_machine(l1_entry(pfn)) & PVABI_PTE_WRITABLE, 0u);
  EXPECT_EQ(hv::host::tlb_flushes(domain().id) - flushes, 1u);
  EXPECT_EQ(pv_mmu_update_va_mapping(&q_, PVABI_HV_VIRT_START, 0, PVABI_UVMF_NONE), PVABI_EINVAL);
}

TEST_F(MmuOpsTest, ClearAndCopyPages) {
  const uint64_t a = guest().mfn(guest().take_pfn()).value();
  const uint64_t b = guest().mfn(guest().take_pfn()).value();
  std::memset(frame(a), 0x5a, PVABI_PAGE_SIZE);
  std::memset(frame(b), 0x11, PVABI_PAGE_SIZE);
  EXPECT_EQ(pv_mmu_copy_page(&q_, b, a), PVABI_OK);
  EXPECT_EQ(std::memcmp(frame(a), frame(b), PVABI_PAGE_SIZE), 0);
  EXPECT_EQ(pv_mmu_clear_page(&q_, a), PVABI_OK);
  for (unsigned i = 0; i < PVABI_PAGE_SIZE; ++i) ASSERT_EQ(frame(a)[i], 0) << i;
  EXPECT_EQ(pv_mmu_clear_page(&q_, guest().layout().l4.value()), PVABI_EBUSY);  // a page table
}

TEST_F(MmuOpsTest, ExtendedBatchesReportTheFailingOp) {
  const uint64_t data = guest().mfn(guest().take_pfn()).value();
  const pvabi_mmuext_op ops[] = {
      pvabi::mmuext(pvabi::MmuextCmd::kTlbFlushLocal),
      pvabi::mmuext(pvabi::MmuextCmd::kClearPage, data),
      pvabi::unpin_table(Mfn{data}),  // not pinned
      pvabi::mmuext(pvabi::MmuextCmd::kTlbFlushLocal),
  };
  uint32_t failed = 99;
  hv::host::request_preemption_after(1);  // and a restart on the way
  EXPECT_EQ(pv_mmuext(&q_, ops, 4, PVABI_DOMID_SELF, &failed), PVABI_ENOENT);
  EXPECT_EQ(failed, 2u);
  EXPECT_EQ(pv_mmuext(&q_, ops, 2, PVABI_DOMID_SELF, nullptr), PVABI_OK);
}

}  // namespace
}  // namespace libpv::testing
