#include "page_table.h"

#include "domain.h"
#include "grant.h"
#include "guest_access.h"

namespace hv {
namespace {

constexpr uint64_t kAllowedFlags[5] = {
    0,
    PVABI_PTE_GUEST_FLAGS | PVABI_PTE_GLOBAL,  // L1: global only on leaves
    PVABI_PTE_GUEST_FLAGS,
    PVABI_PTE_GUEST_FLAGS,
    PVABI_PTE_GUEST_FLAGS,
};

Status check_nonpresent(uint64_t entry) {
  // L1TF (rule 11): a non-present entry may not point into machine memory.
  const uint64_t frame = (entry & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT;
  return frame == 0 || frame >= PVABI_NONPRESENT_MIN_FRAME ? Status::kOk : Status::kInvalid;
}

// Does the table this entry names still need validating (work to do, so a
// place to stop if something else should run)?
bool names_unvalidated_table(unsigned level, uint64_t entry) {
  if (level == 1 || (entry & PVABI_PTE_PRESENT) == 0) return false;
  const Mfn child = Pte{entry}.frame();
  if (!frame_table().in_range(child)) return false;
  const FrameInfo& fi = frame_table().info(child);
  return fi.type_count == 0 || (fi.flags & kFramePartial) != 0;
}

void drop_entries(Domain& d, unsigned level, const uint64_t* entries, unsigned upto) {
  for (unsigned slot = 0; slot < upto; ++slot) {
    const uint64_t e = load_entry(&entries[slot]);
    // Most entries of a table are empty: nothing was taken for them.
    if (e != 0 && !is_reserved_slot(level, slot)) drop_entry(d, level, e);
  }
}

// Validates entries [from, 512). Preemption (rule 9) is taken only before an
// entry whose table still needs validating, and only after this call made
// progress, so every resumption moves forward and at most one table's 512
// entries are checked between two chances to stop.
Status validate_table(Domain& d, Mfn table, FrameType type, unsigned from, unsigned* progress) {
  const unsigned level = table_level(type);
  uint64_t* entries = table_entries(table);
  for (unsigned slot = from; slot < kEntriesPerTable; ++slot) {
    if (is_reserved_slot(level, slot)) {
      // Guests cannot supply these (rule 5): zero or ours, then ours.
      const uint64_t ours = platform::reserved_l4_entry(slot);
      const uint64_t e = load_entry(&entries[slot]);
      if (e != 0 && e != ours) {
        drop_entries(d, level, entries, slot);
        return Status::kInvalid;
      }
      __atomic_store_n(&entries[slot], ours, __ATOMIC_RELAXED);
      continue;
    }
    const uint64_t raw = load_entry(&entries[slot]);
    if (raw == 0) continue;  // empty: nothing to check, take or store (most entries)
    const uint64_t e = normalize_entry(raw);
    if (slot > from && names_unvalidated_table(level, e) && platform::preemption_requested()) {
      *progress = slot;
      return Status::kRestart;
    }
    const Status s = take_entry(d, level, e);
    if (s == Status::kRestart) {  // a table below was preempted: stop here too
      *progress = slot;
      return s;
    }
    if (s != Status::kOk) {
      drop_entries(d, level, entries, slot);
      return s;
    }
    __atomic_store_n(&entries[slot], e, __ATOMIC_RELAXED);
  }
  return Status::kOk;
}

void devalidate_table(Domain& d, Mfn table, FrameType type, unsigned upto) {
  drop_entries(d, table_level(type), table_entries(table), upto);
}

}  // namespace

Status take_entry(Domain& d, unsigned level, uint64_t entry) {
  if ((entry & PVABI_PTE_PRESENT) == 0) return check_nonpresent(entry);
  if ((entry & ~PVABI_PTE_FRAME_MASK & ~kAllowedFlags[level]) != 0) return Status::kInvalid;
  const Mfn frame = Pte{entry}.frame();
  FrameTable& ft = frame_table();
  if (const Status s = ft.get_ref(d, frame); s != Status::kOk) return s;
  Status s = Status::kOk;
  if (level > 1) {
    s = ft.get_type(d, frame, table_type(level - 1));
  } else if ((entry & PVABI_PTE_WRITABLE) != 0) {
    s = ft.get_type(d, frame, FrameType::kWritable);
  }
  if (s != Status::kOk) ft.put_ref(frame);
  return s;
}

void drop_entry(Domain& d, unsigned level, uint64_t entry) {
  if ((entry & PVABI_PTE_PRESENT) == 0) return;
  const Mfn frame = Pte{entry}.frame();
  FrameTable& ft = frame_table();
  if (level == 1 && ft.info(frame).owner != d.id.value()) grant_mapping_dropped(d, frame);
  if (level > 1 || (entry & PVABI_PTE_WRITABLE) != 0) ft.put_type(d, frame);
  ft.put_ref(frame);
}

Status update_entry(Domain& d, Mfn table, unsigned level, unsigned slot, uint64_t entry,
                    bool preserve_ad) {
  if (is_reserved_slot(level, slot)) return Status::kInvalid;
  constexpr uint64_t kAccessedDirty = PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY;
  uint64_t* e = &table_entries(table)[slot];
  uint64_t prev = load_entry(e);
  // A grant mapping goes only through PVABI_GNTTABOP_UNMAP_GRANT_REF.
  if ((prev & PVABI_PTE_PRESENT) != 0 && frame_table().info(Pte{prev}.frame()).owner != d.id.value()) {
    return Status::kNotPermitted;
  }
  uint64_t next = normalize_entry(entry);
  if (preserve_ad) next |= prev & kAccessedDirty;
  const bool fast = is_fast_path_change(prev, next);
  if (fast) {
    if ((next & ~PVABI_PTE_FRAME_MASK & ~kAllowedFlags[level]) != 0) return Status::kInvalid;
  } else if (const Status s = take_entry(d, level, next); s != Status::kOk) {
    return s;
  }
  // The table is read-only to the guest and one pCPU runs the core, so only
  // the MMU itself can change the entry meanwhile, and only its accessed and
  // dirty bits (rule 8: a compare-and-swap, never a blind store).
  uint64_t seen = prev;
  while (!__atomic_compare_exchange_n(e, &seen, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    HV_CHECK(((seen ^ prev) & ~kAccessedDirty) == 0);
    if (preserve_ad) next |= seen & kAccessedDirty;
  }
  if (!fast) drop_entry(d, level, prev);
  return Status::kOk;
}

Status install_foreign_entry(Domain& d, Mfn table, unsigned slot, uint64_t entry, Domain& granter) {
  uint64_t* e = &table_entries(table)[slot];
  if (load_entry(e) != 0) return Status::kInvalid;  // only an empty slot takes a grant mapping
  const uint64_t next = normalize_entry(entry);
  if ((next & ~PVABI_PTE_FRAME_MASK & ~kAllowedFlags[1]) != 0) return Status::kInvalid;
  const Mfn frame = Pte{next}.frame();
  FrameTable& ft = frame_table();
  if (const Status s = ft.get_ref(granter, frame); s != Status::kOk) return s;
  if ((next & PVABI_PTE_WRITABLE) != 0) {
    if (const Status s = ft.get_type(granter, frame, FrameType::kWritable); s != Status::kOk) {
      ft.put_ref(frame);
      return s;
    }
  }
  uint64_t seen = 0;
  HV_CHECK(__atomic_compare_exchange_n(e, &seen, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  (void)d;
  return Status::kOk;
}

void clear_entry(Domain& d, Mfn table, unsigned level, unsigned slot) {
  uint64_t* e = &table_entries(table)[slot];
  const uint64_t prev = __atomic_exchange_n(e, uint64_t{0}, __ATOMIC_SEQ_CST);
  drop_entry(d, level, prev);
}

TableValidator page_table_validator() { return TableValidator{&validate_table, &devalidate_table}; }

}  // namespace hv
