// hv-core/core/invariants.h: the MMU invariant checker of PV-MMU-RULES.md.
// Recomputes, from scratch, every frame's references and type from what can
// hold them (validated page tables' entries, pins, base pointers, and the
// holds other subsystems report), compares with the frame table, and checks
// that no frame is both a page table and writable-mapped and that no domain
// maps a frame it does not own. Tests, fuzzers and pvsim --check run it after
// every operation; it is O(machine frames), not for production paths.
#ifndef HV_CORE_CORE_INVARIANTS_H
#define HV_CORE_CORE_INVARIANTS_H

#include "base.h"
#include "frame_table.h"
#include "text.h"

namespace hv {

class Domain;

struct InvariantReport {
  uint64_t violations = 0;
  Text first;  // the first violation found
  [[nodiscard]] bool ok() const { return violations == 0; }
};

// A reference a subsystem holds outside page tables (a GDT frame, an event
// array page): `type` is FrameType::kNone for a general reference only.
struct HeldReference {
  Mfn frame;
  FrameType type;
};
using HeldReferenceVisitor = void (*)(void* context, HeldReference held);

// Subsystems that hold frames report them here (defined by each subsystem).
void cpu_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context);
void events_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context);
void grants_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context);

[[nodiscard]] InvariantReport check_invariants();

}  // namespace hv

#endif  // HV_CORE_CORE_INVARIANTS_H
