// hv-core/core/hypercall_page.h: the hypercall page the domain builder gives
// every guest (pvabi/hypercall.h): one 32-byte stub per hypercall number,
// `mov $N, %eax; syscall; ret`, and `mov $PVABI_ENOSYS, %rax; ret` for the
// numbers this hypervisor does not know; the rest of each slot is int3.
#ifndef HV_CORE_CORE_HYPERCALL_PAGE_H
#define HV_CORE_CORE_HYPERCALL_PAGE_H

#include "base.h"

namespace hv {

void write_hypercall_page(uint8_t* page);

}  // namespace hv

#endif  // HV_CORE_CORE_HYPERCALL_PAGE_H
