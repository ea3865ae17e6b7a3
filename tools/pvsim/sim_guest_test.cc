#include "sim_guest.h"

#include <libpv/init.h>

#include <vector>

#include "gtest/gtest.h"
#include "hv-core/core/invariants.h"
#include "hv-core/core/platform.h"
#include "hv-core/platform/host/host_platform.h"

namespace pvsim {
namespace {

class SimGuestTest : public ::testing::Test {
 protected:
  void SetUp() override { hv::host::init_machine(hv::host::MachineConfig{}); }
  void TearDown() override {
    const hv::InvariantReport report = hv::check_invariants();
    EXPECT_TRUE(report.ok()) << report.first.c_str();
    hv::host::reset_machine();
  }

  static std::function<void(uint32_t)> into(std::vector<uint32_t>* ports) {
    return [ports](uint32_t port) { ports->push_back(port); };
  }

  SimOptions options_;
};

// libpv holds one guest's state at a time; each SimGuest must scan its own
// shared info page with its own handler table even after another guest
// used libpv last.
TEST_F(SimGuestTest, EachGuestScansItsOwnEvents) {
  SimGuest a("a", 32, options_);
  SimGuest b("b", 32, options_);
  // A timer port first, so b's end of the channel has another number than a's.
  ASSERT_EQ(b.bind_virq(PVABI_VIRQ_TIMER), 1);
  const int64_t a_port = a.alloc_unbound(b.domain().id.value());
  ASSERT_EQ(a_port, 1);
  const int64_t b_port = b.bind_interdomain(a.domain().id.value(), static_cast<uint32_t>(a_port));
  ASSERT_EQ(b_port, 2);
  a.unmask_upcalls();
  b.unmask_upcalls();

  ASSERT_EQ(a.send(static_cast<uint32_t>(a_port)), PVABI_OK);
  std::vector<uint32_t> got_a, got_b;
  EXPECT_EQ(a.scan_events(into(&got_a)), 0);
  EXPECT_EQ(b.scan_events(into(&got_b)), 1);
  EXPECT_EQ(got_b, std::vector<uint32_t>{2});

  ASSERT_EQ(b.send(static_cast<uint32_t>(b_port)), PVABI_OK);
  EXPECT_EQ(b.scan_events(into(&got_b)), 0);
  EXPECT_EQ(a.scan_events(into(&got_a)), 1);
  EXPECT_EQ(got_a, std::vector<uint32_t>{1});
}

// Every hypercall, the ones libpv makes included, costs the simulated
// hypercall time.
TEST_F(SimGuestTest, LibpvHypercallsCostSimulatedTime) {
  options_.hypercall_ticks = 777;
  SimGuest g("g", 32, options_);
  const uint64_t calls = g.domain().stats.hypercalls;
  const uint64_t start = hv::platform::read_tsc();
  ASSERT_GT(g.bind_virq(PVABI_VIRQ_TIMER), 0);
  ASSERT_EQ(g.set_timer(1000000), PVABI_OK);
  EXPECT_EQ(g.domain().stats.hypercalls - calls, 2u);
  EXPECT_EQ(hv::platform::read_tsc() - start, 2u * 777);
}

// The time sources come from this guest's shared info and run-state area.
TEST_F(SimGuestTest, TimeSourcesAdvanceWithTheSimulatedClock) {
  SimGuest g("g", 32, options_);
  SimGuest other("other", 32, options_);
  const uint64_t before = g.system_time_ns();
  hv::host::advance_tsc(5000);
  EXPECT_GE(g.system_time_ns(), before + 5000);
  EXPECT_GT(g.wall_clock_sec(), 0u);
  EXPECT_EQ(g.running_ns(), 0u);  // never scheduled
  EXPECT_EQ(g.counters().refusals, 0u);
}

// A guest destroyed while current leaves libpv as before pv_init, not
// pointing into a freed domain.
TEST_F(SimGuestTest, DestroyingTheCurrentGuestUninitialisesLibpv) {
  auto g = std::make_unique<SimGuest>("g", 32, options_);
  (void)g->system_time_ns();
  ASSERT_NE(pv_shared_info(), nullptr);
  g.reset();
  EXPECT_EQ(pv_shared_info(), nullptr);
}

}  // namespace
}  // namespace pvsim
