// hv-core/arch/x86_64/reserved_slots.h: what the hypervisor installs in the
// reserved top-level slots of every guest address space (pvabi/mmu.h):
// slot 256, the machine-to-pseudo-physical table, read-only to guests; slot
// 257, the alias of low memory the entry and exit paths run through
// (supervisor only).
#ifndef HV_CORE_ARCH_X86_64_RESERVED_SLOTS_H
#define HV_CORE_ARCH_X86_64_RESERVED_SLOTS_H

#include <stdint.h>

namespace hv::arch {

// Builds the read-only mapping of the core's M2P table at
// PVABI_M2P_VIRT_START; after init_core, before the first domain. False if
// the heap is exhausted.
bool map_m2p_for_guests();
// The entry for reserved L4 slot `slot`, or 0 for an empty slot.
uint64_t hypervisor_l4_entry(unsigned slot);

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_RESERVED_SLOTS_H
