#include "invariants.h"

#include "domain.h"
#include "grant.h"
#include "guest_access.h"
#include "page_table.h"

namespace hv {
namespace {

struct Expected {
  uint32_t refs;
  uint32_t types;
  FrameType type;
  bool typed;  // some holder needs a type
};

class Checker {
 public:
  explicit Checker(InvariantReport& report) : report_(report) {}

  bool init() {
    frames_ = frame_table().size();
    expected_ = create_array<Expected>(frames_);
    return expected_ != nullptr;
  }
  ~Checker() { destroy_array(expected_, frames_); }

  void fail(Text& message) {
    if (report_.violations++ == 0) report_.first << message.c_str();
  }

  void hold(Mfn f, FrameType type, const char* who) {
    if (f.value() >= frames_) {
      Text t;
      t << who << " holds frame " << f.value() << " past the end of memory";
      fail(t);
      return;
    }
    Expected& e = expected_[f.value()];
    ++e.refs;
    if (type == FrameType::kNone) return;
    if (e.typed && e.type != type) {
      Text t;
      t << "frame " << f.value() << " is needed as type " << static_cast<uint64_t>(e.type) << " and "
        << static_cast<uint64_t>(type) << " (" << who << ")";
      fail(t);
    }
    e.typed = true;
    e.type = type;
    ++e.types;
  }

  void walk_table(Domain& d, Mfn table, FrameType type, unsigned upto) {
    const unsigned level = table_level(type);
    const uint64_t* entries = table_entries(table);
    for (unsigned slot = 0; slot < upto; ++slot) {
      if (is_reserved_slot(level, slot)) continue;
      const uint64_t e = load_entry(&entries[slot]);
      if ((e & PVABI_PTE_PRESENT) == 0) continue;
      const Mfn target = Pte{e}.frame();
      if (target.value() < frames_ && frame_table().info(target).owner != d.id.value() &&
          !(level == 1 && grant_allows_mapping(d, target))) {
        Text t;
        t << "domain " << uint64_t{d.id.value()} << " maps frame " << target.value() << " it does not own";
        fail(t);
      }
      if (level > 1) {
        hold(target, table_type(level - 1), "a page-table entry");
      } else {
        hold(target, (e & PVABI_PTE_WRITABLE) != 0 ? FrameType::kWritable : FrameType::kNone, "an L1 entry");
      }
    }
  }

  void collect(Domain& d) {
    FrameTable& ft = frame_table();
    for (uint32_t f = ft.first_owned(d); f != kNoFrameIndex; f = ft.next_owned(f)) {
      const FrameInfo& fi = ft.info(Mfn{f});
      if ((fi.flags & kFramePinned) != 0) hold(Mfn{f}, fi.type, "a pin");
      if (is_page_table(fi.type) && fi.type_count > 0 && (fi.flags & kFrameValidated) != 0) {
        walk_table(d, Mfn{f}, fi.type, kEntriesPerTable);
      }
      if ((fi.flags & kFramePartial) != 0) {
        hold(Mfn{f}, fi.type, "a partial validation");
        walk_table(d, Mfn{f}, fi.type, fi.progress);
      }
    }
    for (uint32_t i = 0; i < d.max_vcpus; ++i) {
      const Vcpu* v = d.vcpus[i];
      if (v == nullptr) continue;
      if (v->kernel_baseptr != kNoFrame) hold(v->kernel_baseptr, FrameType::kL4, "a kernel base pointer");
      if (v->user_baseptr != kNoFrame) hold(v->user_baseptr, FrameType::kL4, "a user base pointer");
    }
    if (d.shared_info_frame != kNoFrame) hold(d.shared_info_frame, FrameType::kWritable, "the shared info page");
    auto visit = [](void* self, HeldReference h) { static_cast<Checker*>(self)->hold(h.frame, h.type, "a subsystem"); };
    cpu_report_held_references(d, visit, this);
    events_report_held_references(d, visit, this);
    grants_report_held_references(d, visit, this);
  }

  void compare() {
    const FrameTable& ft = frame_table();
    for (uint64_t i = 0; i < frames_; ++i) {
      const FrameInfo& fi = ft.info(Mfn{i});
      const Expected& e = expected_[i];
      if (fi.owner == kOwnerHypervisor) continue;
      const bool counts_differ = fi.ref_count != e.refs || fi.type_count != e.types;
      const bool type_differs = e.types > 0 && fi.type != e.type;
      if (counts_differ || type_differs) {
        Text t;
        t << "frame " << i << ": refs " << uint64_t{fi.ref_count} << " (expected " << uint64_t{e.refs}
          << "), type " << static_cast<uint64_t>(fi.type) << " x" << uint64_t{fi.type_count} << " (expected "
          << static_cast<uint64_t>(e.type) << " x" << uint64_t{e.types} << ")";
        fail(t);
      }
      if (is_page_table(fi.type) && fi.type_count > 0 && (fi.flags & (kFrameValidated | kFramePartial)) == 0) {
        Text t;
        t << "frame " << i << " is a page table in use but not validated";
        fail(t);
      }
    }
  }

 private:
  InvariantReport& report_;
  Expected* expected_ = nullptr;
  uint64_t frames_ = 0;
};

}  // namespace

InvariantReport check_invariants() {
  InvariantReport report;
  Checker checker(report);
  if (!checker.init()) {
    report.violations = 1;
    report.first << "no memory to check invariants";
    return report;
  }
  for_each_domain([&](Domain& d) { checker.collect(d); });
  checker.compare();
  return report;
}

}  // namespace hv

// Subsystems that hold no frames yet report nothing; a subsystem that takes
// references defines these for real (and the checker fails until it does).
namespace hv {
__attribute__((weak)) void cpu_report_held_references(Domain&, HeldReferenceVisitor, void*) {}
__attribute__((weak)) void events_report_held_references(Domain&, HeldReferenceVisitor, void*) {}
__attribute__((weak)) void grants_report_held_references(Domain&, HeldReferenceVisitor, void*) {}
}  // namespace hv
