// libpv/src/memory/host/guest_memory.h: guest memory seen from a host
// process (libpv_host.a): the guest's memory is simulated machine memory, so
// pointers are translated, and call-scoped buffers outside it are copied
// through a scratch area (backend/host/host_transport.cc). Same interface
// as memory/flat/guest_memory.h, chosen by include path.
#ifndef LIBPV_SRC_MEMORY_GUEST_MEMORY_H
#define LIBPV_SRC_MEMORY_GUEST_MEMORY_H

#include <stddef.h>
#include <stdint.h>

namespace libpv {

[[nodiscard]] uint64_t arg_in(const void* p, size_t len);
[[nodiscard]] uint64_t arg_out(void* p, size_t len);
[[nodiscard]] uint64_t guest_va(const void* p);
[[nodiscard]] void* host_ptr(uint64_t va);

template <typename T>
[[nodiscard]] inline T* guest_ptr(uint64_t va) {
  return static_cast<T*>(host_ptr(va));
}

}  // namespace libpv

#endif  // LIBPV_SRC_MEMORY_GUEST_MEMORY_H
