// pv_init and the start info checks (libpv/init.h), and the raw hypercall.
#include <libpv/init.h>

#include <cstring>

#include "host_guest_fixture.h"
#include "hv-core/core/version.h"

namespace libpv::testing {
namespace {

class InitTest : public HostGuestTest {
 protected:
  pvabi_start_info copy() { return *binding().start_info(); }
};

TEST_F(InitTest, RecordsWhatTheBuilderAndHypervisorSaid) {
  EXPECT_EQ(pv_start_info(), binding().start_info());
  EXPECT_EQ(pv_shared_info(), binding().host<pvabi_shared_info>(guest().layout().shared_info));
  EXPECT_EQ(pv_vcpu_info(0), &pv_shared_info()->vcpu_info[0]);
  EXPECT_EQ(pv_vcpu_info(PVABI_SHARED_INFO_VCPUS), nullptr);
  EXPECT_EQ(pv_interface_version(), static_cast<uint32_t>(PVABI_INTERFACE_VERSION));
  EXPECT_EQ(pv_feature_word(0), hv::feature_word(0));
  EXPECT_EQ(pv_feature_word(PVABI_FEATURE_WORDS), 0u);
  EXPECT_EQ(pv_limits()->max_mmu_batch, static_cast<uint32_t>(PVABI_MMU_BATCH_MAX));
  EXPECT_EQ(pv_limits()->m2p_virt_start, PVABI_M2P_VIRT_START);
}

TEST_F(InitTest, FeatureWordIsTheHypervisors) {
  HypercallRecorder rec(binding());
  rec.answer = [&](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr != PVABI_HC_VERSION || c.args[0] != PVABI_VERSION_OP_GET_FEATURES) return std::nullopt;
    rec.write(c.args[1], pvabi_feature_query{0, PVABI_FEATURE0_EVENT_QUEUE | PVABI_FEATURE0_NX});
    return PVABI_OK;
  };
  ASSERT_EQ(pv_init(binding().start_info()), PVABI_OK);
  EXPECT_EQ(pv_feature_word(0), PVABI_FEATURE0_EVENT_QUEUE | PVABI_FEATURE0_NX);
}

TEST_F(InitTest, AnotherMajorVersionIsNotSupported) {
  HypercallRecorder rec(binding());
  rec.answer = [](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr == PVABI_HC_VERSION && c.args[0] == PVABI_VERSION_OP_GET) return PVABI_MAKE_VERSION(2, 0);
    return std::nullopt;
  };
  EXPECT_EQ(pv_init(binding().start_info()), PVABI_ENOSYS);
  EXPECT_EQ(pv_shared_info(), nullptr);  // left uninitialised
}

TEST_F(InitTest, NoHypervisorLeavesLibpvUninitialised) {
  host::bind(nullptr);
  EXPECT_EQ(pv_init(binding().start_info()), PVABI_ENOSYS);
  EXPECT_EQ(pv_start_info(), nullptr);
  EXPECT_EQ(pv_interface_version(), 0u);
  binding().use_vcpu(0);
}

TEST_F(InitTest, StartInfoCheckRefusesWhatItCannotUse) {
  EXPECT_EQ(pv_start_info_check(binding().start_info()), PVABI_OK);
  EXPECT_EQ(pv_start_info_check(nullptr), PVABI_EINVAL);
  const std::vector<std::pair<const char*, std::function<void(pvabi_start_info&)>>> breaks = {
      {"magic", [](pvabi_start_info& s) { s.magic[0] = 'x'; }},
      {"nr_pages", [](pvabi_start_info& s) { s.nr_pages = 0; }},
      {"first_free_pfn", [](pvabi_start_info& s) { s.first_free_pfn = s.nr_pages + 1; }},
      {"nr_vcpus", [](pvabi_start_info& s) { s.nr_vcpus = 0; }},
      {"shared_info_va", [](pvabi_start_info& s) { s.shared_info_va += 8; }},
      {"hypercall_page_va", [](pvabi_start_info& s) { s.hypercall_page_va = 0; }},
      {"p2m_list_va", [](pvabi_start_info& s) { s.p2m_list_va += 1; }},
      {"module", [](pvabi_start_info& s) { s.module_va = 0, s.module_len = 10; }},
      {"name", [](pvabi_start_info& s) { std::memset(s.name, 'a', sizeof s.name); }},
      {"cmdline", [](pvabi_start_info& s) { std::memset(s.cmdline, 'a', sizeof s.cmdline); }},
  };
  for (const auto& [what, spoil] : breaks) {
    pvabi_start_info si = copy();
    spoil(si);
    EXPECT_EQ(pv_start_info_check(&si), PVABI_EINVAL) << what;
    EXPECT_EQ(pv_init(&si), PVABI_EINVAL) << what;
  }
  pvabi_start_info newer = copy();
  newer.abi_version = PVABI_MAKE_VERSION(2, 0);
  EXPECT_EQ(pv_start_info_check(&newer), PVABI_ENOSYS);
  pvabi_start_info minor = copy();
  minor.abi_version = PVABI_MAKE_VERSION(1, 7);  // minor versions only add
  EXPECT_EQ(pv_start_info_check(&minor), PVABI_OK);
}

TEST_F(InitTest, RawHypercallReachesTheHypervisor) {
  EXPECT_EQ(pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0), PVABI_INTERFACE_VERSION);
  EXPECT_EQ(pv_hypercall0(PVABI_HC_COUNT), PVABI_ENOSYS);
  EXPECT_EQ(pv_hypercall1(PVABI_HC_SET_TIMER_OP, 0), PVABI_OK);  // cancel the timer
  const uint64_t pfn = guest().take_pfn();
  std::memcpy(pv_pfn_to_virt(pfn), "raw", 3);  // raw calls take guest addresses as they are
  EXPECT_EQ(pv_hypercall3(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, guest().va_of(pfn).value(), 3), 3);
  EXPECT_EQ(pv_hypercall4(PVABI_HC_MMU_UPDATE, 0, 0, 0, PVABI_DOMID_SELF), PVABI_OK);  // an empty batch
  EXPECT_EQ(pv_hypercall4(PVABI_HC_MMU_UPDATE, 0, PVABI_MMU_BATCH_MAX + 1, 0, PVABI_DOMID_SELF), PVABI_E2BIG);
}

}  // namespace
}  // namespace libpv::testing
