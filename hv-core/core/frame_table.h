// hv-core/core/frame_table.h: what the core knows about every machine frame:
// its owner, its one type (page table of a level, descriptor table,
// writable, none), a type count and a general reference count.
//
// References: every mapping, pin, base pointer or hypervisor hold of a frame
// takes one general reference (get_ref) while it exists. A mapping or use
// that needs a particular type also takes a type reference (get_type); a
// frame's type changes only when its type count is zero, so a frame is never
// a page table and writable-mapped at once (PV-MMU rules 1, 2, 10).
#ifndef HV_CORE_CORE_FRAME_TABLE_H
#define HV_CORE_CORE_FRAME_TABLE_H

#include "base.h"

namespace hv {

enum class FrameType : uint8_t {
  kNone = 0,
  kL1 = 1,
  kL2 = 2,
  kL3 = 3,
  kL4 = 4,
  kDescriptorTable = 5,
  kWritable = 6,
};

[[nodiscard]] constexpr bool is_page_table(FrameType t) {
  return t >= FrameType::kL1 && t <= FrameType::kL4;
}
[[nodiscard]] constexpr FrameType table_type(unsigned level) { return static_cast<FrameType>(level); }
[[nodiscard]] constexpr unsigned table_level(FrameType t) { return static_cast<unsigned>(t); }

// Owners that are not domains.
inline constexpr uint16_t kOwnerFree = 0xffff;
inline constexpr uint16_t kOwnerHypervisor = 0xfffe;
inline constexpr uint32_t kNoFrameIndex = 0xffffffffu;
inline constexpr unsigned kEntriesPerFrame = 512;

struct FrameInfo {
  uint16_t owner = kOwnerFree;
  FrameType type = FrameType::kNone;
  uint8_t flags = 0;
  uint32_t type_count = 0;
  uint32_t ref_count = 0;
  uint32_t next = kNoFrameIndex;  // the owner's frame list, or the free list
  uint32_t prev = kNoFrameIndex;
  uint16_t progress = 0;  // kFramePartial: entries [0, progress) are validated
  uint16_t _reserved = 0;
};

// FrameInfo::flags
inline constexpr uint8_t kFrameValidated = 1;  // a page-table type whose entries were all checked
inline constexpr uint8_t kFramePinned = 2;     // holds one pin reference (type and general)
// Its last writable mapping went away: a TLB may still hold it, so flush
// before it becomes a page table or descriptor table (PV-MMU rule 7).
inline constexpr uint8_t kFrameStaleWritable = 4;
// Validation was preempted (rule 9): the frame keeps its page-table type,
// entries [0, progress) hold their references, and a "partial hold" (one
// type and one general reference) keeps it so until a later get_type of the
// same type resumes the validation, or the domain dies.
inline constexpr uint8_t kFramePartial = 8;
// Its validation is running now, further up this walk: a reference back to
// it is a loop (EBUSY), not a resumption.
inline constexpr uint8_t kFrameValidating = 16;

class Domain;

// The validator the frame table calls when a frame takes a page-table type
// with nothing validated yet (from entry `from` on, when resuming), and when
// its last type reference goes (entries [0, upto) hold references).
// validate returns kRestart, with *progress set, when it was preempted.
struct TableValidator {
  Status (*validate)(Domain& d, Mfn table, FrameType type, unsigned from, unsigned* progress);
  void (*devalidate)(Domain& d, Mfn table, FrameType type, unsigned upto);
};

class FrameTable {
 public:
  // Sets up the table over the platform's machine memory; false if out of memory.
  bool init();
  void set_validator(TableValidator v) { validator_ = v; }

  [[nodiscard]] uint64_t size() const { return frames_; }
  [[nodiscard]] bool in_range(Mfn f) const { return f.value() < frames_; }
  [[nodiscard]] FrameInfo& info(Mfn f) {
    HV_CHECK(in_range(f));
    return info_[f.value()];
  }
  [[nodiscard]] const FrameInfo& info(Mfn f) const {
    HV_CHECK(in_range(f));
    return info_[f.value()];
  }
  [[nodiscard]] uint64_t free_frames() const { return free_count_; }

  // The machine-to-pseudo-physical table.
  [[nodiscard]] uint64_t m2p(Mfn f) const { return m2p_[f.value()]; }
  // The whole table, one entry per machine frame, for mapping it read-only into guests.
  [[nodiscard]] const uint64_t* m2p_table() const { return m2p_; }
  void set_m2p(Mfn f, uint64_t pfn) { m2p_[f.value()] = pfn; }

  // Takes a free frame for `owner` (zeroed, untyped, no references).
  [[nodiscard]] Result<Mfn> allocate(Domain& owner);
  // Gives a frame back once nothing references it: returns it to the free
  // list now, or when its last reference goes.
  void release(Mfn f);

  // General references. get_ref checks range and that `d` owns the frame.
  [[nodiscard]] Status get_ref(Domain& d, Mfn f);
  // The same for a frame already known to be in range (a hypervisor hold, a
  // grant): no ownership check.
  void get_ref_unchecked(Mfn f);
  void put_ref(Mfn f);

  // Type references. get_type takes a type reference of `type` on a frame the
  // caller holds a general reference to: EBUSY if it has another type in use;
  // a page-table type is validated first (and the type not taken if that
  // fails). kRestart: validation was preempted and the frame is partial; the
  // caller holds nothing new and re-issues later to resume.
  [[nodiscard]] Status get_type(Domain& d, Mfn f, FrameType type);
  void put_type(Domain& d, Mfn f);
  // Drops a partial validation (domain teardown).
  void abandon_partial(Domain& d, Mfn f);

  // Walks a domain's frame list; `next` is kNoFrameIndex at the end.
  [[nodiscard]] uint32_t first_owned(const Domain& d) const;
  [[nodiscard]] uint32_t next_owned(uint32_t index) const { return info_[index].next; }

 private:
  void link_owned(Domain& d, uint32_t index);
  void unlink_owned(Domain& d, uint32_t index);
  void free_frame(uint32_t index);
  [[nodiscard]] Status validate_from(Domain& d, Mfn f, FrameType type, unsigned from);

  FrameInfo* info_ = nullptr;
  uint64_t* m2p_ = nullptr;
  uint64_t frames_ = 0;
  uint32_t free_head_ = kNoFrameIndex;
  uint64_t free_count_ = 0;
  TableValidator validator_{};
};

FrameTable& frame_table();

}  // namespace hv

#endif  // HV_CORE_CORE_FRAME_TABLE_H
