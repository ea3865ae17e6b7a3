#include "test_guest_binding.h"

#include <cstring>

#include "hv-core/core/frame_table.h"
#include "hv-core/core/guest_access.h"
#include "hv-core/core/platform.h"

namespace libpv::host {
namespace {

hv::host::TestGuest& guest_of(void* ctx) { return *static_cast<hv::host::TestGuest*>(ctx); }

void* guest_to_host(void* ctx, uint64_t va) {
  const hv::Result<hv::Maddr> m = hv::translate(guest_of(ctx).vcpu(0), hv::Gva{va}, false);
  if (!m.is_ok()) return nullptr;
  return hv::platform::frame_memory(m.value.frame()) + m.value.page_offset();
}

// Machine memory is one host allocation: the frame is the offset, and the
// guest address comes from the frame's pseudo-physical number, checked
// against the guest's own page tables.
uint64_t host_to_guest(void* ctx, const void* p) {
  hv::host::TestGuest& g = guest_of(ctx);
  const auto* base = hv::platform::frame_memory(hv::Mfn{0});
  const auto* bytes = static_cast<const uint8_t*>(p);
  if (bytes < base || bytes >= base + hv::platform::machine_frames() * PVABI_PAGE_SIZE) return 0;
  const hv::Mfn mfn{static_cast<uint64_t>(bytes - base) / PVABI_PAGE_SIZE};
  const uint64_t offset = static_cast<uint64_t>(bytes - base) % PVABI_PAGE_SIZE;
  if (hv::frame_table().info(mfn).owner != g.domain().id.value()) return 0;
  const uint64_t page = mfn == g.domain().shared_info_frame ? g.layout().shared_info.value()
                                                             : g.va_of(hv::frame_table().m2p(mfn)).value();
  return guest_to_host(ctx, page) == bytes - offset ? page + offset : 0;
}

uint64_t core_m2p(void*, uint64_t mfn) {
  return mfn < hv::frame_table().size() ? hv::frame_table().m2p(hv::Mfn{mfn}) : PVABI_M2P_INVALID;
}

uint64_t core_tsc(void*) { return hv::platform::read_tsc(); }

}  // namespace

TestGuestBinding::TestGuestBinding(hv::host::TestGuest& guest, uint32_t vcpu, uint64_t scratch_bytes)
    : guest_(guest) {
  binding_.memory = GuestMemory{&guest_, host_to_guest, guest_to_host, core_m2p, core_tsc};
  binding_.scratch_va = guest_.alloc(scratch_bytes, PVABI_PAGE_SIZE).value();
  binding_.scratch_bytes = scratch_bytes;
  use_vcpu(vcpu);
}

TestGuestBinding::~TestGuestBinding() { bind(nullptr); }

void TestGuestBinding::use_vcpu(uint32_t vcpu) {
  binding_.vcpu = &guest_.vcpu(vcpu);
  bind(&binding_);
}

void TestGuestBinding::set_hook(HypercallHook hook, void* ctx) {
  binding_.hook = hook;
  binding_.hook_ctx = ctx;
}

void* TestGuestBinding::host_address(uint64_t va) { return guest_to_host(&guest_, va); }

uint64_t TestGuestBinding::guest_address(const void* p) { return host_to_guest(&guest_, p); }

void* TestGuestBinding::alloc_bytes(size_t bytes, size_t align) {
  HV_CHECK(bytes <= PVABI_PAGE_SIZE);
  hv::Gva va = guest_.alloc(bytes, align);
  if (va.page_offset() + bytes > PVABI_PAGE_SIZE) va = guest_.alloc(bytes, PVABI_PAGE_SIZE);
  void* p = host_address(va.value());
  HV_CHECK(p != nullptr);
  std::memset(p, 0, bytes);
  return p;
}

void* TestGuestBinding::alloc_page(uint64_t* mfn) {
  const uint64_t pfn = guest_.take_pfn();
  *mfn = guest_.mfn(pfn).value();
  void* p = host_address(guest_.va_of(pfn).value());
  std::memset(p, 0, PVABI_PAGE_SIZE);
  return p;
}

}  // namespace libpv::host
