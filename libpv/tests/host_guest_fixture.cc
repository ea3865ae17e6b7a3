#include "host_guest_fixture.h"

#include "hv-core/core/guest_access.h"
#include "hv-core/core/invariants.h"
#include "hv-core/core/platform.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {

void HostGuestTest::SetUpTestSuite() {
  static bool ready = false;
  if (!ready) hv::host::init_machine(hv::host::MachineConfig{});
  ready = true;
}

void HostGuestTest::SetUp() {
  guest_ = std::make_unique<hv::host::TestGuest>("libpv", config());
  binding_ = std::make_unique<host::TestGuestBinding>(*guest_);
  ASSERT_EQ(pv_init(binding_->start_info()), PVABI_OK);
}

void HostGuestTest::TearDown() {
  const hv::InvariantReport report = hv::check_invariants();
  EXPECT_TRUE(report.ok()) << report.first.c_str();
  binding_.reset();
  guest_.reset();
  hv::host::reset_machine();
}

uint64_t HostGuestTest::l1_entry(uint64_t pfn) {
  const hv::Result<hv::L1Slot> s = hv::find_l1_slot(guest_->vcpu(), guest_->va_of(pfn));
  EXPECT_TRUE(s.is_ok());
  return s.value.table.address().value() + s.value.slot * 8;
}

uint64_t HostGuestTest::read_machine(uint64_t maddr) {
  uint64_t value;
  std::memcpy(&value, hv::platform::frame_memory(hv::Mfn{maddr >> PVABI_PAGE_SHIFT}) + (maddr & 4095), 8);
  return value;
}

HypercallRecorder::HypercallRecorder(host::TestGuestBinding& b) : binding_(b) { binding_.set_hook(hook, this); }

HypercallRecorder::~HypercallRecorder() { binding_.set_hook(nullptr, nullptr); }

bool HypercallRecorder::hook(void* ctx, uint64_t nr, const uint64_t (&args)[6], int64_t* result) {
  auto* self = static_cast<HypercallRecorder*>(ctx);
  Call c{nr, {}};
  std::memcpy(c.args, args, sizeof c.args);
  self->calls.push_back(c);
  if (!self->answer) return false;
  const std::optional<int64_t> a = self->answer(c);
  if (a) *result = *a;
  return a.has_value();
}

}  // namespace libpv::testing
