// hv-core/platform/host/core_test.h: the GoogleTest fixture for tests of the
// real core on the host platform. One machine per process; after every test
// the invariant checker runs, every domain is destroyed, and every frame must
// be free again, so each test also checks that references balance on all
// the paths it took (PV-MMU rule 10).
#ifndef HV_CORE_PLATFORM_HOST_CORE_TEST_H
#define HV_CORE_PLATFORM_HOST_CORE_TEST_H

#include <vector>

#include "gtest/gtest.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/invariants.h"
#include "hv-core/platform/host/host_platform.h"

namespace hv::host {

class CoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (frame_table().size() == 0) init_machine(MachineConfig{});
  }
  void SetUp() override { free_at_start_ = frame_table().free_frames(); }
  void TearDown() override {
    const InvariantReport report = check_invariants();
    EXPECT_TRUE(report.ok()) << report.first.c_str();
    reset_machine();
    EXPECT_EQ(frame_table().free_frames(), free_at_start_);
  }

 private:
  uint64_t free_at_start_ = 0;
};

// Every frame's owner, type, flags and counts, to show that a refused
// operation changed nothing. A TLB flush already done (kFrameStaleWritable
// cleared) is no change.
class FrameSnapshot {
 public:
  static FrameSnapshot take() {
    FrameSnapshot s;
    for (uint64_t i = 0; i < frame_table().size(); ++i) s.frames_.push_back(frame_table().info(Mfn{i}));
    return s;
  }
  bool operator==(const FrameSnapshot& o) const {
    if (frames_.size() != o.frames_.size()) return false;
    const uint8_t kept = static_cast<uint8_t>(~kFrameStaleWritable);
    for (size_t i = 0; i < frames_.size(); ++i) {
      const FrameInfo &a = frames_[i], &b = o.frames_[i];
      if (a.owner != b.owner || a.type != b.type || (a.flags & kept) != (b.flags & kept) ||
          a.type_count != b.type_count || a.ref_count != b.ref_count) {
        return false;
      }
    }
    return true;
  }

 private:
  std::vector<FrameInfo> frames_;
};

}  // namespace hv::host

#endif  // HV_CORE_PLATFORM_HOST_CORE_TEST_H
