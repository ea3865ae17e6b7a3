// libpv/backend/host/test_guest_binding.h: libpv bound to a vCPU of an
// hv::host::TestGuest, for unit tests and pvsim (pv_host_test_guest).
//
//     hv::host::TestGuest g("dom");
//     libpv::host::TestGuestBinding b(g);       // binds; unbinds when destroyed
//     ASSERT_EQ(pv_init(b.start_info()), PVABI_OK);
//     auto* area = b.alloc<pvabi_runstate_info>();  // guest memory
#ifndef LIBPV_BACKEND_HOST_TEST_GUEST_BINDING_H
#define LIBPV_BACKEND_HOST_TEST_GUEST_BINDING_H

#include <pvabi/pvabi.h>

#include "hv-core/platform/host/test_guest.h"
#include "libpv_host.h"

namespace libpv::host {

class TestGuestBinding {
 public:
  static constexpr uint64_t kScratchBytes = 160 * 1024;  // room for the largest copied batch

  // scratch_bytes of the guest's memory hold copied buffers: a small guest
  // that passes only small host buffers can take less.
  explicit TestGuestBinding(hv::host::TestGuest& guest, uint32_t vcpu = 0,
                            uint64_t scratch_bytes = kScratchBytes);
  ~TestGuestBinding();
  TestGuestBinding(const TestGuestBinding&) = delete;
  TestGuestBinding& operator=(const TestGuestBinding&) = delete;

  // Runs libpv as another vCPU of the same guest.
  void use_vcpu(uint32_t vcpu);
  // Lets `hook` see (and answer) each hypercall first; nullptr removes it.
  void set_hook(HypercallHook hook, void* ctx);
  hv::host::TestGuest& guest() { return guest_; }
  const pvabi_start_info* start_info() { return host<pvabi_start_info>(guest_.layout().start_info); }

  // The host address of guest-virtual va (valid to the end of its page), or nullptr.
  void* host_address(uint64_t va);
  template <typename T>
  T* host(hv::Gva va) {
    return static_cast<T*>(host_address(va.value()));
  }
  // The guest-virtual address of a host pointer into the guest's memory, or 0.
  uint64_t guest_address(const void* p);

  // Guest memory for objects that must be guest memory, zeroed, within one
  // page (so one host pointer reaches all of it).
  void* alloc_bytes(size_t bytes, size_t align = 8);
  template <typename T>
  T* alloc(size_t count = 1) {
    return static_cast<T*>(alloc_bytes(sizeof(T) * count, alignof(T) < 8 ? 8 : alignof(T)));
  }
  // A whole free frame of the guest, mapped writable: its address and frame.
  void* alloc_page(uint64_t* mfn);

 private:
  hv::host::TestGuest& guest_;
  Binding binding_;
};

}  // namespace libpv::host

#endif  // LIBPV_BACKEND_HOST_TEST_GUEST_BINDING_H
