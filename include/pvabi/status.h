/*
 * pvabi/status.h: the status every hypercall returns in rax.
 *
 * Zero or a positive value is success (some calls return a count or a version
 * there); a failure is one of the small negative numbers below. They match
 * Linux errno values, so a port can pass them on as -errno unchanged.
 *
 *     int64_t rc = pv_hypercall2(PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, ...);
 *     if (rc == PVABI_ENOSYS) use_fallback();
 *
 * Unless an operation says otherwise, a failure leaves all hypervisor and
 * guest state as it was before the call. Batched operations (mmu_update,
 * mmuext_op, multicall, grant_table_op) say exactly which items were performed.
 */
#ifndef PVABI_STATUS_H
#define PVABI_STATUS_H

#include <pvabi/base.h>

#define PVABI_OK 0
/* Not allowed: the caller lacks the privilege, or does not own the object. */
#define PVABI_EPERM (-1)
/* No such object: port, grant reference, pinned table, mapping. */
#define PVABI_ENOENT (-2)
/* No such domain or vCPU. */
#define PVABI_ESRCH (-3)
/* A count or size is larger than the operation accepts. */
#define PVABI_E2BIG (-7)
/* A transient condition: retry later. */
#define PVABI_EAGAIN (-11)
/* The hypervisor or the domain's reservation is out of memory. */
#define PVABI_ENOMEM (-12)
/* A guest address could not be read or written by the hypervisor. */
#define PVABI_EFAULT (-14)
/* The object is in use: a frame's type is held, a port is bound. */
#define PVABI_EBUSY (-16)
/* The object already exists: a frame already pinned, a callback already set. */
#define PVABI_EEXIST (-17)
/* An argument is malformed: bad flags, bad alignment, reserved bits set. */
#define PVABI_EINVAL (-22)
/* A table is full: no free port, grant handle or slot. */
#define PVABI_ENOSPC (-28)
/* A number is out of range: frame number, vector, port, vCPU id. */
#define PVABI_ERANGE (-34)
/*
 * Not supported: unknown hypercall or sub-operation, or a feature this
 * hypervisor does not offer. Never returned for a validation failure. See
 * pvabi/version.h for the fallback rule.
 */
#define PVABI_ENOSYS (-38)
/*
 * Preempted: a batch stopped at a safe point to let the hypervisor run
 * something else. The done count says how many items were performed; the guest
 * issues the call again for the rest (libpv does this).
 */
#define PVABI_ERESTART (-85)

/* The most negative status the hypervisor returns; anything below is a bug. */
#define PVABI_STATUS_MIN (-127)

#endif /* PVABI_STATUS_H */
