// libpv/tests/host_guest_fixture.h: what the host unit tests share. Each
// test gets a fresh machine, one TestGuest and libpv bound to its vCPU 0 and
// initialised from its start info; a recorder shows the hypercalls libpv
// makes (and can answer for features hv-core does not offer yet).
#ifndef LIBPV_TESTS_HOST_GUEST_FIXTURE_H
#define LIBPV_TESTS_HOST_GUEST_FIXTURE_H

#include <libpv/libpv.h>

#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "hv-core/core/domain.h"
#include "hv-core/platform/host/test_guest.h"
#include "test_guest_binding.h"

namespace libpv::testing {

class HostGuestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;
  void TearDown() override;
  virtual hv::host::TestGuestConfig config() const { return {}; }

  hv::host::TestGuest& guest() { return *guest_; }
  host::TestGuestBinding& binding() { return *binding_; }
  hv::Domain& domain() { return guest_->domain(); }
  uint64_t hypercalls() { return domain().stats.hypercalls; }
  // The machine address of the L1 entry mapping `pfn` in the builder's linear map.
  uint64_t l1_entry(uint64_t pfn);
  // A page-table entry (or any 8 bytes) of machine memory.
  static uint64_t read_machine(uint64_t maddr);

  std::unique_ptr<hv::host::TestGuest> guest_;
  std::unique_ptr<host::TestGuestBinding> binding_;
};

// Skips the rest of a test when hv-core answers "not supported" for an
// operation whose subsystem is not in this tree yet.
#define SKIP_IF_ENOSYS(rc, what)                                                      \
  if ((rc) == PVABI_ENOSYS) GTEST_SKIP() << what << ": hv-core answers PVABI_ENOSYS"

// Records each hypercall with its translated arguments while it lives;
// `answer` may answer a call instead of hv-core (std::nullopt passes it on).
class HypercallRecorder {
 public:
  struct Call {
    uint64_t nr;
    uint64_t args[6];
  };

  explicit HypercallRecorder(host::TestGuestBinding& b);
  ~HypercallRecorder();

  // A copy of the T at guest address va (within one page).
  template <typename T>
  T read(uint64_t va) {
    T value;
    std::memcpy(&value, binding_.host_address(va), sizeof value);
    return value;
  }
  template <typename T>
  void write(uint64_t va, const T& value) {
    std::memcpy(binding_.host_address(va), &value, sizeof value);
  }

  std::vector<Call> calls;
  std::function<std::optional<int64_t>(const Call&)> answer;

 private:
  static bool hook(void* ctx, uint64_t nr, const uint64_t (&args)[6], int64_t* result);
  host::TestGuestBinding& binding_;
};

}  // namespace libpv::testing

#endif  // LIBPV_TESTS_HOST_GUEST_FIXTURE_H
