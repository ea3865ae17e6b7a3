// hv-core/platform/host/test_guest.h: a domain built by the real domain
// builder, driven from host code as its guest kernel would drive it:
// hypercalls with arguments in its own memory.
//
//     hv::host::TestGuest g("dom1");
//     hv::Gva buf = g.put(pvabi_mmu_update{...});
//     EXPECT_EQ(g.call(PVABI_HC_MMU_UPDATE, buf.value(), 1, 0, PVABI_DOMID_SELF), PVABI_OK);
#ifndef HV_CORE_PLATFORM_HOST_TEST_GUEST_H
#define HV_CORE_PLATFORM_HOST_TEST_GUEST_H

#include <cstdint>
#include <functional>

#include "hv-core/core/domain.h"
#include "hv-core/core/domain_builder.h"
#include "hv-core/core/guest_access.h"

namespace hv::host {

struct TestGuestConfig {
  uint64_t frames = 256;
  uint32_t vcpus = 1;
  bool privileged = false;
};

class TestGuest {
 public:
  explicit TestGuest(const char* name, TestGuestConfig config = {});
  ~TestGuest();
  TestGuest(const TestGuest&) = delete;
  TestGuest& operator=(const TestGuest&) = delete;

  Domain& domain() { return *domain_; }
  Vcpu& vcpu(uint32_t i = 0) { return *domain_->vcpus[i]; }
  const BuildResult& layout() const { return layout_; }
  // Destroys the domain now (the destructor then does nothing).
  void destroy();
  // False once the domain was destroyed, here or by a hypercall (domctl).
  bool alive() const;

  int64_t call(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
               uint64_t a4 = 0, uint64_t a5 = 0);

  // Guest memory: a bump allocator over the free, writable part of the map.
  Gva alloc(uint64_t bytes, uint64_t align = 8);
  template <typename T>
  Gva put(const T& value) {
    const Gva at = alloc(sizeof(T), alignof(T) < 8 ? 8 : alignof(T));
    HV_CHECK(write_guest(vcpu(), at, value) == Status::kOk);
    return at;
  }
  template <typename T>
  T get(Gva at) {
    T value;
    HV_CHECK(read_guest(vcpu(), at, &value) == Status::kOk);
    return value;
  }

  // The pseudo-physical frames the builder set up (later growth not included).
  uint64_t pfns() const { return pfns_; }
  Mfn mfn(uint64_t pfn) const;
  Gva va_of(uint64_t pfn) const { return Gva{virt_base_ + pfn * PVABI_PAGE_SIZE}; }
  // A free frame filled by `fill` while still writable, then remapped
  // read-only so it can become a page table. Returns its machine frame.
  Mfn make_table_frame(const std::function<void(uint64_t* entries)>& fill);
  // The next free pfn (taken from the bump allocator's end).
  uint64_t take_pfn();

 private:
  Domain* domain_ = nullptr;
  DomId id_{0};
  uint64_t pfns_ = 0;
  BuildResult layout_{};
  uint64_t virt_base_ = 0;
  uint64_t next_free_ = 0;   // bump pointer, guest-virtual
  uint64_t last_pfn_ = 0;    // frames handed out by take_pfn come from the top
  Mfn* p2m_ = nullptr;
};

}  // namespace hv::host

#endif  // HV_CORE_PLATFORM_HOST_TEST_GUEST_H
