// MMU operations through the hypercall entry, with one test per attack
// class of PV-MMU-RULES.md (rule numbers in the test names).
#include "mmu.h"

#include <cstring>
#include <vector>

#include "domain.h"
#include "frame_table.h"
#include "invariants.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "page_table.h"

namespace hv {
namespace {

using host::TestGuest;

using host::FrameSnapshot;

FrameSnapshot snapshot() { return FrameSnapshot::take(); }

// Rule 10 in every test: CoreTest's teardown checks the invariants and
// that every frame is free again.
class MmuTest : public host::CoreTest {
 protected:

  // One mmu_update; returns the status and the done count.
  std::pair<int64_t, uint32_t> update(TestGuest& g, Maddr entry, uint64_t value, uint64_t cmd = 0) {
    const Gva req = g.put(pvabi_mmu_update{entry.value() | cmd, value});
    const Gva done = g.put(uint32_t{99});
    const int64_t rc = g.call(PVABI_HC_MMU_UPDATE, req.value(), 1, done.value(), PVABI_DOMID_SELF);
    return {rc, g.get<uint32_t>(done)};
  }
  int64_t ext(TestGuest& g, uint32_t cmd, uint64_t arg1 = 0, uint64_t arg2 = 0) {
    const Gva op = g.put(pvabi_mmuext_op{cmd, 0, arg1, arg2});
    return g.call(PVABI_HC_MMUEXT_OP, op.value(), 1, 0, PVABI_DOMID_SELF);
  }
  // The L1 table and slot that map pfn in g's linear map.
  Maddr l1_entry_of(TestGuest& g, uint64_t pfn) {
    const Result<L1Slot> s = find_l1_slot(g.vcpu(), g.va_of(pfn));
    EXPECT_TRUE(s.is_ok());
    return s.value.table.address() + s.value.slot * 8;
  }
  Mfn pinned_l1(TestGuest& g, std::function<void(uint64_t*)> fill = [](uint64_t*) {}) {
    const Mfn t = g.make_table_frame(fill);
    EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_OK);
    return t;
  }
};

TEST_F(MmuTest, BuilderPinsAValidatedRootAndDestroyReleasesEverything) {
  TestGuest g("dom");
  const FrameInfo& root = frame_table().info(g.layout().l4);
  EXPECT_EQ(root.type, FrameType::kL4);
  EXPECT_TRUE(root.flags & kFrameValidated);
  EXPECT_TRUE(root.flags & kFramePinned);
  EXPECT_EQ(g.vcpu().kernel_baseptr, g.layout().l4);
  // The start info page is readable through the guest's own tables.
  const auto si = g.get<pvabi_start_info>(g.layout().start_info);
  EXPECT_STREQ(reinterpret_cast<const char*>(si.magic), PVABI_START_INFO_MAGIC);
  EXPECT_EQ(si.nr_pages, g.pfns());
}

TEST_F(MmuTest, TheBuilderWritesTheHypercallPage) {
  TestGuest g("dom");
  uint8_t page[PVABI_PAGE_SIZE];
  ASSERT_EQ(copy_from_guest(g.vcpu(), g.layout().hypercall_page, page, sizeof page), Status::kOk);
  const uint8_t* sched = page + PVABI_HC_SCHED_OP * PVABI_HYPERCALL_STUB_SIZE;
  const uint8_t want[] = {0xb8, PVABI_HC_SCHED_OP, 0, 0, 0, 0x0f, 0x05, 0xc3, 0xcc};  // mov; syscall; ret
  EXPECT_EQ(std::memcmp(sched, want, sizeof want), 0);
  const uint8_t* unknown = page + (PVABI_HYPERCALL_PAGE_SLOTS - 1) * PVABI_HYPERCALL_STUB_SIZE;
  const uint8_t enosys[] = {0x48, 0xc7, 0xc0, 0xda, 0xff, 0xff, 0xff, 0xc3};  // mov $-38, %rax; ret
  EXPECT_EQ(std::memcmp(unknown, enosys, sizeof enosys), 0);
  EXPECT_EQ(g.get<pvabi_start_info>(g.layout().start_info).hypercall_page_va, g.layout().hypercall_page.value());
}

TEST_F(MmuTest, PinAndUnpinAnL1Table) {
  TestGuest g("dom");
  const Mfn data = g.mfn(g.take_pfn());
  const uint32_t data_types = frame_table().info(data).type_count;  // the builder's writable mapping
  const Mfn t = pinned_l1(g, [&](uint64_t* e) { e[0] = Pte::map(data, PVABI_PTE_WRITABLE).raw(); });
  EXPECT_EQ(frame_table().info(t).type, FrameType::kL1);
  EXPECT_EQ(frame_table().info(data).type, FrameType::kWritable);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_EEXIST);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_UNPIN_TABLE, t.value()), PVABI_OK);
  EXPECT_EQ(frame_table().info(t).type, FrameType::kNone);
  EXPECT_EQ(frame_table().info(data).type_count, data_types);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_UNPIN_TABLE, t.value()), PVABI_ENOENT);
}

// Validation skips empty entries quickly; the entries between and after
// them are still each checked and referenced, and dropped on unpin.
TEST_F(MmuTest, SparseTablesValidateEveryEntryPastTheEmptyOnes) {
  TestGuest g("dom");
  const Mfn a = g.mfn(g.take_pfn()), b = g.mfn(g.take_pfn());
  const FrameInfo before_a = frame_table().info(a), before_b = frame_table().info(b);
  const Mfn t = pinned_l1(g, [&](uint64_t* e) {
    e[7] = Pte::map(a, PVABI_PTE_WRITABLE).raw();
    e[300] = 0x1e;  // not present, flags only
    e[511] = Pte::map(b, 0).raw();
  });
  EXPECT_EQ(frame_table().info(a).ref_count, before_a.ref_count + 1);
  EXPECT_EQ(frame_table().info(a).type_count, before_a.type_count + 1);
  EXPECT_EQ(frame_table().info(b).ref_count, before_b.ref_count + 1);
  EXPECT_EQ(frame_table().info(b).type_count, before_b.type_count);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_UNPIN_TABLE, t.value()), PVABI_OK);
  EXPECT_EQ(frame_table().info(a).ref_count, before_a.ref_count);
  EXPECT_EQ(frame_table().info(a).type_count, before_a.type_count);
  EXPECT_EQ(frame_table().info(b).ref_count, before_b.ref_count);

  // A refused entry at the end, behind a run of empty ones, fails the pin
  // and releases what the entries before it took.
  const Mfn bad = g.make_table_frame([&](uint64_t* e) {
    e[3] = Pte::map(a, PVABI_PTE_WRITABLE).raw();
    e[511] = g.mfn(3).address().value();  // not present, yet into memory (rule 11)
  });
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, bad.value()), PVABI_EINVAL);
  EXPECT_EQ(frame_table().info(bad).type, FrameType::kNone);
  EXPECT_EQ(frame_table().info(a).ref_count, before_a.ref_count);
  EXPECT_EQ(frame_table().info(a).type_count, before_a.type_count);
}

TEST_F(MmuTest, Rule1ForeignFramesAreRefused) {
  TestGuest a("a"), b("b");
  const Mfn theirs = b.mfn(b.take_pfn());
  const Mfn t = a.make_table_frame([&](uint64_t* e) { e[3] = Pte::map(theirs, 0).raw(); });
  const FrameSnapshot before = snapshot();
  EXPECT_EQ(ext(a, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_EPERM);
  EXPECT_TRUE(snapshot() == before);
  const auto [rc, done] = update(a, l1_entry_of(a, a.take_pfn()), Pte::map(theirs, 0).raw());
  EXPECT_EQ(rc, PVABI_EPERM);
  EXPECT_EQ(done, 0u);
  // Another domain's table cannot be written either.
  EXPECT_EQ(update(a, l1_entry_of(b, 3), 0).first, PVABI_EPERM);
}

TEST_F(MmuTest, Rule1FrameNumbersAreRangeChecked) {
  TestGuest g("dom");
  const uint64_t past_end = frame_table().size();
  EXPECT_EQ(update(g, l1_entry_of(g, g.take_pfn()), Pte::map(Mfn{past_end}, 0).raw()).first, PVABI_ERANGE);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, past_end), PVABI_ERANGE);
  EXPECT_EQ(update(g, Mfn{past_end}.address(), 0).first, PVABI_ERANGE);
}

TEST_F(MmuTest, Rule2APageTableCannotBeMappedWritable) {
  TestGuest g("dom");
  const Mfn t = pinned_l1(g);
  const FrameSnapshot before = snapshot();
  EXPECT_EQ(update(g, l1_entry_of(g, g.take_pfn()), Pte::map(t, PVABI_PTE_WRITABLE).raw()).first, PVABI_EBUSY);
  EXPECT_TRUE(snapshot() == before);
  // Read-only is fine: guests read their own tables.
  EXPECT_EQ(update(g, l1_entry_of(g, g.take_pfn()), Pte::map(t, 0).raw()).first, PVABI_OK);
  // And a frame mapped writable cannot become a table.
  const uint64_t pfn = g.take_pfn();  // still mapped writable by the builder
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, g.mfn(pfn).value()), PVABI_EBUSY);
}

TEST_F(MmuTest, Rule3BasePointerMustBeAnL4) {
  TestGuest g("dom");
  const Mfn l1 = pinned_l1(g);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_NEW_BASEPTR, l1.value()), PVABI_EINVAL);
  EXPECT_EQ(g.vcpu().kernel_baseptr, g.layout().l4);
  // A copy of the root, read-only and unpinned, validates on first use.
  const uint64_t* root = reinterpret_cast<const uint64_t*>(platform::frame_memory(g.layout().l4));
  const Mfn copy = g.make_table_frame([&](uint64_t* e) {
    for (int i = 0; i < 512; ++i) e[i] = root[i];
  });
  EXPECT_EQ(ext(g, PVABI_MMUEXT_NEW_BASEPTR, copy.value()), PVABI_OK);
  EXPECT_EQ(frame_table().info(copy).type, FrameType::kL4);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_NEW_USER_BASEPTR, copy.value()), PVABI_OK);
  EXPECT_EQ(frame_table().info(copy).type_count, 2u);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_NEW_USER_BASEPTR, 0), PVABI_OK);
  EXPECT_EQ(frame_table().info(copy).type_count, 1u);
}

TEST_F(MmuTest, Rule4FlagWhitelist) {
  TestGuest g("dom");
  const Maddr slot = l1_entry_of(g, g.take_pfn());
  const Mfn data = g.mfn(g.take_pfn());
  for (uint64_t bad : {PVABI_PTE_PCD, PVABI_PTE_PWT, PVABI_PTE_PAT_OR_LARGE, 1ull << 52}) {
    EXPECT_EQ(update(g, slot, Pte::map(data, bad).raw()).first, PVABI_EINVAL) << bad;
  }
  EXPECT_EQ(update(g, slot, Pte::map(data, PVABI_PTE_GLOBAL | PVABI_PTE_NX).raw()).first, PVABI_OK);
  // Global and large pages are refused above L1.
  const Mfn l1 = pinned_l1(g);
  const Mfn l2 = g.make_table_frame([&](uint64_t* e) { e[0] = Pte::map(l1, PVABI_PTE_GLOBAL).raw(); });
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_EINVAL);
  const Mfn l2b = g.make_table_frame([&](uint64_t* e) { e[0] = Pte::map(data, PVABI_PTE_PAT_OR_LARGE).raw(); });
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2b.value()), PVABI_EINVAL);
}

TEST_F(MmuTest, Rule4OnlyAccessedDirtyChangesSkipRevalidation) {
  TestGuest g("dom");
  const uint64_t pfn = g.take_pfn();
  const Maddr slot = l1_entry_of(g, pfn);
  const Mfn frame = g.mfn(pfn);
  const uint32_t writable_refs = frame_table().info(frame).type_count;
  const uint64_t current = Pte::map(frame, PVABI_PTE_WRITABLE | PVABI_PTE_USER).raw();
  EXPECT_EQ(update(g, slot, current | PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY).first, PVABI_OK);
  EXPECT_EQ(frame_table().info(frame).type_count, writable_refs);
  // Dropping the writable bit is a real change: the writable reference goes.
  EXPECT_EQ(update(g, slot, Pte::map(frame, 0).raw()).first, PVABI_OK);
  EXPECT_EQ(frame_table().info(frame).type_count, writable_refs - 1);
  // Now it may become a table; and then re-adding writable is refused (XSA-182).
  const Mfn t = pinned_l1(g);
  const Maddr t_slot = l1_entry_of(g, g.take_pfn());
  EXPECT_EQ(update(g, t_slot, Pte::map(t, 0).raw()).first, PVABI_OK);
  EXPECT_EQ(update(g, t_slot, Pte::map(t, PVABI_PTE_WRITABLE).raw()).first, PVABI_EBUSY);
}

TEST_F(MmuTest, Rule5ReservedSlotsAreTheHypervisors) {
  TestGuest g("dom");
  const Maddr reserved = g.layout().l4.address() + PVABI_L4_FIRST_RESERVED_SLOT * 8;
  EXPECT_EQ(update(g, reserved, 0).first, PVABI_EINVAL);
  const Mfn l3 = g.make_table_frame([](uint64_t*) {});
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L3_TABLE, l3.value()), PVABI_OK);
  const Mfn bad_root = g.make_table_frame([&](uint64_t* e) {
    e[PVABI_L4_FIRST_RESERVED_SLOT + 3] = Pte::map(l3, 0).raw();
  });
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L4_TABLE, bad_root.value()), PVABI_EINVAL);
  EXPECT_EQ(frame_table().info(l3).type_count, 1u);  // only the pin
}

TEST_F(MmuTest, Rule6LinearPageTablesAreNotOffered) {
  TestGuest g("dom");
  // An L4 entry naming its own L4 (a recursive map).
  const Maddr slot = g.layout().l4.address() + 10 * 8;
  EXPECT_EQ(update(g, slot, Pte::map(g.layout().l4, 0).raw()).first, PVABI_EBUSY);
  // A table naming itself while it is being validated.
  const uint64_t self_pfn = g.take_pfn();
  const Mfn self = g.mfn(self_pfn);
  std::vector<uint64_t> entries(512, 0);
  entries[0] = Pte::map(self, 0).raw();
  ASSERT_EQ(copy_to_guest(g.vcpu(), g.va_of(self_pfn), entries.data(), 4096), Status::kOk);
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(self_pfn).value(), Pte::map(self, 0).raw(), 0), PVABI_OK);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, self.value()), PVABI_EBUSY);
  EXPECT_EQ(frame_table().info(self).type, FrameType::kNone);
}

TEST_F(MmuTest, Rule7StaleWritableMappingsAreFlushedBeforeTableUse) {
  TestGuest g("dom");
  const uint64_t pfn = g.take_pfn();
  const Mfn frame = g.mfn(pfn);
  // Unmap the builder's writable mapping: the frame's writable type goes.
  EXPECT_EQ(update(g, l1_entry_of(g, pfn), 0).first, PVABI_OK);
  EXPECT_TRUE(frame_table().info(frame).flags & kFrameStaleWritable);
  const uint64_t flushes = host::tlb_flushes(g.domain().id);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, frame.value()), PVABI_OK);
  EXPECT_EQ(host::tlb_flushes(g.domain().id), flushes + 1);
  EXPECT_FALSE(frame_table().info(frame).flags & kFrameStaleWritable);
}

TEST_F(MmuTest, Rule8EntryAddressesAndVirtualAddressesAreChecked) {
  TestGuest g("dom");
  const Maddr slot = l1_entry_of(g, g.take_pfn());
  EXPECT_EQ(update(g, slot + 4, 0).first, PVABI_EINVAL);  // misaligned (bit 2)
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, 0x0000800000000000ull, 0, 0), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, PVABI_HV_VIRT_START + 4096, 0, 0), PVABI_EINVAL);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_INVLPG_LOCAL, 0x0000800000000000ull), PVABI_EINVAL);
  // A frame that is not a page table is not written through mmu_update.
  EXPECT_EQ(update(g, g.mfn(g.take_pfn()).address(), 0).first, PVABI_EINVAL);
}

TEST_F(MmuTest, Rule9PreemptionReportsAnExactDoneCountAndResumes) {
  TestGuest g("dom");
  std::vector<pvabi_mmu_update> reqs;
  std::vector<uint64_t> pfns;
  for (int i = 0; i < 8; ++i) {
    pfns.push_back(g.take_pfn());
    reqs.push_back(pvabi::pt_update(l1_entry_of(g, pfns.back()), Pte{0}));
  }
  const Gva list = g.alloc(sizeof(pvabi_mmu_update) * 8);
  ASSERT_EQ(copy_to_guest(g.vcpu(), list, reqs.data(), sizeof(pvabi_mmu_update) * 8), Status::kOk);
  const Gva done = g.put(uint32_t{0});
  host::request_preemption_after(3);  // answered while starting items 1, 2, 3
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, list.value(), 8, done.value(), PVABI_DOMID_SELF), PVABI_ERESTART);
  const uint32_t first = g.get<uint32_t>(done);
  EXPECT_EQ(first, 3u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(translate(g.vcpu(), g.va_of(pfns[i]), false).is_ok(), i >= first) << i;
  }
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, list.value() + first * sizeof(pvabi_mmu_update), 8 - first, done.value(),
                   PVABI_DOMID_SELF),
            PVABI_OK);
  EXPECT_EQ(g.get<uint32_t>(done), 8 - first);
  for (uint64_t pfn : pfns) EXPECT_FALSE(translate(g.vcpu(), g.va_of(pfn), false).is_ok());
}

TEST_F(MmuTest, Rule9AFailingItemStopsTheBatchAtItsIndex) {
  TestGuest g("dom");
  const uint64_t p0 = g.take_pfn(), p1 = g.take_pfn(), p3 = g.take_pfn();
  const pvabi_mmu_update reqs[4] = {
      pvabi::pt_update(l1_entry_of(g, p0), Pte{0}),
      pvabi::pt_update(l1_entry_of(g, p1), Pte{0}),
      pvabi::pt_update(l1_entry_of(g, p3), Pte::map(g.mfn(p0), PVABI_PTE_PCD)),
      pvabi::pt_update(l1_entry_of(g, p3), Pte{0}),
  };
  const Gva list = g.put(reqs);
  const Gva done = g.put(uint32_t{0});
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, list.value(), 4, done.value(), PVABI_DOMID_SELF), PVABI_EINVAL);
  EXPECT_EQ(g.get<uint32_t>(done), 2u);
  EXPECT_FALSE(translate(g.vcpu(), g.va_of(p0), false).is_ok());
  EXPECT_TRUE(translate(g.vcpu(), g.va_of(p3), false).is_ok());  // item 3 never ran
  EXPECT_EQ(g.domain().stats.mmu_refusals, 1u);
}

TEST_F(MmuTest, Rule9MulticallStopsAfterControlFlowAndRefusesNesting) {
  TestGuest g("dom");
  const pvabi_multicall_entry calls[3] = {
      pvabi::multicall_entry(pvabi::Hypercall::kVersion, PVABI_VERSION_OP_GET),
      pvabi::multicall_entry(pvabi::Hypercall::kSchedOp, PVABI_SCHEDOP_YIELD),
      pvabi::multicall_entry(pvabi::Hypercall::kVersion, PVABI_VERSION_OP_GET),
  };
  const Gva list = g.put(calls);
  const Gva done = g.put(uint32_t{0});
  EXPECT_EQ(g.call(PVABI_HC_MULTICALL, list.value(), 3, done.value()), PVABI_OK);
  EXPECT_EQ(g.get<uint32_t>(done), 2u);
  EXPECT_EQ(g.get<pvabi_multicall_entry>(list).result, PVABI_INTERFACE_VERSION);
  EXPECT_EQ(g.get<pvabi_multicall_entry>(list + 2 * sizeof(pvabi_multicall_entry)).result, 0);

  const pvabi_multicall_entry nested[2] = {
      pvabi::multicall_entry(pvabi::Hypercall::kVersion, PVABI_VERSION_OP_GET),
      pvabi::multicall_entry(pvabi::Hypercall::kMulticall, list.value(), 1),
  };
  const Gva list2 = g.put(nested);
  EXPECT_EQ(g.call(PVABI_HC_MULTICALL, list2.value(), 2, done.value()), PVABI_EINVAL);
  EXPECT_EQ(g.get<uint32_t>(done), 1u);
  EXPECT_EQ(g.call(PVABI_HC_MULTICALL, list2.value(), PVABI_MULTICALL_MAX + 1, 0), PVABI_E2BIG);
}

TEST_F(MmuTest, Rule9AMulticallStopsAfterAPreemptedEntry) {
  TestGuest g("dom");
  const uint64_t p0 = g.take_pfn(), p1 = g.take_pfn(), p2 = g.take_pfn();
  const pvabi_mmu_update reqs[2] = {pvabi::pt_update(l1_entry_of(g, p0), Pte{0}),
                                    pvabi::pt_update(l1_entry_of(g, p1), Pte{0})};
  const Gva list = g.put(reqs);
  const pvabi_multicall_entry calls[2] = {
      pvabi::multicall_entry(pvabi::Hypercall::kMmuUpdate, list.value(), 2, 0, PVABI_DOMID_SELF),
      pvabi::multicall_entry(pvabi::Hypercall::kUpdateVaMapping, g.va_of(p2).value(), 0, 0),
  };
  const Gva mc = g.put(calls);
  const Gva done = g.put(uint32_t{0});
  host::request_preemption_after(1);  // inside the mmu_update, before its second item
  EXPECT_EQ(g.call(PVABI_HC_MULTICALL, mc.value(), 2, done.value()), PVABI_OK);
  EXPECT_EQ(g.get<uint32_t>(done), 1u);
  EXPECT_EQ(g.get<pvabi_multicall_entry>(mc).result, PVABI_ERESTART);
  EXPECT_FALSE(translate(g.vcpu(), g.va_of(p0), false).is_ok());
  EXPECT_TRUE(translate(g.vcpu(), g.va_of(p1), false).is_ok());
  EXPECT_TRUE(translate(g.vcpu(), g.va_of(p2), false).is_ok());  // the second entry never ran
}

// An L2 whose first three entries name unvalidated L1 tables.
Mfn l2_over_three_l1s(TestGuest& g, std::vector<Mfn>* l1s) {
  const Mfn data = g.mfn(g.take_pfn());
  for (int i = 0; i < 3; ++i) {
    l1s->push_back(g.make_table_frame([&](uint64_t* e) { e[i] = Pte::map(data, 0).raw(); }));
  }
  return g.make_table_frame([&](uint64_t* e) {
    for (int i = 0; i < 3; ++i) e[i] = Pte::map((*l1s)[i], 0).raw();
  });
}

TEST_F(MmuTest, Rule9APreemptedValidationKeepsItsProgressAndResumes) {
  TestGuest g("dom");
  std::vector<Mfn> l1s;
  const Mfn l2 = l2_over_three_l1s(g, &l1s);
  host::request_preemption_after(1);  // before the second L1 is validated
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_ERESTART);
  const FrameInfo& fi = frame_table().info(l2);
  EXPECT_EQ(fi.type, FrameType::kL2);
  EXPECT_TRUE(fi.flags & kFramePartial);
  EXPECT_EQ(fi.progress, 1u);
  EXPECT_TRUE(frame_table().info(l1s[0]).flags & kFrameValidated);
  EXPECT_EQ(frame_table().info(l1s[1]).type, FrameType::kNone);
  InvariantReport r = check_invariants();
  EXPECT_TRUE(r.ok()) << r.first.c_str();
  // Nothing can be written through a partial table, nor can it be mapped writable.
  EXPECT_EQ(update(g, l2.address() + 8 * 5, 0).first, PVABI_EINVAL);
  EXPECT_EQ(update(g, l1_entry_of(g, g.take_pfn()), Pte::map(l2, PVABI_PTE_WRITABLE).raw()).first, PVABI_EBUSY);
  // The guest issues the pin again: validation goes on from entry 1.
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_OK);
  EXPECT_TRUE(fi.flags & kFrameValidated);
  EXPECT_FALSE(fi.flags & kFramePartial);
  EXPECT_EQ(fi.type_count, 1u);
  for (Mfn l1 : l1s) EXPECT_EQ(frame_table().info(l1).type_count, 1u);
}

TEST_F(MmuTest, Rule9APreemptionDeepInATreeResumesEveryLevel) {
  TestGuest g("dom");
  std::vector<Mfn> l1s;
  const Mfn l2 = l2_over_three_l1s(g, &l1s);
  const Mfn l3 = g.make_table_frame([&](uint64_t* e) { e[0] = Pte::map(l2, 0).raw(); });
  host::request_preemption_after(1);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L3_TABLE, l3.value()), PVABI_ERESTART);
  EXPECT_TRUE(frame_table().info(l3).flags & kFramePartial);
  EXPECT_EQ(frame_table().info(l3).progress, 0u);
  EXPECT_TRUE(frame_table().info(l2).flags & kFramePartial);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L3_TABLE, l3.value()), PVABI_OK);
  EXPECT_TRUE(frame_table().info(l2).flags & kFrameValidated);
  EXPECT_EQ(frame_table().info(l2).type_count, 1u);  // held by the L3's entry
}

TEST_F(MmuTest, Rule9AResumptionThatFailsDropsEverything) {
  TestGuest g("dom");
  std::vector<Mfn> l1s;
  const Mfn l2 = l2_over_three_l1s(g, &l1s);
  host::request_preemption_after(1);
  ASSERT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_ERESTART);
  // Meanwhile the guest maps an L1 the partial table has not reached writable.
  ASSERT_EQ(update(g, l1_entry_of(g, g.take_pfn()), Pte::map(l1s[2], PVABI_PTE_WRITABLE).raw()).first, PVABI_OK);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_EBUSY);
  EXPECT_EQ(frame_table().info(l2).type, FrameType::kNone);
  EXPECT_EQ(frame_table().info(l2).ref_count, 1u);  // its read-only mapping only
  for (int i = 0; i < 2; ++i) EXPECT_EQ(frame_table().info(l1s[i]).type_count, 0u);
}

TEST_F(MmuTest, Rule9AAPartialTableIsReleasedWithItsDomain) {
  TestGuest g("dom");
  std::vector<Mfn> l1s;
  const Mfn l2 = l2_over_three_l1s(g, &l1s);
  host::request_preemption_after(1);
  ASSERT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_ERESTART);
  g.destroy();  // the fixture then checks that every frame is free
}

TEST_F(MmuTest, Rule10FailedValidationDropsEveryReferenceItTook) {
  TestGuest g("dom");
  const Mfn a = g.mfn(g.take_pfn()), b = g.mfn(g.take_pfn());
  EXPECT_EQ(update(g, l1_entry_of(g, g.take_pfn() + 0), 0).first, PVABI_OK);
  // Good entries first, a bad one at slot 300: everything taken is dropped.
  const Mfn t = g.make_table_frame([&](uint64_t* e) {
    e[0] = Pte::map(a, 0).raw();
    e[1] = Pte::map(b, 0).raw();
    e[300] = Pte::map(a, PVABI_PTE_PCD).raw();
  });
  const FrameSnapshot before = snapshot();
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_EINVAL);
  EXPECT_TRUE(snapshot() == before);
  // The same for a failure one level down.
  const Mfn bad_l1 = t;
  const Mfn l2 = g.make_table_frame([&](uint64_t* e) { e[7] = Pte::map(bad_l1, 0).raw(); });
  const FrameSnapshot before2 = snapshot();
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L2_TABLE, l2.value()), PVABI_EINVAL);
  EXPECT_TRUE(snapshot() == before2);
}

TEST_F(MmuTest, Rule11NonPresentEntriesCannotPointIntoMemory) {
  TestGuest g("dom");
  const Maddr slot = l1_entry_of(g, g.take_pfn());
  EXPECT_EQ(update(g, slot, g.mfn(3).address().value()).first, PVABI_EINVAL);  // not present
  EXPECT_EQ(update(g, slot, PVABI_NONPRESENT_MIN_FRAME << 12).first, PVABI_OK);
  EXPECT_EQ(update(g, slot, 0x1e).first, PVABI_OK);  // flags only
}

TEST_F(MmuTest, AListRunningIntoAnUnmappedPageFaultsAtTheExactItem) {
  TestGuest g("dom");
  // Two adjacent pages: the list's first 3 items at the end of the first,
  // the rest on the second, which is then unmapped.
  const uint64_t second = g.take_pfn(), first = g.take_pfn();
  ASSERT_EQ(second, first + 1);
  const uint64_t victim = g.take_pfn();
  const pvabi_mmu_update item = pvabi::pt_update(l1_entry_of(g, victim), Pte::map(g.mfn(victim), 0));
  const Gva list = g.va_of(first) + (PVABI_PAGE_SIZE - 3 * sizeof(pvabi_mmu_update));
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(write_guest(g.vcpu(), list + i * sizeof(pvabi_mmu_update), item), Status::kOk);
  }
  ASSERT_EQ(update(g, l1_entry_of(g, second), 0).first, PVABI_OK);
  const Gva done = g.put(uint32_t{0});
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, list.value(), 6, done.value(), PVABI_DOMID_SELF), PVABI_EFAULT);
  EXPECT_EQ(g.get<uint32_t>(done), 3u);
}

TEST_F(MmuTest, BatchArgumentsAreChecked) {
  TestGuest g("dom");
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, 0, PVABI_MMU_BATCH_MAX + 1, 0, PVABI_DOMID_SELF), PVABI_E2BIG);
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, 0x1000, 1, 0, PVABI_DOMID_SELF), PVABI_EFAULT);
  const Gva req = g.put(pvabi_mmu_update{l1_entry_of(g, g.take_pfn()).value(), 0});
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, req.value(), 1, 0x1000, PVABI_DOMID_SELF), PVABI_EFAULT);
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, req.value(), 1, 0, 5), PVABI_EPERM);  // not privileged
  EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, req.value(), 1, 0, 0x10000), PVABI_ESRCH);
  const Gva bad_pad = g.put(pvabi_mmuext_op{PVABI_MMUEXT_TLB_FLUSH_LOCAL, 1, 0, 0});
  EXPECT_EQ(g.call(PVABI_HC_MMUEXT_OP, bad_pad.value(), 1, 0, PVABI_DOMID_SELF), PVABI_EINVAL);
  EXPECT_EQ(ext(g, 999), PVABI_EINVAL);
}

TEST_F(MmuTest, UpdateVaMappingFlushesAsAsked) {
  TestGuest g("dom");
  const uint64_t pfn = g.take_pfn();
  const uint64_t before = host::tlb_flushes(g.domain().id);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), Pte::map(g.mfn(pfn), 0).raw(),
                   PVABI_UVMF_INVLPG),
            PVABI_OK);
  EXPECT_EQ(host::tlb_flushes(g.domain().id), before + 1);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), 0, PVABI_UVMF_TLB_FLUSH | PVABI_UVMF_ALL),
            PVABI_OK);
  EXPECT_EQ(host::tlb_flushes(g.domain().id), before + 2);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), 0, 3), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), 0, 8), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, 0x1000, 0, 0), PVABI_ENOENT);  // no L3 there
}

TEST_F(MmuTest, MachphysUpdateAndCopyClearPage) {
  TestGuest g("dom");
  const Mfn f = g.mfn(g.take_pfn());
  EXPECT_EQ(update(g, f.address(), 7, PVABI_MMU_MACHPHYS_UPDATE).first, PVABI_OK);
  EXPECT_EQ(frame_table().m2p(f), 7u);
  EXPECT_EQ(update(g, f.address(), g.domain().max_frames, PVABI_MMU_MACHPHYS_UPDATE).first, PVABI_ERANGE);
  const Mfn src = g.mfn(g.take_pfn());
  platform::frame_memory(src)[5] = 42;
  EXPECT_EQ(ext(g, PVABI_MMUEXT_COPY_PAGE, f.value(), src.value()), PVABI_OK);
  EXPECT_EQ(platform::frame_memory(f)[5], 42);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_CLEAR_PAGE, f.value()), PVABI_OK);
  EXPECT_EQ(platform::frame_memory(f)[5], 0);
  EXPECT_EQ(ext(g, PVABI_MMUEXT_CLEAR_PAGE, g.layout().l4.value()), PVABI_EBUSY);
}

TEST_F(MmuTest, InvariantCheckerCatchesABrokenCount) {
  TestGuest g("dom");
  ASSERT_TRUE(check_invariants().ok());
  FrameInfo& fi = frame_table().info(g.layout().l4);
  ++fi.ref_count;
  InvariantReport r = check_invariants();
  EXPECT_EQ(r.violations, 1u);
  EXPECT_THAT(r.first.c_str(), ::testing::HasSubstr("refs 4 (expected 3)"));  // pin, base pointer, read-only map
  --fi.ref_count;
  // A frame that is a page table and writable-mapped at once.
  const Mfn t = pinned_l1(g);
  const Maddr slot = l1_entry_of(g, g.take_pfn());
  uint64_t* entry = table_entries(slot.frame()) + slot.page_offset() / 8;
  const uint64_t saved = *entry;
  *entry = Pte::map(t, PVABI_PTE_WRITABLE).raw();
  r = check_invariants();
  EXPECT_GE(r.violations, 1u);
  *entry = saved;
  EXPECT_TRUE(check_invariants().ok());
}

TEST_F(MmuTest, VmAssistOffersPageTableWriteEmulationOnly) {
  TestGuest g("dom");
  constexpr uint32_t kPtWrite = 1u << PVABI_VMASST_PT_WRITE_EMULATION;
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, PVABI_VMASST_M2P_STRICT), PVABI_ENOSYS);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, 2), PVABI_ENOSYS);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, 1ull << 32), PVABI_ENOSYS);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, 7, PVABI_VMASST_M2P_STRICT), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, 7, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_EINVAL);
  EXPECT_EQ(g.domain().vm_assist, 0u);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  EXPECT_EQ(g.domain().vm_assist, kPtWrite);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  EXPECT_EQ(g.domain().vm_assist, kPtWrite);
  // A refusal keeps the state.
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, 7, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_EINVAL);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_DISABLE, PVABI_VMASST_M2P_STRICT), PVABI_ENOSYS);
  EXPECT_EQ(g.domain().vm_assist, kPtWrite);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_DISABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  EXPECT_EQ(g.domain().vm_assist, 0u);
  EXPECT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_DISABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  EXPECT_EQ(g.domain().vm_assist, 0u);
}

}  // namespace
}  // namespace hv
