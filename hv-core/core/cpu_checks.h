// hv-core/core/cpu_checks.h: the rules the de-privileged CPU applies to
// values a guest hands it: addresses, stack pointers, selectors and segment
// descriptors (pvabi/cpu.h). Pure functions, so the hypercalls, vCPU
// initialisation and fuzzers share one definition of "acceptable".
//
// The guest kernel and guest user both run in ring 3, so every selector and
// descriptor a guest may use is a ring-3 one: nothing it installs can lead
// the CPU into ring 0, or make the hypervisor enter guest code at ring 0.
#ifndef HV_CORE_CORE_CPU_CHECKS_H
#define HV_CORE_CORE_CPU_CHECKS_H

#include "base.h"

namespace hv {

// An address the guest may name: canonical and outside the reserved range.
[[nodiscard]] constexpr bool is_guest_address(uint64_t va) {
  return Gva{va}.canonical() && !pvabi::in_reserved_range(Gva{va});
}

// A kernel stack top for stack_switch: a guest address, 16-byte aligned so
// every bounce frame (a multiple of 16 bytes) lands aligned.
[[nodiscard]] constexpr bool is_kernel_stack_pointer(uint64_t sp) {
  return is_guest_address(sp) && (sp & 15) == 0;
}

// ---- Selectors ----

enum class SelectorUse { kCode, kData };

// A selector the hypervisor may load for the guest (trap and callback
// entries, the kernel stack, iret and vCPU context): one of its flat ring-3
// selectors, which every address space has. A selector of the guest's own
// GDT is refused: the x86-64 arch runs guests on the hypervisor's GDT, where
// that index may be a ring-0 segment or nothing, and loading it would fault
// inside the hypervisor. LDT selectors are refused for the same reason.
[[nodiscard]] constexpr bool is_guest_selector(uint64_t sel, SelectorUse use) {
  return use == SelectorUse::kCode ? sel == PVABI_FLAT_CS64 || sel == PVABI_FLAT_CS32 : sel == PVABI_FLAT_DS;
}

// ---- Segment descriptors (the 8-byte legacy format) ----

namespace descriptor {
inline constexpr uint64_t kConforming = 1ull << 42;  // for code; expand-down for data
inline constexpr uint64_t kCode = 1ull << 43;
inline constexpr uint64_t kCodeOrData = 1ull << 44;  // S: clear for system descriptors and gates
inline constexpr unsigned kDplShift = 45;
inline constexpr uint64_t kPresent = 1ull << 47;
inline constexpr uint64_t kLong = 1ull << 53;       // L: 64-bit code
inline constexpr uint64_t kDefault32 = 1ull << 54;  // D/B
inline constexpr uint64_t kGranularity = 1ull << 55;

[[nodiscard]] constexpr unsigned dpl(uint64_t d) { return static_cast<unsigned>((d >> kDplShift) & 3); }

// Bases and limits are 32-bit, so no code or data segment reaches past
// 8 GiB, far below the reserved range: "does not reach the reserved range"
// holds for every such descriptor and needs no check at run time.
inline constexpr uint64_t kMaxSegmentEnd = 0xffffffffull + 0xffffffffull;
static_assert(kMaxSegmentEnd < PVABI_HV_VIRT_START);
}  // namespace descriptor

inline constexpr uint64_t kDescriptorsPerFrame = PVABI_PAGE_SIZE / 8;

// The frames a GDT of `entries` descriptors spans.
[[nodiscard]] constexpr uint64_t gdt_frames_for(uint64_t entries) {
  return (entries + kDescriptorsPerFrame - 1) / kDescriptorsPerFrame;
}

// A descriptor the guest may install (set_gdt, update_descriptor): null, or
// a code or data segment with DPL 3. Refused: system descriptors (LDT, TSS)
// and call, interrupt and trap gates, whose 64-bit targets would lead into
// ring 0 or the reserved range; DPL 0-2; conforming code, which keeps the
// caller's privilege, so a ring-0 transfer into it would run guest code at
// ring 0; and code with both L and D set, which the CPU reserves.
[[nodiscard]] constexpr bool is_guest_descriptor(uint64_t d) {
  using namespace descriptor;
  if (d == 0) return true;
  if ((d & kCodeOrData) == 0 || dpl(d) != 3) return false;
  if ((d & kCode) == 0) return true;
  return (d & kConforming) == 0 && (d & (kLong | kDefault32)) != (kLong | kDefault32);
}

}  // namespace hv

#endif  // HV_CORE_CORE_CPU_CHECKS_H
