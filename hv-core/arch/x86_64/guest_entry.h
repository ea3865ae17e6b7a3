// hv-core/arch/x86_64/guest_entry.h: running guest vCPUs in ring 3: the
// hypervisor's GDT (with pvabi's flat ring-3 selectors), TSS and IDT, the
// syscall MSRs, and the loop that enters the scheduler's choice and takes it
// back on a hypercall or an exception.
#ifndef HV_CORE_ARCH_X86_64_GUEST_ENTRY_H
#define HV_CORE_ARCH_X86_64_GUEST_ENTRY_H

#include <stdint.h>

namespace hv {
class Domain;
}

namespace hv::arch {

// Loads the GDT, TSS and IDT and programs syscall; call once, before any guest runs.
void init_cpu_tables();
// Timer preemptions of domain `d` so far.
uint64_t preemptions(const Domain& d);
// Runs the runnable vCPUs until none is left to run, then reports each
// domain's end and leaves QEMU.
[[noreturn]] void run_guests();

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_GUEST_ENTRY_H
