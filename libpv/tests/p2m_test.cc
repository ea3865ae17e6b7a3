// Pseudo-physical <-> machine translation (libpv/mmu.h).
#include <libpv/mmu.h>

#include "host_guest_fixture.h"

namespace libpv::testing {
namespace {

using P2mTest = HostGuestTest;

TEST_F(P2mTest, PfnToMfnFollowsTheBuildersList) {
  for (uint64_t pfn = 0; pfn < guest().pfns(); ++pfn) {
    ASSERT_EQ(pv_pfn_to_mfn(pfn), guest().mfn(pfn).value()) << pfn;
    ASSERT_EQ(pv_mfn_to_pfn(guest().mfn(pfn).value()), pfn) << pfn;
  }
  EXPECT_EQ(pv_pfn_to_mfn(guest().pfns()), PV_INVALID_FRAME);
  EXPECT_EQ(pv_mfn_to_pfn(pv_limits()->m2p_entries), PV_INVALID_FRAME);
}

TEST_F(P2mTest, AddressesKeepTheirPageOffset) {
  const uint64_t paddr = (5ull << PVABI_PAGE_SHIFT) | 0x123;
  const uint64_t maddr = pv_phys_to_machine(paddr);
  EXPECT_EQ(maddr, (guest().mfn(5).value() << PVABI_PAGE_SHIFT) | 0x123);
  EXPECT_EQ(pv_machine_to_phys(maddr), paddr);
  EXPECT_EQ(pv_phys_to_machine(guest().pfns() << PVABI_PAGE_SHIFT), PV_INVALID_FRAME);
}

TEST_F(P2mTest, VirtualAddressesOfTheLinearMap) {
  const uint64_t pfn = guest().take_pfn();
  void* p = pv_pfn_to_virt(pfn);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(binding().guest_address(p), guest().va_of(pfn).value());
  EXPECT_EQ(pv_virt_to_pfn(static_cast<char*>(p) + 100), pfn);
  EXPECT_EQ(pv_virt_to_mfn(p), guest().mfn(pfn).value());
  EXPECT_EQ(pv_pfn_to_virt(guest().pfns()), nullptr);
  int not_guest_memory = 0;
  EXPECT_EQ(pv_virt_to_pfn(&not_guest_memory), PV_INVALID_FRAME);
}

TEST_F(P2mTest, TheP2mListCanBeRewritten) {
  const uint64_t a = guest().take_pfn(), b = guest().take_pfn();
  const uint64_t ma = pv_pfn_to_mfn(a), mb = pv_pfn_to_mfn(b);
  EXPECT_EQ(pv_p2m_set(a, mb), PVABI_OK);
  EXPECT_EQ(pv_p2m_set(b, ma), PVABI_OK);
  EXPECT_EQ(pv_pfn_to_mfn(a), mb);
  EXPECT_EQ(pv_pfn_to_mfn(b), ma);
  EXPECT_EQ(pv_p2m_set(guest().pfns(), ma), PVABI_ERANGE);
}

}  // namespace
}  // namespace libpv::testing
