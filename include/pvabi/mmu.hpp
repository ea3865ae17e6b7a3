// pvabi/mmu.hpp: page-table entries and MMU batch items, encoded at compile
// time from strong types.
//
//     using namespace pvabi;
//     constexpr Pte pte = Pte::map(Mfn{42}, Pte::kWritable);
//     pvabi_mmu_update batch[] = {pt_update(table.address() + 8 * slot, pte)};
//     pvabi_mmuext_op pin = pin_table(4, root);
#ifndef PVABI_MMU_HPP
#define PVABI_MMU_HPP

#include <pvabi/mmu.h>
#include <pvabi/types.hpp>

namespace pvabi {

class Pte {
 public:
  static constexpr uint64_t kPresent = PVABI_PTE_PRESENT;
  static constexpr uint64_t kWritable = PVABI_PTE_WRITABLE;
  static constexpr uint64_t kUser = PVABI_PTE_USER;
  static constexpr uint64_t kAccessed = PVABI_PTE_ACCESSED;
  static constexpr uint64_t kDirty = PVABI_PTE_DIRTY;
  static constexpr uint64_t kGlobal = PVABI_PTE_GLOBAL;
  static constexpr uint64_t kNoExecute = PVABI_PTE_NX;

  constexpr Pte() = default;
  constexpr explicit Pte(uint64_t raw) : raw_(raw) {}
  // A present entry mapping `frame` with `flags` (kPresent is added).
  [[nodiscard]] static constexpr Pte map(Mfn frame, uint64_t flags) {
    return Pte{((frame.value() << PVABI_PAGE_SHIFT) & PVABI_PTE_FRAME_MASK) | flags |
               PVABI_PTE_PRESENT};
  }
  [[nodiscard]] constexpr uint64_t raw() const { return raw_; }
  [[nodiscard]] constexpr bool present() const { return (raw_ & PVABI_PTE_PRESENT) != 0; }
  [[nodiscard]] constexpr bool writable() const { return (raw_ & PVABI_PTE_WRITABLE) != 0; }
  [[nodiscard]] constexpr Mfn frame() const {
    return Mfn{(raw_ & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT};
  }
  [[nodiscard]] constexpr uint64_t flags() const { return raw_ & ~PVABI_PTE_FRAME_MASK; }
  friend constexpr bool operator==(Pte, Pte) = default;

 private:
  uint64_t raw_ = 0;
};

enum class MmuextCmd : uint32_t {
  kPinL1Table = PVABI_MMUEXT_PIN_L1_TABLE,
  kPinL2Table = PVABI_MMUEXT_PIN_L2_TABLE,
  kPinL3Table = PVABI_MMUEXT_PIN_L3_TABLE,
  kPinL4Table = PVABI_MMUEXT_PIN_L4_TABLE,
  kUnpinTable = PVABI_MMUEXT_UNPIN_TABLE,
  kNewBaseptr = PVABI_MMUEXT_NEW_BASEPTR,
  kNewUserBaseptr = PVABI_MMUEXT_NEW_USER_BASEPTR,
  kTlbFlushLocal = PVABI_MMUEXT_TLB_FLUSH_LOCAL,
  kInvlpgLocal = PVABI_MMUEXT_INVLPG_LOCAL,
  kTlbFlushAll = PVABI_MMUEXT_TLB_FLUSH_ALL,
  kInvlpgAll = PVABI_MMUEXT_INVLPG_ALL,
  kCopyPage = PVABI_MMUEXT_COPY_PAGE,
  kClearPage = PVABI_MMUEXT_CLEAR_PAGE,
  kSetLdt = PVABI_MMUEXT_SET_LDT,
};

[[nodiscard]] constexpr pvabi_mmu_update pt_update(Maddr entry, Pte value) {
  return pvabi_mmu_update{entry.value() | PVABI_MMU_NORMAL_PT_UPDATE, value.raw()};
}

[[nodiscard]] constexpr pvabi_mmu_update pt_update_preserve_ad(Maddr entry, Pte value) {
  return pvabi_mmu_update{entry.value() | PVABI_MMU_PT_UPDATE_PRESERVE_AD, value.raw()};
}

[[nodiscard]] constexpr pvabi_mmu_update machphys_update(Mfn frame, Pfn pfn) {
  return pvabi_mmu_update{frame.address().value() | PVABI_MMU_MACHPHYS_UPDATE, pfn.value()};
}

[[nodiscard]] constexpr pvabi_mmuext_op mmuext(MmuextCmd cmd, uint64_t arg1 = 0,
                                               uint64_t arg2 = 0) {
  return pvabi_mmuext_op{static_cast<uint32_t>(cmd), 0, arg1, arg2};
}

// level is 1..4.
[[nodiscard]] constexpr pvabi_mmuext_op pin_table(unsigned level, Mfn table) {
  return mmuext(static_cast<MmuextCmd>(PVABI_MMUEXT_PIN_L1_TABLE + level - 1), table.value());
}

[[nodiscard]] constexpr pvabi_mmuext_op unpin_table(Mfn table) {
  return mmuext(MmuextCmd::kUnpinTable, table.value());
}

[[nodiscard]] constexpr pvabi_mmuext_op new_baseptr(Mfn l4) {
  return mmuext(MmuextCmd::kNewBaseptr, l4.value());
}

[[nodiscard]] constexpr pvabi_mmuext_op new_user_baseptr(Mfn l4) {
  return mmuext(MmuextCmd::kNewUserBaseptr, l4.value());
}

[[nodiscard]] constexpr pvabi_mmuext_op invlpg_local(Gva va) {
  return mmuext(MmuextCmd::kInvlpgLocal, va.value());
}

// The command bits of an mmu_update's ptr, and its machine address.
[[nodiscard]] constexpr uint64_t mmu_update_cmd(const pvabi_mmu_update& u) {
  return u.ptr & PVABI_MMU_CMD_MASK;
}
[[nodiscard]] constexpr Maddr mmu_update_target(const pvabi_mmu_update& u) {
  return Maddr{u.ptr & ~PVABI_MMU_CMD_MASK};
}

// Is `va` in the hypervisor's reserved range?
[[nodiscard]] constexpr bool in_reserved_range(Gva va) {
  return va.value() >= PVABI_HV_VIRT_START && va.value() < PVABI_HV_VIRT_END;
}

}  // namespace pvabi

#endif  // PVABI_MMU_HPP
