// hv-core/core/guest_access.h: reading and writing guest memory by
// guest-virtual address, through the vCPU's kernel page tables, checking
// every level as the CPU would (present; writable for writes). Addresses in
// the reserved range and non-canonical ones fault. Never trusts the guest:
// a failure is PVABI_EFAULT and copies nothing further.
#ifndef HV_CORE_CORE_GUEST_ACCESS_H
#define HV_CORE_CORE_GUEST_ACCESS_H

#include "base.h"

namespace hv {

class Vcpu;

// The machine address `va` maps to in the vCPU's kernel address space.
[[nodiscard]] Result<Maddr> translate(Vcpu& v, Gva va, bool write);

[[nodiscard]] Status copy_from_guest(Vcpu& v, Gva src, void* dst, size_t len);
[[nodiscard]] Status copy_to_guest(Vcpu& v, Gva dst, const void* src, size_t len);

template <typename T>
[[nodiscard]] Status read_guest(Vcpu& v, Gva src, T* out) {
  return copy_from_guest(v, src, out, sizeof(T));
}
template <typename T>
[[nodiscard]] Status write_guest(Vcpu& v, Gva dst, const T& value) {
  return copy_to_guest(v, dst, &value, sizeof(T));
}

// The L1 table and slot that map `va` (for update_va_mapping): ENOENT if an
// upper level is not present.
struct L1Slot {
  Mfn table;
  unsigned slot;
};
[[nodiscard]] Result<L1Slot> find_l1_slot(Vcpu& v, Gva va);

// An entry of a table frame, read atomically.
[[nodiscard]] uint64_t* table_entries(Mfn table);
[[nodiscard]] inline uint64_t load_entry(const uint64_t* e) { return __atomic_load_n(e, __ATOMIC_RELAXED); }

}  // namespace hv

#endif  // HV_CORE_CORE_GUEST_ACCESS_H
