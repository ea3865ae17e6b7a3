// Grant tables through PVABI_HC_GRANT_TABLE_OP: every operation, every
// documented status, and one test per grant abuse class. The invariant
// checker runs after each test (and inside the ones that change ownership).
#include "grant.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "invariants.h"
#include "page_table.h"
#include "version.h"

namespace hv {
namespace {

using host::TestGuest;
using host::TestGuestConfig;

constexpr uint16_t kPermit = PVABI_GTF_PERMIT_ACCESS;
constexpr uint16_t kReadOnly = PVABI_GTF_READONLY;
constexpr uint16_t kInUse = PVABI_GTF_READING | PVABI_GTF_WRITING;

// Every frame's bookkeeping, to show a failed operation changed nothing.
using host::FrameSnapshot;

class GrantTest : public host::CoreTest {
 protected:
  void TearDown() override {
    host::CoreTest::TearDown();
    guests_.clear();
  }

  static void expect_invariants() {
    const InvariantReport r = check_invariants();
    EXPECT_TRUE(r.ok()) << r.first.c_str();
  }

  TestGuest& guest(const char* name, TestGuestConfig config = {}) {
    guests_.push_back(std::make_unique<TestGuest>(name, config));
    return *guests_.back();
  }
  // What a guest's destroy path will do once destroy_domain tears grants down.
  static void destroy(TestGuest& g) {
    grant_teardown(g.domain());
    g.destroy();
  }

  // One item of `cmd`; returns the item as the hypervisor left it.
  template <typename Op>
  Op run(TestGuest& g, uint32_t cmd, const Op& op) {
    const Gva at = g.put(op);
    EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, cmd, at.value(), 1), PVABI_OK);
    return g.get<Op>(at);
  }
  std::vector<Mfn> setup(TestGuest& g, uint32_t n) {
    const Gva list = g.alloc(8 * n + 8);
    const auto r = run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{list.value(), n, 99});
    EXPECT_EQ(r.status, PVABI_OK);
    std::vector<Mfn> frames;
    for (uint32_t i = 0; i < n; ++i) frames.push_back(Mfn{g.get<pvabi_u64>(list + 8 * i)});
    return frames;
  }
  static pvabi_grant_entry* entry(const std::vector<Mfn>& table, uint32_t ref) {
    return reinterpret_cast<pvabi_grant_entry*>(platform::frame_memory(table[ref / 512])) + ref % 512;
  }
  // The granter writes entry `ref` as pvabi/grant.h says: frame and domid, then flags.
  static void grant(const std::vector<Mfn>& table, uint32_t ref, Mfn frame, TestGuest& to, uint16_t flags) {
    grant_to(table, ref, frame, to.domain().id.value(), flags);
  }
  static void grant_to(const std::vector<Mfn>& table, uint32_t ref, Mfn frame, uint16_t domid, uint16_t flags) {
    pvabi_grant_entry* e = entry(table, ref);
    e->frame = static_cast<uint32_t>(frame.value());
    e->domid = domid;
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
  }
  static uint16_t flags_of(const std::vector<Mfn>& table, uint32_t ref) {
    return __atomic_load_n(&entry(table, ref)->flags, __ATOMIC_ACQUIRE);
  }
  // The granter's revoke: fails while the hypervisor holds READING/WRITING.
  static bool revoke(const std::vector<Mfn>& table, uint32_t ref, uint16_t flags) {
    return __atomic_compare_exchange_n(&entry(table, ref)->flags, &flags, uint16_t{0}, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
  }

  // An address of g whose L1 slot is empty (a free pfn, unmapped).
  static Gva empty_va(TestGuest& g) {
    const uint64_t pfn = g.take_pfn();
    EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), 0, PVABI_UVMF_INVLPG), PVABI_OK);
    return g.va_of(pfn);
  }
  pvabi_gnttab_map_grant_ref map(TestGuest& g, uint16_t dom, uint32_t ref, Gva host, uint32_t flags = 0) {
    return run(g, PVABI_GNTTABOP_MAP_GRANT_REF, pvabi_gnttab_map_grant_ref{host.value(), flags, ref, dom, 0, 0xdead, 0, 99, 0});
  }
  int32_t unmap(TestGuest& g, Gva host, uint32_t handle) {
    return run(g, PVABI_GNTTABOP_UNMAP_GRANT_REF, pvabi_gnttab_unmap_grant_ref{host.value(), handle, 99}).status;
  }
  int64_t ext(TestGuest& g, uint32_t cmd, uint64_t arg1) {
    const Gva op = g.put(pvabi_mmuext_op{cmd, 0, arg1, 0});
    return g.call(PVABI_HC_MMUEXT_OP, op.value(), 1, 0, PVABI_DOMID_SELF);
  }
  int64_t mmu_update(TestGuest& g, Maddr entry_at, uint64_t value) {
    const Gva req = g.put(pvabi_mmu_update{entry_at.value(), value});
    return g.call(PVABI_HC_MMU_UPDATE, req.value(), 1, 0, PVABI_DOMID_SELF);
  }
  // A copy of `value` in a page g maps read-only.
  template <typename T>
  static Gva read_only_copy(TestGuest& g, const T& value) {
    const uint64_t pfn = g.take_pfn();
    EXPECT_EQ(copy_to_guest(g.vcpu(), g.va_of(pfn), &value, sizeof value), Status::kOk);
    EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(pfn).value(), Pte::map(g.mfn(pfn), 0).raw(),
                     PVABI_UVMF_INVLPG),
              PVABI_OK);
    return g.va_of(pfn);
  }
  static uint16_t id(TestGuest& g) { return g.domain().id.value(); }

  // A pinned, empty L1 table of g hung under the builder's L2 in the slot
  // after the one in use: `base` is the first address it maps.
  struct ExtraL1 {
    Mfn table;
    Maddr l2_entry;
    Gva base;
  };
  ExtraL1 extra_l1(TestGuest& g) {
    ExtraL1 x;
    x.table = pinned_l1(g);
    x.base = Gva{g.va_of(0).value() + (512ull << PVABI_PAGE_SHIFT)};
    const Mfn l3 = Pte{table_entries(g.layout().l4)[x.base.table_index(4)]}.frame();
    const Mfn l2 = Pte{table_entries(l3)[x.base.table_index(3)]}.frame();
    EXPECT_EQ(load_entry(&table_entries(l2)[x.base.table_index(2)]), 0u);
    x.l2_entry = l2.address() + x.base.table_index(2) * 8;
    EXPECT_EQ(mmu_update(g, x.l2_entry, Pte::map(x.table, PVABI_PTE_WRITABLE).raw()), PVABI_OK);
    return x;
  }
  Mfn pinned_l1(TestGuest& g) {
    const Mfn t = g.make_table_frame([](uint64_t*) {});
    EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_OK);
    return t;
  }

  // A granter with a one-frame table whose ref 1 grants `frame` (a free pfn
  // it still maps writable) to `grantee`.
  struct Shared {
    TestGuest& granter;
    TestGuest& grantee;
    std::vector<Mfn> table;
    uint64_t pfn;  // the granter's
    Mfn frame;
  };
  Shared share(uint16_t flags = kPermit, TestGuestConfig grantee_config = {}) {
    TestGuest& a = guest("granter");
    TestGuest& b = guest("grantee", grantee_config);
    const uint64_t pfn = a.take_pfn();
    Shared s{a, b, setup(a, 1), pfn, a.mfn(pfn)};
    grant(s.table, 1, s.frame, b, flags);
    return s;
  }

 private:
  std::vector<std::unique_ptr<TestGuest>> guests_;
};

// ---- SETUP_TABLE and QUERY_SIZE ----

TEST_F(GrantTest, SetupGivesHypervisorHeldWritableFramesAndOnlyGrows) {
  TestGuest& g = guest("dom");
  const uint64_t owned = g.domain().nr_frames;
  const std::vector<Mfn> one = setup(g, 1);
  ASSERT_EQ(one.size(), 1u);
  const FrameInfo& fi = frame_table().info(one[0]);
  EXPECT_EQ(fi.owner, id(g));
  EXPECT_EQ(fi.type, FrameType::kWritable);
  EXPECT_EQ(fi.type_count, 1u);
  EXPECT_EQ(fi.ref_count, 1u);
  EXPECT_EQ(grant_table_frames(g.domain()), 1u);
  EXPECT_EQ(g.domain().nr_frames, owned + 1);
  const std::vector<Mfn> three = setup(g, 3);
  EXPECT_EQ(three[0], one[0]);
  EXPECT_EQ(grant_table_frames(g.domain()), 3u);
  // Fewer than it has: the existing ones, and no change.
  const std::vector<Mfn> two = setup(g, 2);
  EXPECT_EQ(two[1], three[1]);
  EXPECT_EQ(grant_table_frames(g.domain()), 3u);
  expect_invariants();
  // They never become page tables (the hold is writable-typed) ...
  EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, three[2].value()), PVABI_EBUSY);
  // ... and the guest may map them writable.
  const Gva va = empty_va(g);
  EXPECT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, va.value(), Pte::map(three[0], PVABI_PTE_WRITABLE).raw(), 0),
            PVABI_OK);
  EXPECT_EQ(copy_to_guest(g.vcpu(), va, "x", 1), Status::kOk);
  expect_invariants();
}

TEST_F(GrantTest, SetupStatuses) {
  TestGuest& g = guest("dom");
  const Gva list = g.alloc(64);
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{list.value(), kMaxGrantFrames + 1, 0}).status,
            PVABI_E2BIG);
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{0x1000, 1, 0}).status, PVABI_EFAULT);
  const Gva ro = read_only_copy(g, uint64_t{0});
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{ro.value(), 1, 0}).status, PVABI_EFAULT);
  EXPECT_EQ(grant_table_frames(g.domain()), 0u);
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{0, 0, 5}).status, PVABI_OK);
}

TEST_F(GrantTest, SetupOutOfMemoryTakesNothing) {
  TestGuest& g = guest("dom");
  // Leave exactly one free frame.
  TestGuestConfig hog_config;
  hog_config.frames = frame_table().free_frames() - 2;
  guest("hog", hog_config);
  ASSERT_EQ(frame_table().free_frames(), 1u);
  const Gva list = g.alloc(64);
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{list.value(), 2, 0}).status, PVABI_ENOMEM);
  EXPECT_EQ(frame_table().free_frames(), 1u);
  EXPECT_EQ(grant_table_frames(g.domain()), 0u);
  EXPECT_EQ(run(g, PVABI_GNTTABOP_SETUP_TABLE, pvabi_gnttab_setup_table{list.value(), 1, 0}).status, PVABI_OK);
  EXPECT_EQ(frame_table().free_frames(), 0u);
}

TEST_F(GrantTest, QuerySize) {
  TestGuest& g = guest("dom");
  TestGuestConfig priv;
  priv.privileged = true;
  TestGuest& control = guest("control", priv);
  (void)setup(g, 2);
  auto query = [&](TestGuest& caller, uint16_t dom, uint16_t pad = 0) {
    return run(caller, PVABI_GNTTABOP_QUERY_SIZE, pvabi_gnttab_query_size{dom, pad, 0, 0, 99});
  };
  const auto self = query(g, PVABI_DOMID_SELF);
  EXPECT_EQ(self.status, PVABI_OK);
  EXPECT_EQ(self.nr_frames, 2u);
  EXPECT_EQ(self.max_nr_frames, kMaxGrantFrames);
  const auto other = query(control, id(g));
  EXPECT_EQ(other.status, PVABI_OK);
  EXPECT_EQ(other.nr_frames, 2u);
  EXPECT_EQ(query(control, PVABI_DOMID_SELF).nr_frames, 0u);
  EXPECT_EQ(query(g, id(control)).status, PVABI_EPERM);
  EXPECT_EQ(query(control, 999).status, PVABI_ESRCH);
  EXPECT_EQ(query(g, PVABI_DOMID_SELF, 1).status, PVABI_EINVAL);
}

TEST_F(GrantTest, CallLevelStatuses) {
  TestGuest& g = guest("dom");
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, 99, 0, 0), PVABI_ENOSYS);
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_QUERY_SIZE, 0, PVABI_GNTTAB_BATCH_MAX + 1), PVABI_E2BIG);
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_QUERY_SIZE, 0x1000, 1), PVABI_EFAULT);
  // A list the hypervisor cannot write back: nothing is performed.
  const Gva list = g.alloc(64);
  const Gva ro = read_only_copy(g, pvabi_gnttab_setup_table{list.value(), 1, 0});
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_SETUP_TABLE, ro.value(), 1), PVABI_EFAULT);
  EXPECT_EQ(grant_table_frames(g.domain()), 0u);
  // Each item has its own status; the first's failure does not stop the second.
  const pvabi_gnttab_query_size items[2] = {{999, 0, 0, 0, 0}, {PVABI_DOMID_SELF, 0, 0, 0, 0}};
  const Gva two = g.put(items);
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_QUERY_SIZE, two.value(), 2), PVABI_OK);
  EXPECT_EQ(g.get<pvabi_gnttab_query_size>(two).status, PVABI_EPERM);
  EXPECT_EQ(g.get<pvabi_gnttab_query_size>(two + sizeof(pvabi_gnttab_query_size)).status, PVABI_OK);
  // Items before a fault were performed and their status written.
  const Gva hole = empty_va(g);
  const Gva edge = g.va_of(g.take_pfn()) + (PVABI_PAGE_SIZE - sizeof(pvabi_gnttab_query_size));
  ASSERT_EQ((edge + sizeof(pvabi_gnttab_query_size)).value(), hole.value());
  ASSERT_EQ(write_guest(g.vcpu(), edge, pvabi_gnttab_query_size{PVABI_DOMID_SELF, 0, 0, 0, 99}), Status::kOk);
  EXPECT_EQ(g.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_QUERY_SIZE, edge.value(), 2), PVABI_EFAULT);
  EXPECT_EQ(g.get<pvabi_gnttab_query_size>(edge).status, PVABI_OK);
}

// ---- MAP_GRANT_REF and UNMAP_GRANT_REF ----

TEST_F(GrantTest, MapWritableThenUnmap) {
  Shared s = share();
  const FrameInfo before = frame_table().info(s.frame);
  platform::frame_memory(s.frame)[10] = 0x5a;
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  EXPECT_EQ(m.frame, s.frame.value());
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kInUse);
  EXPECT_EQ(frame_table().info(s.frame).ref_count, before.ref_count + 1);
  EXPECT_EQ(frame_table().info(s.frame).type_count, before.type_count + 1);
  EXPECT_EQ(s.grantee.get<uint8_t>(host + 10), 0x5a);
  ASSERT_EQ(write_guest(s.grantee.vcpu(), host + 11, uint8_t{0x77}), Status::kOk);
  EXPECT_EQ(platform::frame_memory(s.frame)[11], 0x77);
  EXPECT_TRUE(grant_allows_mapping(s.grantee.domain(), s.frame));
  expect_invariants();

  const uint64_t flushes = host::tlb_flushes(s.grantee.domain().id);
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  EXPECT_GT(host::tlb_flushes(s.grantee.domain().id), flushes);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  EXPECT_FALSE(translate(s.grantee.vcpu(), host, false).is_ok());
  EXPECT_EQ(frame_table().info(s.frame).ref_count, before.ref_count);
  EXPECT_EQ(frame_table().info(s.frame).type_count, before.type_count);
  EXPECT_FALSE(grant_allows_mapping(s.grantee.domain(), s.frame));
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_ENOENT);  // the handle is gone
  expect_invariants();
}

TEST_F(GrantTest, MapReadOnly) {
  Shared s = share(kPermit | kReadOnly);
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host, PVABI_GNTMAP_READONLY);
  ASSERT_EQ(m.status, PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kReadOnly | PVABI_GTF_READING);
  EXPECT_TRUE(translate(s.grantee.vcpu(), host, false).is_ok());
  EXPECT_EQ(write_guest(s.grantee.vcpu(), host, uint8_t{1}), Status::kFault);
  expect_invariants();
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kReadOnly);
}

TEST_F(GrantTest, FlagsStayWhileAnyMappingRemains) {
  Shared s = share();
  const Gva rw = empty_va(s.grantee), ro = empty_va(s.grantee);
  const auto w = map(s.grantee, id(s.granter), 1, rw);
  const auto r = map(s.grantee, id(s.granter), 1, ro, PVABI_GNTMAP_READONLY);
  ASSERT_EQ(w.status, PVABI_OK);
  ASSERT_EQ(r.status, PVABI_OK);
  EXPECT_NE(w.handle, r.handle);
  EXPECT_EQ(unmap(s.grantee, rw, w.handle), PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | PVABI_GTF_READING);
  EXPECT_EQ(unmap(s.grantee, ro, r.handle), PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  expect_invariants();
}

TEST_F(GrantTest, MapStatusesChangeNothing) {
  Shared s = share();
  TestGuest& third = guest("third");
  (void)setup(third, 1);
  grant(s.table, 2, s.frame, s.grantee, kPermit | kReadOnly);
  grant(s.table, 3, s.frame, third, kPermit);                     // meant for another domain
  grant(s.table, 4, s.frame, s.grantee, 0);                       // not permitted (revoked)
  grant(s.table, 5, third.mfn(third.take_pfn()), s.grantee, kPermit);  // not the granter's frame
  grant_to(s.table, 6, Mfn{frame_table().size() + 5}, id(s.grantee), kPermit);  // past memory
  const uint16_t g = id(s.granter);
  const Gva host = empty_va(s.grantee);
  const Gva present = s.grantee.va_of(s.grantee.take_pfn());  // still mapped by the builder
  const Gva nonpresent = empty_va(s.grantee);
  ASSERT_EQ(s.grantee.call(PVABI_HC_UPDATE_VA_MAPPING, nonpresent.value(), PVABI_NONPRESENT_MIN_FRAME << 12, 0),
            PVABI_OK);

  struct Case {
    pvabi_gnttab_map_grant_ref op;
    int32_t status;
  };
  auto op = [&](uint16_t dom, uint32_t ref, Gva at, uint32_t flags = 0) {
    return pvabi_gnttab_map_grant_ref{at.value(), flags, ref, dom, 0, 0, 0, 0, 0};
  };
  std::vector<Case> cases = {
      {op(999, 1, host), PVABI_ESRCH},
      {op(PVABI_DOMID_SELF - 1, 1, host), PVABI_ESRCH},
      {op(0xffff, 1, host), PVABI_ESRCH},
      {op(id(s.grantee), 1, host), PVABI_EPERM},     // its own grant
      {op(PVABI_DOMID_SELF, 1, host), PVABI_EPERM},
      {op(g, 512, host), PVABI_ERANGE},              // past a one-frame table
      {op(g, 0xffffffffu, host), PVABI_ERANGE},
      {op(id(third), 600, host), PVABI_ERANGE},       // past the third domain's table
      {op(g, 3, host), PVABI_EPERM},                  // meant for another domain
      {op(g, 4, host), PVABI_EPERM},
      {op(g, 2, host), PVABI_EPERM},                  // writable map of a read-only grant
      {op(g, 5, host), PVABI_EPERM},
      {op(g, 6, host), PVABI_EPERM},
      {op(g, 0, host), PVABI_EPERM},                  // an empty entry
      {op(g, 1, host + 8), PVABI_EINVAL},             // not page-aligned
      {op(g, 1, Gva{0x0000800000000000ull}), PVABI_EINVAL},
      {op(g, 1, Gva{PVABI_HV_VIRT_START}), PVABI_EINVAL},
      {op(g, 1, Gva{0x1000}), PVABI_EINVAL},          // no L1 table there
      {op(g, 1, present), PVABI_EINVAL},              // mapping over a present entry
      {op(g, 1, nonpresent), PVABI_EINVAL},           // a non-present entry in use
      {op(g, 1, host, 2), PVABI_EINVAL},              // unknown flag
  };
  Case pad0{op(g, 1, host), PVABI_EINVAL};
  pad0.op._pad0 = 1;
  Case pad1{op(g, 1, host), PVABI_EINVAL};
  pad1.op._pad1 = 1;
  cases.push_back(pad0);
  cases.push_back(pad1);

  const FrameSnapshot before = FrameSnapshot::take();
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto r = run(s.grantee, PVABI_GNTTABOP_MAP_GRANT_REF, cases[i].op);
    EXPECT_EQ(r.status, cases[i].status) << "case " << i;
    EXPECT_TRUE(FrameSnapshot::take() == before) << "case " << i;
  }
  for (uint32_t ref = 1; ref <= 6; ++ref) EXPECT_EQ(flags_of(s.table, ref) & kInUse, 0) << ref;
  EXPECT_FALSE(grant_allows_mapping(s.grantee.domain(), s.frame));
  // A domain with no table at all.
  EXPECT_EQ(map(s.granter, id(s.grantee), 0, empty_va(s.granter)).status, PVABI_ERANGE);
}

TEST_F(GrantTest, WritableMapOfAPageTableIsBusy) {
  TestGuest& a = guest("granter");
  TestGuest& b = guest("grantee");
  const std::vector<Mfn> table = setup(a, 1);
  const Mfn l1 = a.make_table_frame([](uint64_t*) {});
  ASSERT_EQ(ext(a, PVABI_MMUEXT_PIN_L1_TABLE, l1.value()), PVABI_OK);
  grant(table, 1, l1, b, kPermit);
  const Gva host = empty_va(b);
  const FrameSnapshot before = FrameSnapshot::take();
  EXPECT_EQ(map(b, id(a), 1, host).status, PVABI_EBUSY);
  EXPECT_TRUE(FrameSnapshot::take() == before);
  EXPECT_EQ(flags_of(table, 1), kPermit);
  // Reading a page table is allowed, as for its owner.
  const auto m = map(b, id(a), 1, host, PVABI_GNTMAP_READONLY);
  EXPECT_EQ(m.status, PVABI_OK);
  expect_invariants();
  EXPECT_EQ(unmap(b, host, m.handle), PVABI_OK);
}

TEST_F(GrantTest, MaptrackIsBounded) {
  TestGuestConfig big;
  big.frames = 2048;
  Shared s = share(kPermit, big);
  std::vector<pvabi_gnttab_map_grant_ref> ops;
  for (uint32_t i = 0; i < kMaxGrantMappings + 1; ++i) {
    ops.push_back(pvabi_gnttab_map_grant_ref{empty_va(s.grantee).value(), PVABI_GNTMAP_READONLY, 1, id(s.granter),
                                             0, 0, 0, 99, 0});
  }
  const Gva list = s.grantee.alloc(sizeof(pvabi_gnttab_map_grant_ref) * ops.size());
  ASSERT_EQ(copy_to_guest(s.grantee.vcpu(), list, ops.data(), sizeof(ops[0]) * ops.size()), Status::kOk);
  for (uint32_t done = 0; done < ops.size(); done += PVABI_GNTTAB_BATCH_MAX) {
    const uint64_t n = std::min<uint64_t>(PVABI_GNTTAB_BATCH_MAX, ops.size() - done);
    EXPECT_EQ(s.grantee.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_MAP_GRANT_REF,
                             (list + done * sizeof(ops[0])).value(), n),
              PVABI_OK);
  }
  ASSERT_EQ(copy_from_guest(s.grantee.vcpu(), list, ops.data(), sizeof(ops[0]) * ops.size()), Status::kOk);
  for (uint32_t i = 0; i < kMaxGrantMappings; ++i) ASSERT_EQ(ops[i].status, PVABI_OK) << i;
  EXPECT_EQ(ops[kMaxGrantMappings].status, PVABI_ENOSPC);
  expect_invariants();
  // A freed handle is used again.
  EXPECT_EQ(unmap(s.grantee, Gva{ops[7].host_addr}, ops[7].handle), PVABI_OK);
  const auto again = map(s.grantee, id(s.granter), 1, Gva{ops[kMaxGrantMappings].host_addr}, PVABI_GNTMAP_READONLY);
  EXPECT_EQ(again.status, PVABI_OK);
  EXPECT_EQ(again.handle, ops[7].handle);
}

TEST_F(GrantTest, UnmapStatuses) {
  Shared s = share();
  const Gva host = empty_va(s.grantee), other = empty_va(s.grantee);
  EXPECT_EQ(unmap(s.grantee, host, 0), PVABI_ENOENT);  // no maptrack yet
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  const FrameSnapshot before = FrameSnapshot::take();
  EXPECT_EQ(unmap(s.grantee, host, m.handle + 1), PVABI_ENOENT);   // a free handle
  EXPECT_EQ(unmap(s.grantee, host, 99999), PVABI_ENOENT);          // past the table
  EXPECT_EQ(unmap(s.grantee, other, m.handle), PVABI_EINVAL);      // the handle maps elsewhere
  EXPECT_EQ(unmap(s.granter, host, m.handle), PVABI_ENOENT);       // another domain's handle
  EXPECT_TRUE(FrameSnapshot::take() == before);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kInUse);
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  // host_addr must still lead to the mapping's slot through the current
  // tables: swap the L1 under it for another, and back.
  const ExtraL1 x = extra_l1(s.grantee);
  const auto m2 = map(s.grantee, id(s.granter), 1, x.base);
  ASSERT_EQ(m2.status, PVABI_OK);
  const Mfn other_l1 = pinned_l1(s.grantee);
  ASSERT_EQ(mmu_update(s.grantee, x.l2_entry, Pte::map(other_l1, PVABI_PTE_WRITABLE).raw()), PVABI_OK);
  EXPECT_EQ(unmap(s.grantee, x.base, m2.handle), PVABI_EINVAL);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kInUse);
  ASSERT_EQ(mmu_update(s.grantee, x.l2_entry, Pte::map(x.table, PVABI_PTE_WRITABLE).raw()), PVABI_OK);
  EXPECT_EQ(unmap(s.grantee, x.base, m2.handle), PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
}

// ---- Abuse classes ----

TEST_F(GrantTest, AFrameTheGranteeMapsWritableCannotBecomeTheGrantersTable) {
  Shared s = share();
  ASSERT_EQ(s.granter.call(PVABI_HC_UPDATE_VA_MAPPING, s.granter.va_of(s.pfn).value(), 0, PVABI_UVMF_INVLPG),
            PVABI_OK);
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  EXPECT_EQ(ext(s.granter, PVABI_MMUEXT_PIN_L1_TABLE, s.frame.value()), PVABI_EBUSY);
  // Once unmapped, with the grantee's TLBs flushed, it may.
  const uint64_t flushes = host::tlb_flushes(s.grantee.domain().id);
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  EXPECT_GT(host::tlb_flushes(s.grantee.domain().id), flushes);
  EXPECT_EQ(ext(s.granter, PVABI_MMUEXT_PIN_L1_TABLE, s.frame.value()), PVABI_OK);
  // And a table is not mapped writable through a grant either.
  EXPECT_EQ(map(s.grantee, id(s.granter), 1, host).status, PVABI_EBUSY);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  expect_invariants();
}

TEST_F(GrantTest, AGrantMappingCannotBeOverwrittenThroughTheMmu) {
  Shared s = share();
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  const Result<L1Slot> slot = find_l1_slot(s.grantee.vcpu(), host);
  ASSERT_TRUE(slot.is_ok());
  const Maddr at = slot.value.table.address() + slot.value.slot * 8;
  const Mfn own = s.grantee.mfn(s.grantee.take_pfn());
  const FrameSnapshot before = FrameSnapshot::take();
  EXPECT_EQ(mmu_update(s.grantee, at, 0), PVABI_EPERM);
  EXPECT_EQ(mmu_update(s.grantee, at, Pte::map(own, PVABI_PTE_WRITABLE).raw()), PVABI_EPERM);
  EXPECT_EQ(mmu_update(s.grantee, at, Pte::map(s.frame, PVABI_PTE_WRITABLE | PVABI_PTE_DIRTY).raw()), PVABI_EPERM);
  EXPECT_EQ(s.grantee.call(PVABI_HC_UPDATE_VA_MAPPING, host.value(), 0, 0), PVABI_EPERM);
  EXPECT_TRUE(FrameSnapshot::take() == before);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | kInUse);
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
}

TEST_F(GrantTest, RevokeFailsWhileMapped) {
  Shared s = share();
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  EXPECT_FALSE(revoke(s.table, 1, kPermit));
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  EXPECT_TRUE(revoke(s.table, 1, kPermit));
  // Revoked: a new map is refused.
  EXPECT_EQ(map(s.grantee, id(s.granter), 1, host).status, PVABI_EPERM);
}

TEST_F(GrantTest, GranterDestroyedWhileMapped) {
  Shared s = share();
  const Gva host = empty_va(s.grantee);
  platform::frame_memory(s.frame)[0] = 0x42;
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  const uint16_t old_id = id(s.granter);
  const uint64_t free_before = frame_table().free_frames();
  const uint64_t granter_frames = s.granter.domain().nr_frames;
  destroy(s.granter);
  // Everything of the granter is free but the mapped frame, which lives on.
  EXPECT_EQ(frame_table().free_frames(), free_before + granter_frames - 1);
  EXPECT_EQ(frame_table().info(s.frame).owner, kOwnerFree);
  EXPECT_EQ(frame_table().info(s.frame).ref_count, 1u);
  EXPECT_EQ(s.grantee.get<uint8_t>(host), 0x42);
  expect_invariants();
  // A new domain takes the id: the orphaned mapping must not touch its table.
  TestGuest& heir = guest("heir");
  ASSERT_EQ(id(heir), old_id);
  const std::vector<Mfn> heir_table = setup(heir, 1);
  grant_to(heir_table, 1, heir.mfn(heir.take_pfn()), 77, kPermit | kInUse);
  const uint64_t free_mid = frame_table().free_frames();
  EXPECT_EQ(unmap(s.grantee, host, m.handle), PVABI_OK);
  EXPECT_EQ(flags_of(heir_table, 1), kPermit | kInUse);
  EXPECT_EQ(frame_table().free_frames(), free_mid + 1);  // the last reference went
  expect_invariants();
}

TEST_F(GrantTest, MapperDestroyedWhileMapped) {
  Shared s = share();
  const uint32_t refs = frame_table().info(s.frame).ref_count;
  ASSERT_EQ(map(s.grantee, id(s.granter), 1, empty_va(s.grantee)).status, PVABI_OK);
  ASSERT_EQ(map(s.grantee, id(s.granter), 1, empty_va(s.grantee), PVABI_GNTMAP_READONLY).status, PVABI_OK);
  destroy(s.grantee);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  EXPECT_EQ(frame_table().info(s.frame).ref_count, refs);
  expect_invariants();
  EXPECT_TRUE(revoke(s.table, 1, kPermit));
}

TEST_F(GrantTest, MappingsEndWhenTheirL1TableIsDevalidated) {
  Shared s = share();
  grant(s.table, 2, s.frame, s.grantee, kPermit);  // a second ref, same frame
  TestGuest& b = s.grantee;
  const ExtraL1 x = extra_l1(b);
  const Mfn l1 = x.table;
  const Gva base = x.base;
  const Maddr l2_entry = x.l2_entry;
  const auto before = frame_table().info(s.frame);
  const auto ro = map(b, id(s.granter), 1, base, PVABI_GNTMAP_READONLY);
  const auto rw = map(b, id(s.granter), 2, base + PVABI_PAGE_SIZE);
  ASSERT_EQ(ro.status, PVABI_OK);
  ASSERT_EQ(rw.status, PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 1), kPermit | PVABI_GTF_READING);
  EXPECT_EQ(flags_of(s.table, 2), kPermit | kInUse);
  expect_invariants();
  // Unhook and unpin: the table goes, and its grant mappings with it.
  ASSERT_EQ(mmu_update(b, l2_entry, 0), PVABI_OK);
  EXPECT_EQ(flags_of(s.table, 2), kPermit | kInUse);  // still pinned
  const uint64_t flushes = host::tlb_flushes(b.domain().id);
  ASSERT_EQ(ext(b, PVABI_MMUEXT_UNPIN_TABLE, l1.value()), PVABI_OK);
  EXPECT_GT(host::tlb_flushes(b.domain().id), flushes);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  EXPECT_EQ(flags_of(s.table, 2), kPermit);
  EXPECT_EQ(frame_table().info(s.frame).ref_count, before.ref_count);
  EXPECT_EQ(frame_table().info(s.frame).type_count, before.type_count);
  EXPECT_EQ(unmap(b, base, ro.handle), PVABI_ENOENT);
  EXPECT_FALSE(grant_allows_mapping(b.domain(), s.frame));
  expect_invariants();
  // The stale entries in the old table cannot come back: pinning it again
  // fails on the foreign frame.
  EXPECT_EQ(ext(b, PVABI_MMUEXT_PIN_L1_TABLE, l1.value()), PVABI_EPERM);
}

TEST_F(GrantTest, UnmappingThePageHoldingTheListFaultsAfterTheItem) {
  Shared s = share();
  const Gva host = empty_va(s.grantee);
  const auto m = map(s.grantee, id(s.granter), 1, host);
  ASSERT_EQ(m.status, PVABI_OK);
  // The unmap request lives in the granted page itself.
  ASSERT_EQ(write_guest(s.grantee.vcpu(), host, pvabi_gnttab_unmap_grant_ref{host.value(), m.handle, 99}),
            Status::kOk);
  EXPECT_EQ(s.grantee.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_UNMAP_GRANT_REF, host.value(), 1), PVABI_EFAULT);
  EXPECT_FALSE(translate(s.grantee.vcpu(), host, false).is_ok());
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  expect_invariants();
}

// ---- COPY ----

pvabi_gnttab_copy_ptr own(Mfn f, uint16_t offset) { return pvabi_gnttab_copy_ptr{f.value(), 0, 0, offset}; }
pvabi_gnttab_copy_ptr granted(uint16_t dom, uint32_t ref, uint16_t offset) {
  return pvabi_gnttab_copy_ptr{0, ref, dom, offset};
}

TEST_F(GrantTest, CopyThroughGrantsBothWays) {
  Shared s = share();
  TestGuest& b = s.grantee;
  const Mfn mine = b.mfn(b.take_pfn());
  uint8_t* theirs = platform::frame_memory(s.frame);
  for (int i = 0; i < 100; ++i) theirs[i] = static_cast<uint8_t>(i);
  pvabi_gnttab_copy in{granted(id(s.granter), 1, 10), own(mine, 4000), 50, PVABI_GNTCOPY_SOURCE_GREF, 99};
  EXPECT_EQ(grant_copy(b.domain(), in), Status::kOk);
  EXPECT_EQ(platform::frame_memory(mine)[4000], 10);
  EXPECT_EQ(platform::frame_memory(mine)[4049], 59);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);  // held only during the copy
  pvabi_gnttab_copy out{own(mine, 4000), granted(id(s.granter), 1, 2000), 96, PVABI_GNTCOPY_DEST_GREF, 0};
  EXPECT_EQ(grant_copy(b.domain(), out), Status::kOk);
  EXPECT_EQ(theirs[2000], 10);
  // Grant to grant, within one frame without overlap.
  pvabi_gnttab_copy both{granted(id(s.granter), 1, 0), granted(id(s.granter), 1, 3000), 100,
                         PVABI_GNTCOPY_SOURCE_GREF | PVABI_GNTCOPY_DEST_GREF, 0};
  EXPECT_EQ(grant_copy(b.domain(), both), Status::kOk);
  EXPECT_EQ(theirs[3099], 99);
  EXPECT_EQ(flags_of(s.table, 1), kPermit);
  expect_invariants();
}

TEST_F(GrantTest, CopyStatusesCopyNothing) {
  Shared s = share();
  TestGuest& b = s.grantee;
  TestGuest& third = guest("third");
  grant(s.table, 2, s.frame, s.grantee, kPermit | kReadOnly);
  grant(s.table, 3, s.frame, third, kPermit);
  const Mfn l1 = s.granter.make_table_frame([](uint64_t*) {});
  ASSERT_EQ(ext(s.granter, PVABI_MMUEXT_PIN_L1_TABLE, l1.value()), PVABI_OK);
  grant(s.table, 4, l1, s.grantee, kPermit);
  const Mfn mine = b.mfn(b.take_pfn());
  const Mfn my_l1 = b.make_table_frame([](uint64_t*) {});
  ASSERT_EQ(ext(b, PVABI_MMUEXT_PIN_L1_TABLE, my_l1.value()), PVABI_OK);
  const uint16_t g = id(s.granter);
  const auto src = granted(g, 1, 0);
  const uint16_t sg = PVABI_GNTCOPY_SOURCE_GREF, dg = PVABI_GNTCOPY_DEST_GREF;
  struct Case {
    pvabi_gnttab_copy op;
    Status status;
  };
  const std::vector<Case> cases = {
      {{src, own(mine, 0), 8, 4, 0}, Status::kInvalid},                       // unknown flag
      {{src, own(mine, 4090), 8, sg, 0}, Status::kInvalid},                   // past the page
      {{granted(g, 1, 4095), own(mine, 0), 2, sg, 0}, Status::kInvalid},
      {{own(mine, 0), own(mine, 4), 8, 0, 0}, Status::kInvalid},              // overlapping
      {{granted(g, 1, 0), granted(g, 1, 4), 8, sg | dg, 0}, Status::kInvalid},
      {{granted(999, 1, 0), own(mine, 0), 8, sg, 0}, Status::kNoSuchDomain},
      {{granted(id(b), 1, 0), own(mine, 0), 8, sg, 0}, Status::kNotPermitted},  // its own grant
      {{granted(g, 600, 0), own(mine, 0), 8, sg, 0}, Status::kOutOfRange},
      {{granted(g, 3, 0), own(mine, 0), 8, sg, 0}, Status::kNotPermitted},      // for another domain
      {{own(mine, 0), granted(g, 2, 0), 8, dg, 0}, Status::kNotPermitted},      // read-only grant
      {{own(mine, 0), granted(g, 4, 0), 8, dg, 0}, Status::kBusy},              // a page table
      {{src, own(my_l1, 0), 8, sg, 0}, Status::kBusy},
      {{src, own(s.frame, 0), 8, sg, 0}, Status::kNotPermitted},                // not its frame
      {{own(s.frame, 0), own(mine, 100), 8, 0, 0}, Status::kNotPermitted},
      {{src, own(Mfn{frame_table().size()}, 0), 8, sg, 0}, Status::kOutOfRange},
  };
  platform::frame_memory(s.frame)[0] = 0x11;
  const FrameSnapshot before = FrameSnapshot::take();
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(grant_copy(b.domain(), cases[i].op), cases[i].status) << "case " << i;
    EXPECT_TRUE(FrameSnapshot::take() == before) << "case " << i;
  }
  EXPECT_EQ(platform::frame_memory(mine)[0], 0);
  EXPECT_EQ(platform::frame_memory(my_l1)[0], 0);
  for (uint32_t ref = 1; ref <= 4; ++ref) EXPECT_EQ(flags_of(s.table, ref) & kInUse, 0) << ref;
  // Reading a granted page table is fine.
  EXPECT_EQ(grant_copy(b.domain(), {granted(g, 4, 0), own(mine, 0), 8, sg, 0}), Status::kOk);
}

TEST_F(GrantTest, CopyHypercallFollowsTheFeatureBit) {
  Shared s = share();
  const Mfn mine = s.grantee.mfn(s.grantee.take_pfn());
  const auto r = run(s.grantee, PVABI_GNTTABOP_COPY,
                     pvabi_gnttab_copy{granted(id(s.granter), 1, 0), own(mine, 0), 8, PVABI_GNTCOPY_SOURCE_GREF, 99});
  const bool offered = (feature_word(0) & PVABI_FEATURE0_GRANT_COPY) != 0;
  EXPECT_EQ(r.status, offered ? PVABI_OK : PVABI_ENOSYS);
}

}  // namespace
}  // namespace hv
