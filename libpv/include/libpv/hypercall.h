/*
 * libpv/hypercall.h: the raw hypercall, for operations libpv has no helper
 * for. The pvabi headers' examples use these names.
 *
 *     int64_t v = pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0);
 *
 * Pointer arguments are guest-virtual addresses: cast a kernel pointer with
 * (uint64_t)(uintptr_t)p. The call goes to the backend libpv was linked
 * with: the hypercall page (libpv_pv.a), the ring-0 implementation
 * (libpv_native.a) or the host core (libpv_host.a).
 */
#ifndef LIBPV_HYPERCALL_H
#define LIBPV_HYPERCALL_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_hypercall: hypercall `nr` with six arguments (unused ones 0).
 * out: the status in rax (pvabi/status.h): >= 0 success, < 0 a PVABI_E*.
 * status: PVABI_ENOSYS for an nr the hypervisor (or backend) does not know.
 */
int64_t pv_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5);

PV_END_DECLS

/** pv_hypercall0, pv_hypercall1, pv_hypercall2, pv_hypercall3, pv_hypercall4: pv_hypercall with
 * that many arguments, the rest 0; same returns. */
static inline int64_t pv_hypercall0(uint64_t nr) { return pv_hypercall(nr, 0, 0, 0, 0, 0, 0); }
static inline int64_t pv_hypercall1(uint64_t nr, uint64_t a0) {
  return pv_hypercall(nr, a0, 0, 0, 0, 0, 0);
}
static inline int64_t pv_hypercall2(uint64_t nr, uint64_t a0, uint64_t a1) {
  return pv_hypercall(nr, a0, a1, 0, 0, 0, 0);
}
static inline int64_t pv_hypercall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2) {
  return pv_hypercall(nr, a0, a1, a2, 0, 0, 0);
}
static inline int64_t pv_hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                    uint64_t a3) {
  return pv_hypercall(nr, a0, a1, a2, a3, 0, 0);
}

#endif /* LIBPV_HYPERCALL_H */
