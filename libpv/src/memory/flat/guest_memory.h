// libpv/src/memory/flat/guest_memory.h: guest memory as a real guest kernel
// sees it: a pointer is its guest-virtual address. Chosen by include path
// for the pv and native backends; every function is the identity.
#ifndef LIBPV_SRC_MEMORY_GUEST_MEMORY_H
#define LIBPV_SRC_MEMORY_GUEST_MEMORY_H

#include <stddef.h>
#include <stdint.h>

namespace libpv {

// A buffer the hypervisor reads during the next hypercall.
[[nodiscard]] inline uint64_t arg_in(const void* p, size_t) { return reinterpret_cast<uintptr_t>(p); }
// A buffer the hypervisor may read and write during the next hypercall.
[[nodiscard]] inline uint64_t arg_out(void* p, size_t) { return reinterpret_cast<uintptr_t>(p); }
// Memory the hypervisor keeps using after the call (registered areas,
// multicall payloads).
[[nodiscard]] inline uint64_t guest_va(const void* p) { return reinterpret_cast<uintptr_t>(p); }
// Memory at a guest-virtual address the hypervisor or builder published
// (start info fields); valid at least to the end of its page.
template <typename T>
[[nodiscard]] inline T* guest_ptr(uint64_t va) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(va));
}

}  // namespace libpv

#endif  // LIBPV_SRC_MEMORY_GUEST_MEMORY_H
