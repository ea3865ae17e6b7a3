// Page-table operations done directly at ring 0: entries are written
// through the direct map, base pointers go to cr3, flushes are local.
#include <pvabi/mmu.hpp>

#include "native.h"
#include "native_cpu.h"

namespace libpv::native {
namespace {

constexpr uint64_t kAccessedDirty = PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY;

template <typename T>
T* at(uint64_t va) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(va));
}

uint64_t* entry(uint64_t maddr) { return static_cast<uint64_t*>(direct_map(maddr)); }

int64_t write_entry(uint64_t maddr, uint64_t val, bool preserve_ad) {
  if ((maddr & 7) != 0) return PVABI_EINVAL;
  if (!frame_ok(maddr >> PVABI_PAGE_SHIFT)) return PVABI_ERANGE;
  uint64_t* e = entry(maddr);
  if (!preserve_ad) {
    __atomic_store_n(e, val, __ATOMIC_RELAXED);
    return PVABI_OK;
  }
  // The CPU may set A/D meanwhile: merge them in with a compare-and-swap.
  uint64_t old = __atomic_load_n(e, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(e, &old, val | (old & kAccessedDirty), false, __ATOMIC_SEQ_CST,
                                      __ATOMIC_RELAXED)) {
  }
  return PVABI_OK;
}

int64_t one_update(const pvabi_mmu_update& u) {
  const uint64_t maddr = pvabi::mmu_update_target(u).value();
  switch (pvabi::mmu_update_cmd(u)) {
    case PVABI_MMU_NORMAL_PT_UPDATE: return write_entry(maddr, u.val, false);
    case PVABI_MMU_PT_UPDATE_PRESERVE_AD: return write_entry(maddr, u.val, true);
    case PVABI_MMU_MACHPHYS_UPDATE:
      // The machine-to-physical map is the identity: only that is true.
      return u.val == maddr >> PVABI_PAGE_SHIFT ? PVABI_OK : PVABI_EINVAL;
    default: return PVABI_EINVAL;
  }
}

int64_t one_ext(const pvabi_mmuext_op& op) {
  if (op._pad0 != 0) return PVABI_EINVAL;
  switch (op.cmd) {
    case PVABI_MMUEXT_PIN_L1_TABLE:
    case PVABI_MMUEXT_PIN_L2_TABLE:
    case PVABI_MMUEXT_PIN_L3_TABLE:
    case PVABI_MMUEXT_PIN_L4_TABLE:
    case PVABI_MMUEXT_UNPIN_TABLE:
      return frame_ok(op.arg1) ? PVABI_OK : PVABI_ERANGE;  // nothing to validate at ring 0
    case PVABI_MMUEXT_NEW_BASEPTR:
      if (!frame_ok(op.arg1)) return PVABI_ERANGE;
      cpu::write_cr3(op.arg1 << PVABI_PAGE_SHIFT);
      return PVABI_OK;
    case PVABI_MMUEXT_TLB_FLUSH_LOCAL:
      cpu::write_cr3(cpu::read_cr3());
      return PVABI_OK;
    case PVABI_MMUEXT_INVLPG_LOCAL:
      if (!pvabi::Gva{op.arg1}.canonical()) return PVABI_EINVAL;
      cpu::invlpg(op.arg1);
      return PVABI_OK;
    case PVABI_MMUEXT_COPY_PAGE:
      if (!frame_ok(op.arg1) || !frame_ok(op.arg2)) return PVABI_ERANGE;
      __builtin_memcpy(direct_map(op.arg1 << PVABI_PAGE_SHIFT), direct_map(op.arg2 << PVABI_PAGE_SHIFT),
                       PVABI_PAGE_SIZE);
      return PVABI_OK;
    case PVABI_MMUEXT_CLEAR_PAGE:
      if (!frame_ok(op.arg1)) return PVABI_ERANGE;
      __builtin_memset(direct_map(op.arg1 << PVABI_PAGE_SHIFT), 0, PVABI_PAGE_SIZE);
      return PVABI_OK;
    case PVABI_MMUEXT_NEW_USER_BASEPTR:
    case PVABI_MMUEXT_TLB_FLUSH_ALL:
    case PVABI_MMUEXT_INVLPG_ALL:
    case PVABI_MMUEXT_SET_LDT:
      return PVABI_ENOSYS;  // no separate user tables, no IPIs, no LDT here
    default:
      return PVABI_EINVAL;
  }
}

// The batch rule of pvabi/mmu.h, without preemption: items run in order and
// the first failure stops the batch.
template <typename Item, typename Perform>
int64_t run(uint64_t list, uint64_t count, uint64_t done_va, uint64_t domid, Perform perform) {
  if (count > PVABI_MMU_BATCH_MAX) return PVABI_E2BIG;
  if (domid != PVABI_DOMID_SELF) return PVABI_ESRCH;
  uint64_t done = 0;
  int64_t rc = PVABI_OK;
  for (; done < count; ++done) {
    rc = perform(at<const Item>(list)[done]);
    if (rc != PVABI_OK) break;
  }
  if (done_va != 0) *at<uint32_t>(done_va) = static_cast<uint32_t>(done);
  return rc;
}

}  // namespace

int64_t mmu_update(uint64_t list, uint64_t count, uint64_t done, uint64_t domid) {
  return run<pvabi_mmu_update>(list, count, done, domid, one_update);
}

int64_t mmuext_op(uint64_t list, uint64_t count, uint64_t done, uint64_t domid) {
  return run<pvabi_mmuext_op>(list, count, done, domid, one_ext);
}

int64_t update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags) {
  const uint64_t flush = flags & PVABI_UVMF_FLUSH_MASK;
  if ((flags & ~(PVABI_UVMF_FLUSH_MASK | PVABI_UVMF_ALL)) != 0 || flush == PVABI_UVMF_FLUSH_MASK) return PVABI_EINVAL;
  if ((flags & PVABI_UVMF_ALL) != 0) return PVABI_ENOSYS;  // remote flushes need the kernel's IPIs
  const pvabi::Gva at_va{va};
  if (!at_va.canonical()) return PVABI_EINVAL;
  // Walk L4..L2 from cr3 to the L1 table; a large page has none.
  uint64_t table = cpu::read_cr3() & PVABI_PTE_FRAME_MASK;
  for (unsigned level = 4; level > 1; --level) {
    const uint64_t e = __atomic_load_n(entry(table + 8 * at_va.table_index(level)), __ATOMIC_RELAXED);
    if ((e & PVABI_PTE_PRESENT) == 0 || (level < 4 && (e & PVABI_PTE_PAT_OR_LARGE) != 0)) return PVABI_ENOENT;
    table = e & PVABI_PTE_FRAME_MASK;
    if (!frame_ok(table >> PVABI_PAGE_SHIFT)) return PVABI_ENOENT;
  }
  __atomic_store_n(entry(table + 8 * at_va.table_index(1)), pte, __ATOMIC_RELAXED);
  if (flush == PVABI_UVMF_INVLPG) cpu::invlpg(va);
  if (flush == PVABI_UVMF_TLB_FLUSH) cpu::write_cr3(cpu::read_cr3());
  return PVABI_OK;
}

}  // namespace libpv::native
