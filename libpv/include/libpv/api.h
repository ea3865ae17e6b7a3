/*
 * libpv/api.h: the conventions every libpv header shares.
 *
 * libpv is the guest half of pvabi: a freestanding library with a C API that
 * a guest kernel links (Linux, a BSD, a Windows-style driver). Every function
 * is named pv_*. A function that can fail returns a pvabi status as an int
 * (pvabi/status.h): PVABI_OK, or a negative PVABI_E* value, which matches
 * -errno on Linux. Functions that return a count return it as a non-negative
 * value in the same place.
 *
 *     int rc = pv_init(start_info);
 *     if (rc == PVABI_ENOSYS) panic("hypervisor speaks another major version");
 *
 * libpv keeps no locks: per-CPU objects (an MMU queue, a multicall batch) are
 * used by one CPU at a time with preemption off, as a kernel uses per-CPU
 * data. It allocates nothing: storage is passed in by the caller.
 */
#ifndef LIBPV_API_H
#define LIBPV_API_H

#include <pvabi/pvabi.h>

/* Declarations are C (no name mangling) and the only symbols a shared build
 * of libpv exports. */
#ifdef __cplusplus
#define PV_BEGIN_DECLS extern "C" { _Pragma("GCC visibility push(default)")
#define PV_END_DECLS _Pragma("GCC visibility pop") }
#else
#define PV_BEGIN_DECLS _Pragma("GCC visibility push(default)")
#define PV_END_DECLS _Pragma("GCC visibility pop")
#endif

/* A status the caller must look at: ignoring it hides a failed operation. */
#define PV_NODISCARD __attribute__((warn_unused_result))

#endif /* LIBPV_API_H */
