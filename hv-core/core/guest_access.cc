#include "guest_access.h"

#include "domain.h"
#include "frame_table.h"

namespace hv {
namespace {

bool guest_range_ok(Gva va) { return va.canonical() && !pvabi::in_reserved_range(va); }

// Walks L4..L2 from the kernel base pointer; returns the L1 table frame.
Result<Mfn> walk_to_l1(Vcpu& v, Gva va, bool write) {
  if (!guest_range_ok(va) || v.kernel_baseptr == kNoFrame) return Result<Mfn>::error(Status::kFault);
  Mfn table = v.kernel_baseptr;
  for (unsigned level = 4; level > 1; --level) {
    const uint64_t e = load_entry(&table_entries(table)[va.table_index(level)]);
    if ((e & PVABI_PTE_PRESENT) == 0 || (write && (e & PVABI_PTE_WRITABLE) == 0)) {
      return Result<Mfn>::error(Status::kFault);
    }
    table = Pte{e}.frame();
    if (!frame_table().in_range(table)) return Result<Mfn>::error(Status::kFault);
  }
  return Result<Mfn>::ok(table);
}

template <bool kWrite, typename Bytes>
Status copy(Vcpu& v, Gva va, Bytes* buf, size_t len) {
  while (len > 0) {
    const Result<Maddr> m = translate(v, va, kWrite);
    if (!m.is_ok()) return m.status;
    const size_t chunk = PVABI_PAGE_SIZE - va.page_offset() < len ? PVABI_PAGE_SIZE - va.page_offset() : len;
    uint8_t* frame = platform::frame_memory(m.value.frame()) + m.value.page_offset();
    if constexpr (kWrite) {
      copy_bytes(frame, buf, chunk);
    } else {
      copy_bytes(buf, frame, chunk);
    }
    buf += chunk;
    va = va + chunk;
    len -= chunk;
  }
  return Status::kOk;
}

}  // namespace

uint64_t* table_entries(Mfn table) { return reinterpret_cast<uint64_t*>(platform::frame_memory(table)); }

Result<Maddr> translate(Vcpu& v, Gva va, bool write) {
  const Result<Mfn> l1 = walk_to_l1(v, va, write);
  if (!l1.is_ok()) return Result<Maddr>::error(l1.status);
  const uint64_t e = load_entry(&table_entries(l1.value)[va.table_index(1)]);
  if ((e & PVABI_PTE_PRESENT) == 0 || (write && (e & PVABI_PTE_WRITABLE) == 0)) {
    return Result<Maddr>::error(Status::kFault);
  }
  const Mfn frame = Pte{e}.frame();
  if (!frame_table().in_range(frame)) return Result<Maddr>::error(Status::kFault);
  return Result<Maddr>::ok(frame.address() + va.page_offset());
}

Status copy_from_guest(Vcpu& v, Gva src, void* dst, size_t len) {
  return copy<false>(v, src, static_cast<uint8_t*>(dst), len);
}

Status copy_to_guest(Vcpu& v, Gva dst, const void* src, size_t len) {
  return copy<true>(v, dst, static_cast<const uint8_t*>(src), len);
}

Result<L1Slot> find_l1_slot(Vcpu& v, Gva va) {
  const Result<Mfn> l1 = walk_to_l1(v, va, false);
  if (!l1.is_ok()) return Result<L1Slot>::error(Status::kNoEntry);
  return Result<L1Slot>::ok(L1Slot{l1.value, va.table_index(1)});
}

}  // namespace hv
