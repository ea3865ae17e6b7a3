// The pv backend (libpv_pv.a): hypercalls through the page the hypervisor
// wrote, the TSC, and the read-only machine-to-pseudo-physical table.
#include <libpv/mmu.h>
#include <libpv/time_read.h>

#include "state.h"
#include "transport.h"

namespace libpv::transport {

// The stub for hypercall N is at page + N * 32 (pvabi/hypercall.h): call it
// like a function with the arguments in the syscall registers. rcx and r11
// are clobbered; everything else but rax is preserved.
int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  const uint64_t page = state().hypercall_page;
  if (page == 0 || nr >= PVABI_HYPERCALL_PAGE_SLOTS) return PVABI_ENOSYS;
  uint64_t rax = page + nr * PVABI_HYPERCALL_STUB_SIZE;
  register uint64_t r10 __asm__("r10") = a3;
  register uint64_t r8 __asm__("r8") = a4;
  register uint64_t r9 __asm__("r9") = a5;
  __asm__ __volatile__("call *%%rax"
                       : "+a"(rax)
                       : "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                       : "rcx", "r11", "memory");
  return static_cast<int64_t>(rax);
}

uint64_t read_tsc() { return pv_rdtsc(); }

uint64_t mfn_to_pfn(uint64_t mfn) {
  const pvabi_limits& l = state().limits;
  if (l.m2p_virt_start == 0 || mfn >= l.m2p_entries) return PV_INVALID_FRAME;
  return __atomic_load_n(reinterpret_cast<const pvabi_u64*>(l.m2p_virt_start) + mfn, __ATOMIC_RELAXED);
}

}  // namespace libpv::transport
