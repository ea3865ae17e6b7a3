// hv-core/core/base.h: what every part of the portable core uses: the ABI's
// strong types and statuses, Result, the checked panic, and allocation
// through the platform.
//
// The core is freestanding C++: no exceptions, no RTTI, no libc beyond
// memcpy/memset, no libstdc++ runtime. Guest-caused conditions return a
// Status; broken internal invariants stop the hypervisor with HV_CHECK.
#ifndef HV_CORE_CORE_BASE_H
#define HV_CORE_CORE_BASE_H

#include <stddef.h>
#include <stdint.h>

#include <new>

#include "platform.h"
#include "pvabi/pvabi.hpp"

namespace hv {

using pvabi::DomId;
using pvabi::Gva;
using pvabi::Maddr;
using pvabi::Mfn;
using pvabi::Pfn;
using pvabi::Port;
using pvabi::Pte;
using pvabi::Status;
using pvabi::VcpuId;

// A status, and a value when the status is kOk.
template <typename T>
struct [[nodiscard]] Result {
  Status status;
  T value;
  static Result ok(T v) { return Result{Status::kOk, v}; }
  static Result error(Status s) { return Result{s, T{}}; }
  bool is_ok() const { return status == Status::kOk; }
};

[[nodiscard]] inline int64_t raw(Status s) { return static_cast<int64_t>(s); }

// Internal invariants: a failure is a hypervisor bug, never a guest's doing.
#define HV_CHECK(cond)                                                        \
  do {                                                                        \
    if (__builtin_expect(!(cond), 0)) ::hv::platform::panic(__FILE__, __LINE__, #cond); \
  } while (0)

// Objects of the core live in platform memory, zeroed, constructed in place.
template <typename T, typename... Args>
T* create(Args&&... args) {
  void* p = platform::alloc_zeroed(sizeof(T));
  return p == nullptr ? nullptr : new (p) T(static_cast<Args&&>(args)...);
}

template <typename T>
void destroy(T* p) {
  if (p == nullptr) return;
  p->~T();
  platform::free(p, sizeof(T));
}

template <typename T>
T* create_array(size_t n) {
  void* p = platform::alloc_zeroed(sizeof(T) * n);
  if (p == nullptr) return nullptr;
  T* a = static_cast<T*>(p);
  for (size_t i = 0; i < n; ++i) new (&a[i]) T();
  return a;
}

template <typename T>
void destroy_array(T* a, size_t n) {
  if (a == nullptr) return;
  for (size_t i = 0; i < n; ++i) a[i].~T();
  platform::free(a, sizeof(T) * n);
}

inline void copy_bytes(void* dst, const void* src, size_t n) { __builtin_memcpy(dst, src, n); }
inline void zero_bytes(void* dst, size_t n) { __builtin_memset(dst, 0, n); }

}  // namespace hv

#endif  // HV_CORE_CORE_BASE_H
