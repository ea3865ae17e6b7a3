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
  Status status = Status::kOk;
  uint64_t done = 0;
  for (; done < count; ++done) {
    if (done > 0 && platform::preemption_requested()) {
      status = Status::kRestart;
      break;
    }
    Item item;
    status = read_guest(v, list + done * sizeof(Item), &item);
    if (status == Status::kOk) status = perform(item);
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
