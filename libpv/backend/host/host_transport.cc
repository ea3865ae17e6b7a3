// The host backend (libpv_host.a): hypercalls into hv-core on the bound
// vCPU, and the guest memory translation of memory/host/guest_memory.h.
#include "libpv_host.h"

#include <libpv/mmu.h>

#include "guest_memory.h"
#include "hv-core/core/hypercall.h"
#include "state.h"
#include "transport.h"

namespace libpv {
namespace {

// Non-canonical: the core answers PVABI_EFAULT for anything there.
constexpr uint64_t kNoAddress = 0x8000000000000000ull;
constexpr unsigned kMaxCopies = 8;

struct Copy {
  void* host;
  uint64_t va;
  size_t len;
  bool back;  // the hypervisor may write it: copy back after the call
};

struct HostState {
  const host::Binding* binding = nullptr;
  Copy copies[kMaxCopies] = {};
  unsigned nr_copies = 0;
  uint64_t scratch_used = 0;
  host::GuestState* current = nullptr;  // whose libpv state is in the global now
};

constinit HostState g_host;

const host::GuestMemory& memory() { return g_host.binding->memory; }

// Copies between host memory and guest memory a page at a time, since
// consecutive guest pages need not be consecutive host memory.
template <bool kToGuest>
bool copy_guest(uint64_t va, void* host, size_t len) {
  auto* bytes = static_cast<uint8_t*>(host);
  while (len > 0) {
    auto* at = static_cast<uint8_t*>(memory().to_host(memory().ctx, va));
    if (at == nullptr) return false;
    const size_t room = PVABI_PAGE_SIZE - (va & (PVABI_PAGE_SIZE - 1));
    const size_t chunk = len < room ? len : room;
    if constexpr (kToGuest) {
      __builtin_memcpy(at, bytes, chunk);
    } else {
      __builtin_memcpy(bytes, at, chunk);
    }
    va += chunk;
    bytes += chunk;
    len -= chunk;
  }
  return true;
}

// The guest address of [p, p + len) if it is guest memory that is
// contiguous in both address spaces; 0 otherwise.
uint64_t in_place(const void* p, size_t len) {
  const uint64_t va = memory().to_guest(memory().ctx, p);
  if (va == 0) return 0;
  const auto* bytes = static_cast<const uint8_t*>(p);
  for (size_t off = PVABI_PAGE_SIZE - (va & (PVABI_PAGE_SIZE - 1)); off < len; off += PVABI_PAGE_SIZE) {
    if (memory().to_guest(memory().ctx, bytes + off) != va + off) return 0;
  }
  return va;
}

uint64_t scoped(const void* p, size_t len, bool back) {
  if (p == nullptr) return 0;
  if (g_host.binding == nullptr) return kNoAddress;
  if (const uint64_t va = in_place(p, len); va != 0) return va;
  const host::Binding& b = *g_host.binding;
  const uint64_t offset = (g_host.scratch_used + 7) & ~uint64_t{7};
  if (g_host.nr_copies == kMaxCopies || len > b.scratch_bytes || offset > b.scratch_bytes - len) return kNoAddress;
  const uint64_t va = b.scratch_va + offset;
  if (!copy_guest<true>(va, const_cast<void*>(p), len)) return kNoAddress;
  g_host.copies[g_host.nr_copies++] = Copy{const_cast<void*>(p), va, len, back};
  g_host.scratch_used = offset + len;
  return va;
}

// After each hypercall: copy written buffers back, free the scratch area.
void release_copies() {
  for (unsigned i = 0; i < g_host.nr_copies; ++i) {
    const Copy& c = g_host.copies[i];
    if (c.back) copy_guest<false>(c.va, c.host, c.len);
  }
  g_host.nr_copies = 0;
  g_host.scratch_used = 0;
}

}  // namespace

uint64_t arg_in(const void* p, size_t len) { return scoped(p, len, false); }

uint64_t arg_out(void* p, size_t len) { return scoped(p, len, true); }

uint64_t guest_va(const void* p) {
  if (p == nullptr || g_host.binding == nullptr) return kNoAddress;
  const uint64_t va = memory().to_guest(memory().ctx, p);
  return va == 0 ? kNoAddress : va;
}

void* host_ptr(uint64_t va) { return g_host.binding == nullptr ? nullptr : memory().to_host(memory().ctx, va); }

namespace transport {

int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  const host::Binding* b = g_host.binding;
  if (b == nullptr || b->vcpu == nullptr) return PVABI_ENOSYS;
  const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
  int64_t rc = 0;
  if (b->hook == nullptr || !b->hook(b->hook_ctx, nr, args, &rc)) {
    rc = hv::hypercall(*b->vcpu, nr, hv::HypercallArgs{{a0, a1, a2, a3, a4, a5}});
  }
  release_copies();
  return rc;
}

uint64_t read_tsc() { return g_host.binding == nullptr ? 0 : memory().read_tsc(memory().ctx); }

uint64_t mfn_to_pfn(uint64_t mfn) {
  return g_host.binding == nullptr ? PV_INVALID_FRAME : memory().mfn_to_pfn(memory().ctx, mfn);
}

}  // namespace transport

namespace host {

void bind(const Binding* b) {
  g_host.binding = b;
  g_host.nr_copies = 0;
  g_host.scratch_used = 0;
}

GuestState::GuestState() {
  // Saved by plain copies: State is pointers and numbers.
  static_assert(__is_trivially_copyable(State) && sizeof(State) <= kBytes && alignof(State) <= 8);
  const State fresh{};
  __builtin_memcpy(saved_, &fresh, sizeof fresh);
}

GuestState::~GuestState() {
  if (g_host.current != this) return;
  g_host.current = nullptr;
  reset_state();
}

void GuestState::make_current() {
  if (g_host.current == this) return;
  if (g_host.current != nullptr) __builtin_memcpy(g_host.current->saved_, &state(), sizeof(State));
  __builtin_memcpy(&state(), saved_, sizeof(State));
  g_host.current = this;
}

}  // namespace host
}  // namespace libpv
