// hv-core/core/cpu_test_fixture.h: what cpu_test.cc and vcpu_test.cc share
// (tests only): a machine set up once, checked and reset after every test,
// and a snapshot of every frame's counts to show a refused call changed nothing.
#ifndef HV_CORE_CORE_CPU_TEST_FIXTURE_H
#define HV_CORE_CORE_CPU_TEST_FIXTURE_H

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "cpu.h"
#include "domain.h"
#include "frame_table.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "invariants.h"

namespace hv::cpu_test {

using host::TestGuest;
using U64s = std::initializer_list<uint64_t>;  // mixes ull literals and uint64_t constants

// Guest addresses: one no builder maps, one in the reserved range, one
// that is not canonical, and a handler address (it need not be mapped).
inline constexpr uint64_t kUnmapped = 0x1000;
inline constexpr uint64_t kReserved = PVABI_HV_VIRT_START + 0x1000;
inline constexpr uint64_t kNonCanonical = 0x0000800000000000ull;
inline constexpr uint64_t kHandler = 0xffffffff80123450ull;

// Descriptors (8-byte legacy format).
inline constexpr uint64_t kUserCode64 = 0x00affb000000ffffull;  // L, DPL 3
inline constexpr uint64_t kUserCode32 = 0x00cffb000000ffffull;  // D, DPL 3
inline constexpr uint64_t kUserData = 0x00cff3000000ffffull;    // DPL 3
inline constexpr uint64_t kKernelCode64 = 0x00af9b000000ffffull;  // DPL 0
inline constexpr uint64_t kKernelData = 0x00cf93000000ffffull;    // DPL 0
inline constexpr uint64_t kCallGate = 0x0000ec00e0081000ull;      // DPL 3, to 0xe008:...1000
inline constexpr uint64_t kGuestCs = PVABI_FLAT_CS64;
inline constexpr uint64_t kGuestSs = PVABI_FLAT_SS;

using host::FrameSnapshot;

class CpuFixture : public host::CoreTest {
 protected:

  // A frame holding `descs` from entry 0, untyped and mapped read-only.
  static Mfn descriptor_frame(TestGuest& g, const std::vector<uint64_t>& descs) {
    return g.make_table_frame([&](uint64_t* e) { std::copy(descs.begin(), descs.end(), e); });
  }
  static int64_t set_gdt(TestGuest& g, const std::vector<uint64_t>& frames, uint64_t entries) {
    const Gva list = g.alloc(frames.size() * 8 + 8);
    for (size_t i = 0; i < frames.size(); ++i) HV_CHECK(write_guest(g.vcpu(), list + i * 8, frames[i]) == Status::kOk);
    return g.call(PVABI_HC_SET_GDT, list.value(), entries);
  }
  static const FrameInfo& info(Mfn f) { return frame_table().info(f); }
};

}  // namespace hv::cpu_test

#endif  // HV_CORE_CORE_CPU_TEST_FIXTURE_H
