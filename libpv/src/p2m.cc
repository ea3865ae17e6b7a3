// Pseudo-physical <-> machine translation (libpv/mmu.h).
#include <libpv/mmu.h>

#include "guest_memory.h"
#include "state.h"
#include "transport.h"

using namespace libpv;

static_assert(PV_INVALID_FRAME == PVABI_M2P_INVALID, "one 'no frame' value for both directions");

namespace {

constexpr uint64_t kOffsetMask = PVABI_PAGE_SIZE - 1;

// The p2m list entry of `pfn` (pfn < nr_pages); entries are read one at a
// time because the list spans pages that need not be contiguous elsewhere.
pvabi_u64* p2m_entry(uint64_t pfn) { return guest_ptr<pvabi_u64>(state().p2m_list + pfn * sizeof(pvabi_u64)); }

}  // namespace

extern "C" uint64_t pv_pfn_to_mfn(uint64_t pfn) {
  const State& s = state();
  if (pfn >= s.nr_pages) return PV_INVALID_FRAME;
  return s.identity_p2m ? pfn : __atomic_load_n(p2m_entry(pfn), __ATOMIC_RELAXED);
}

extern "C" uint64_t pv_mfn_to_pfn(uint64_t mfn) {
  return state().identity_p2m ? mfn : transport::mfn_to_pfn(mfn);
}

extern "C" int pv_p2m_set(uint64_t pfn, uint64_t mfn) {
  const State& s = state();
  if (s.identity_p2m) return PVABI_ENOSYS;
  if (pfn >= s.nr_pages) return PVABI_ERANGE;
  __atomic_store_n(p2m_entry(pfn), mfn, __ATOMIC_RELAXED);
  return PVABI_OK;
}

extern "C" uint64_t pv_phys_to_machine(uint64_t paddr) {
  const uint64_t mfn = pv_pfn_to_mfn(paddr >> PVABI_PAGE_SHIFT);
  return mfn == PV_INVALID_FRAME ? PV_INVALID_FRAME : (mfn << PVABI_PAGE_SHIFT) | (paddr & kOffsetMask);
}

extern "C" uint64_t pv_machine_to_phys(uint64_t maddr) {
  const uint64_t pfn = pv_mfn_to_pfn(maddr >> PVABI_PAGE_SHIFT);
  if (pfn == PV_INVALID_FRAME) return PV_INVALID_FRAME;
  return (pfn << PVABI_PAGE_SHIFT) | (maddr & kOffsetMask);
}

extern "C" uint64_t pv_virt_to_pfn(const void* p) {
  const State& s = state();
  const uint64_t va = guest_va(p);
  if (va < s.virt_base) return PV_INVALID_FRAME;
  const uint64_t pfn = (va - s.virt_base) >> PVABI_PAGE_SHIFT;
  return pfn < s.nr_pages ? pfn : PV_INVALID_FRAME;
}

extern "C" void* pv_pfn_to_virt(uint64_t pfn) {
  const State& s = state();
  return pfn < s.nr_pages ? guest_ptr<void>(s.virt_base + (pfn << PVABI_PAGE_SHIFT)) : nullptr;
}

extern "C" uint64_t pv_virt_to_mfn(const void* p) {
  const uint64_t pfn = pv_virt_to_pfn(p);
  return pfn == PV_INVALID_FRAME ? PV_INVALID_FRAME : pv_pfn_to_mfn(pfn);
}
