// libpv/backend/native/native.h: the parts of the native backend, each doing
// on bare hardware what one hypercall would (libpv/native.h lists which).
// Each takes the hypercall's raw arguments and returns its status.
#ifndef LIBPV_BACKEND_NATIVE_NATIVE_H
#define LIBPV_BACKEND_NATIVE_NATIVE_H

#include <pvabi/pvabi.h>

namespace libpv::native {

// Physical memory as the kernel's direct map shows it.
[[nodiscard]] bool frame_ok(uint64_t frame);
[[nodiscard]] void* direct_map(uint64_t paddr);

void console_init();
[[nodiscard]] int64_t console_io(uint64_t cmd, uint64_t buf, uint64_t len);

[[nodiscard]] int64_t mmu_update(uint64_t list, uint64_t count, uint64_t done, uint64_t domid);
[[nodiscard]] int64_t mmuext_op(uint64_t list, uint64_t count, uint64_t done, uint64_t domid);
[[nodiscard]] int64_t update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags);

}  // namespace libpv::native

#endif  // LIBPV_BACKEND_NATIVE_NATIVE_H
