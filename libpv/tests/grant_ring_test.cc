// Grant entries, grant table operations between two guests, and the ring
// ends (libpv/grant.h, libpv/ring.h).
#include <libpv/grant.h>

#include <libpv/mmu.h>
#include <libpv/ring.h>
#include <pvabi/mmu.hpp>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

TEST(GrantEntryTest, SetPublishesTheOfferAndRevokeWithdrawsIt) {
  pvabi_grant_entry e{};
  pv_grant_entry_set(&e, 7, 0x1234, 1);
  EXPECT_EQ(e.domid, 7u);
  EXPECT_EQ(e.frame, 0x1234u);
  EXPECT_EQ(e.flags, PVABI_GTF_PERMIT_ACCESS | PVABI_GTF_READONLY);
  e.flags |= PVABI_GTF_READING;  // the grantee has it mapped
  EXPECT_EQ(pv_grant_entry_revoke(&e), PVABI_EBUSY);
  e.flags &= ~PVABI_GTF_READING;
  EXPECT_EQ(pv_grant_entry_revoke(&e), PVABI_OK);
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(pv_grant_entry_revoke(&e), PVABI_ENOENT);
}

class GrantTest : public HostGuestTest {
 protected:
  // Sets up this guest's grant table (one frame) and maps it writable at a
  // free pfn's address; nullptr if the core has no grant tables.
  pvabi_grant_entry* map_own_grant_table() {
    uint64_t table_frames[1] = {};
    const int rc = pv_grant_setup_table(1, table_frames);
    if (rc == PVABI_ENOSYS) return nullptr;
    EXPECT_EQ(rc, PVABI_OK);
    const uint64_t table_pfn = guest().take_pfn();
    EXPECT_EQ(pv_mmu_update_va_mapping(nullptr, guest().va_of(table_pfn).value(),
                                       pvabi::Pte::map(pvabi::Mfn{table_frames[0]}, PVABI_PTE_WRITABLE).raw(),
                                       PVABI_UVMF_INVLPG),
              PVABI_OK);
    return static_cast<pvabi_grant_entry*>(pv_pfn_to_virt(table_pfn));
  }
};

TEST_F(GrantTest, AnotherGuestMapsAGrantedFrame) {
  pvabi_grant_entry* table = map_own_grant_table();
  if (table == nullptr) GTEST_SKIP() << "grant_table_op: hv-core answers PVABI_ENOSYS";
  uint32_t nr = 0, max = 0;
  ASSERT_EQ(pv_grant_query_size(PVABI_DOMID_SELF, &nr, &max), PVABI_OK);
  EXPECT_EQ(nr, 1u);
  EXPECT_GE(max, 1u);
  const uint64_t shared_pfn = guest().take_pfn();
  auto* shared = static_cast<char*>(pv_pfn_to_virt(shared_pfn));
  std::strcpy(shared, "granted bytes");

  hv::host::TestGuest other("grantee");
  pv_grant_entry_set(&table[3], other.domain().id.value(), static_cast<uint32_t>(guest().mfn(shared_pfn).value()), 1);
  const uint16_t granter = domain().id.value();
  {
    host::TestGuestBinding grantee(other);
    ASSERT_EQ(pv_init(grantee.start_info()), PVABI_OK);
    const uint64_t pfn = other.take_pfn();
    const uint64_t va = other.va_of(pfn).value();
    ASSERT_EQ(pv_mmu_update_va_mapping(nullptr, va, 0, PVABI_UVMF_INVLPG), PVABI_OK);  // a free slot
    pvabi_gnttab_map_grant_ref map{va, PVABI_GNTMAP_READONLY, 3, granter, 0, 0, 0, 0, 0};
    ASSERT_EQ(pv_grant_map(&map, 1), PVABI_OK);
    EXPECT_EQ(map.frame, guest().mfn(shared_pfn).value());
    EXPECT_STREQ(static_cast<const char*>(grantee.host_address(va)), "granted bytes");
    EXPECT_EQ(pv_grant_entry_revoke(&table[3]), PVABI_EBUSY);  // mapped: READING is set
    pvabi_gnttab_unmap_grant_ref unmap{va, map.handle, 0};
    EXPECT_EQ(pv_grant_unmap(&unmap, 1), PVABI_OK);
    pvabi_gnttab_map_grant_ref bad{va, 0, 3, granter, 0, 0, 0, 0, 0};  // writable map of a read-only grant
    EXPECT_EQ(pv_grant_map(&bad, 1), PVABI_EPERM);
    EXPECT_EQ(bad.status, PVABI_EPERM);
  }
  binding().use_vcpu(0);
  ASSERT_EQ(pv_init(binding().start_info()), PVABI_OK);
  EXPECT_EQ(pv_grant_entry_revoke(&table[3]), PVABI_OK);
}

TEST_F(GrantTest, AnotherGuestCopiesOutOfAGrantedFrame) {
  pvabi_grant_entry* table = map_own_grant_table();
  if (table == nullptr) GTEST_SKIP() << "grant_table_op: hv-core answers PVABI_ENOSYS";
  const uint64_t shared_pfn = guest().take_pfn();
  std::strcpy(static_cast<char*>(pv_pfn_to_virt(shared_pfn)), "copied bytes");
  hv::host::TestGuest other("reader");
  pv_grant_entry_set(&table[5], other.domain().id.value(), static_cast<uint32_t>(guest().mfn(shared_pfn).value()), 1);
  const uint16_t granter = domain().id.value();
  {
    host::TestGuestBinding reader(other);
    ASSERT_EQ(pv_init(reader.start_info()), PVABI_OK);
    const uint64_t dest_pfn = other.take_pfn();
    pvabi_gnttab_copy op{};
    op.source = pvabi_gnttab_copy_ptr{0, 5, granter, 0};
    op.dest = pvabi_gnttab_copy_ptr{other.mfn(dest_pfn).value(), 0, 0, 16};
    op.len = 13;
    op.flags = PVABI_GNTCOPY_SOURCE_GREF;
    ASSERT_EQ(pv_grant_copy(&op, 1), PVABI_OK);
    EXPECT_EQ(op.status, PVABI_OK);
    EXPECT_STREQ(static_cast<const char*>(reader.host_address(other.va_of(dest_pfn).value() + 16)), "copied bytes");
    op.dest.offset = 4090;  // past the end of the page
    EXPECT_EQ(pv_grant_copy(&op, 1), PVABI_EINVAL);
    EXPECT_EQ(op.status, PVABI_EINVAL);
  }
  binding().use_vcpu(0);
  ASSERT_EQ(pv_init(binding().start_info()), PVABI_OK);
}

TEST_F(GrantTest, BatchesReturnTheFirstFailingItem) {
  HypercallRecorder rec(binding());
  rec.answer = [&](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr != PVABI_HC_GRANT_TABLE_OP) return std::nullopt;
    auto ops = rec.read<std::array<pvabi_gnttab_unmap_grant_ref, 3>>(c.args[1]);
    ops[0].status = PVABI_OK;
    ops[1].status = PVABI_ENOENT;
    ops[2].status = PVABI_EINVAL;
    rec.write(c.args[1], ops);
    return PVABI_OK;
  };
  pvabi_gnttab_unmap_grant_ref ops[3] = {};
  EXPECT_EQ(pv_grant_unmap(ops, 3), PVABI_ENOENT);
  EXPECT_EQ(ops[2].status, PVABI_EINVAL);  // every item's status is copied back
  EXPECT_EQ(pv_grant_map(nullptr, PVABI_GNTTAB_BATCH_MAX + 1), PVABI_E2BIG);
  EXPECT_EQ(rec.calls.size(), 1u);
}

struct Request {
  uint64_t id;
};
struct Response {
  uint64_t id;
  int64_t status;
};

TEST(RingTest, RequestsAndResponsesGoRound) {
  alignas(64) static uint8_t page[PVABI_PAGE_SIZE];
  pv_ring front, back;
  ASSERT_EQ(pv_ring_front_init(&front, page, sizeof page, sizeof(Response)), PVABI_OK);
  EXPECT_EQ(pv_ring_back_attach(&back, page, sizeof page, sizeof(Request)), PVABI_EINVAL);  // slot size differs
  ASSERT_EQ(pv_ring_back_attach(&back, page, sizeof page, sizeof(Response)), PVABI_OK);
  const uint32_t slots = front.shared->slots;
  EXPECT_EQ(slots, 128u);  // (4096 - 64) / 16, rounded down to a power of two

  EXPECT_EQ(pv_ring_front_peek_response(&front), nullptr);
  static_cast<Request*>(pv_ring_front_request_slot(&front))->id = 1;
  EXPECT_TRUE(pv_ring_front_push(&front));  // the backend asked for the first request
  const auto* req = static_cast<const Request*>(pv_ring_back_peek_request(&back));
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->id, 1u);
  pv_ring_back_pop_request(&back);
  EXPECT_EQ(pv_ring_back_peek_request(&back), nullptr);  // and asks for the next one
  auto* rsp = static_cast<Response*>(pv_ring_back_response_slot(&back));
  ASSERT_NE(rsp, nullptr);
  *rsp = Response{1, 0};
  EXPECT_EQ(pv_ring_back_response_slot(&back), nullptr);  // every request taken is answered
  EXPECT_TRUE(pv_ring_back_push(&back));
  const auto* got = static_cast<const Response*>(pv_ring_front_peek_response(&front));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->id, 1u);
  pv_ring_front_pop_response(&front);

  // Two requests published while the backend has not looked: one event.
  static_cast<Request*>(pv_ring_front_request_slot(&front))->id = 2;
  EXPECT_TRUE(pv_ring_front_push(&front));
  static_cast<Request*>(pv_ring_front_request_slot(&front))->id = 3;
  EXPECT_FALSE(pv_ring_front_push(&front));
}

TEST(RingTest, AFullRingRefusesMoreRequests) {
  alignas(64) static uint8_t page[PVABI_PAGE_SIZE];
  pv_ring front;
  ASSERT_EQ(pv_ring_front_init(&front, page, sizeof page, 64), PVABI_OK);
  const uint32_t slots = front.shared->slots;
  for (uint32_t i = 0; i < slots; ++i) ASSERT_NE(pv_ring_front_request_slot(&front), nullptr);
  EXPECT_EQ(pv_ring_front_request_slot(&front), nullptr);
}

TEST(RingTest, LayoutChecks) {
  alignas(64) static uint8_t page[PVABI_PAGE_SIZE];
  pv_ring r;
  EXPECT_EQ(pv_ring_front_init(&r, page, sizeof page, 12), PVABI_EINVAL);
  EXPECT_EQ(pv_ring_front_init(&r, page, 64, 8), PVABI_EINVAL);  // no slot fits
  ASSERT_EQ(pv_ring_front_init(&r, page, sizeof page, 8), PVABI_OK);
  reinterpret_cast<pvabi_ring_header*>(page)->slots = 3;
  EXPECT_EQ(pv_ring_back_attach(&r, page, sizeof page, 8), PVABI_EINVAL);
}

}  // namespace
}  // namespace libpv::testing
