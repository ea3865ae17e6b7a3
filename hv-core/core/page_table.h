// hv-core/core/page_table.h: validation of guest page-table entries and
// tables (PV-MMU rules 1-6, 8, 11), and the references they hold.
//
// A present entry at level 1 holds a general reference on the frame it maps
// and, if writable, a writable-type reference. A present entry at level 2..4
// holds a general reference and a type reference of the next level down, so
// the table it names is validated before it can be used.
#ifndef HV_CORE_CORE_PAGE_TABLE_H
#define HV_CORE_CORE_PAGE_TABLE_H

#include "base.h"
#include "frame_table.h"

namespace hv {

class Domain;

inline constexpr unsigned kEntriesPerTable = PVABI_PAGE_SIZE / 8;

[[nodiscard]] constexpr bool is_reserved_slot(unsigned level, unsigned slot) {
  return level == 4 && slot >= PVABI_L4_FIRST_RESERVED_SLOT &&
         slot < PVABI_L4_FIRST_RESERVED_SLOT + PVABI_L4_RESERVED_SLOTS;
}

// What the hypervisor stores for a guest entry it accepts: USER set on a
// present entry (the guest kernel runs in ring 3).
[[nodiscard]] constexpr uint64_t normalize_entry(uint64_t e) {
  return (e & PVABI_PTE_PRESENT) != 0 ? e | PVABI_PTE_USER : e;
}

// Checks `entry` for a table of `level` and takes the references it needs.
// On failure nothing is held.
[[nodiscard]] Status take_entry(Domain& d, unsigned level, uint64_t entry);
// Drops what take_entry took.
void drop_entry(Domain& d, unsigned level, uint64_t entry);

// May `next` replace `prev` without revalidation? Both present, same frame,
// and only accessed/dirty/available/no-execute differ (rule 4).
[[nodiscard]] constexpr bool is_fast_path_change(uint64_t prev, uint64_t next) {
  return (prev & next & PVABI_PTE_PRESENT) != 0 &&
         ((prev ^ next) & ~PVABI_PTE_FAST_PATH_FLAGS) == 0;
}

// Writes `entry` into slot `slot` of `table` (a validated table of `level`
// the domain owns): validates it, takes its references, swaps it in with a
// compare-and-swap, then drops the old entry's references.
[[nodiscard]] Status update_entry(Domain& d, Mfn table, unsigned level, unsigned slot, uint64_t entry,
                                  bool preserve_ad = false);

// Grant mappings (grant.cc): an L1 entry mapping a frame another domain
// granted. install_foreign_entry writes it into a non-present slot, taking a
// general reference and, if writable, a writable-type reference on the
// granter's frame; clear_entry removes any entry (and through drop_entry
// tells the grant table that a foreign mapping went). A guest cannot
// overwrite a foreign mapping with mmu_update: update_entry refuses (EPERM).
[[nodiscard]] Status install_foreign_entry(Domain& d, Mfn table, unsigned slot, uint64_t entry, Domain& granter);
void clear_entry(Domain& d, Mfn table, unsigned level, unsigned slot);

// The frame table's validator for page-table types.
TableValidator page_table_validator();

}  // namespace hv

#endif  // HV_CORE_CORE_PAGE_TABLE_H
