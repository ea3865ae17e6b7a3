// hv-core/core/batch.h: the batch contract of pvabi/mmu.h, in one place.
// Items run in order; each is decoded and validated, then performed, so it
// happens whole or not at all; on any return *done counts the items
// performed, and a failure reports item *done's status. A preemption request
// stops the batch between items with PVABI_ERESTART.
#ifndef HV_CORE_CORE_BATCH_H
#define HV_CORE_CORE_BATCH_H

#include "base.h"
#include "guest_access.h"

namespace hv {

// Runs `perform(const Item&) -> Status` over `count` items at guest address
// `list`, writing the done count to `done_ptr` unless it is 0.
template <typename Item, typename Perform>
[[nodiscard]] Status run_batch(Vcpu& v, Gva list, uint64_t count, uint64_t max_count, Gva done_ptr,
                               Perform&& perform) {
  if (count > max_count) return Status::kTooBig;
  // Probe the done count first, so a bad pointer fails before anything happens.
  if (done_ptr.value() != 0) {
    if (const Status s = write_guest(v, done_ptr, uint32_t{0}); s != Status::kOk) return s;
  }
  // Items are copied in chunks (one page walk per chunk, not per item); a
  // chunk that faults is retried item by item so the fault lands on the
  // exact item.
  constexpr uint64_t kChunk = 512 / sizeof(Item) > 0 ? 512 / sizeof(Item) : 1;
  Item chunk[kChunk];
  uint64_t chunk_start = 0, chunk_len = 0;
  Status status = Status::kOk;
  uint64_t done = 0;
  for (; done < count; ++done) {
    if (done > 0 && platform::preemption_requested()) {
      status = Status::kRestart;
      break;
    }
    if (done >= chunk_start + chunk_len) {
      chunk_start = done;
      chunk_len = count - done < kChunk ? count - done : kChunk;
      if (copy_from_guest(v, list + done * sizeof(Item), chunk, chunk_len * sizeof(Item)) != Status::kOk) {
        chunk_len = 1;
        status = read_guest(v, list + done * sizeof(Item), &chunk[0]);
        if (status != Status::kOk) break;
      }
    }
    status = perform(chunk[done - chunk_start]);
    if (status != Status::kOk) break;
  }
  if (done_ptr.value() != 0) {
    // The probe succeeded and the batch cannot unmap it, but a mapping may
    // have changed under it: then the guest gets EFAULT, as documented.
    if (const Status s = write_guest(v, done_ptr, static_cast<uint32_t>(done)); s != Status::kOk) return s;
  }
  return status;
}

}  // namespace hv

#endif  // HV_CORE_CORE_BATCH_H
