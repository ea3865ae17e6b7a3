// Multicall batches (libpv/multicall.h).
#include <libpv/multicall.h>

#include "batch.h"

using namespace libpv;

namespace {

int append(pv_multicall* mc, uint64_t op, const uint64_t (&args)[6]) {
  if (mc->count == mc->capacity) return PVABI_ENOSPC;
  mc->flushed = 0;  // the last flush's results are being overwritten
  pvabi_multicall_entry& e = mc->entries[mc->count++];
  e.op = op;
  e.result = 0;
  for (unsigned i = 0; i < 6; ++i) e.args[i] = args[i];
  return PVABI_OK;
}

// `bytes` (a multiple of 8) of payload, or nullptr when it does not fit.
uint64_t* reserve(pv_multicall* mc, size_t bytes) {
  const size_t words = bytes / 8;
  if (words > mc->payload_words - mc->payload_used) return nullptr;
  uint64_t* p = mc->payload + mc->payload_used;
  mc->payload_used += static_cast<uint32_t>(words);
  return p;
}

// Where a guest address inside the payload lives in this address space.
uint64_t* payload_at(const pv_multicall* mc, uint64_t va) {
  return mc->payload + (va - guest_va(mc->payload)) / 8;
}

// An mmu_update or mmuext_op entry: a done word, then a copy of the items.
template <typename Item>
int add_list(pv_multicall* mc, uint64_t op, const Item* items, uint32_t count, uint16_t domid) {
  static_assert(sizeof(Item) % 8 == 0);
  if (count == 0 || count > PVABI_MMU_BATCH_MAX) return PVABI_EINVAL;
  if (mc->count == mc->capacity) return PVABI_ENOSPC;
  uint64_t* block = reserve(mc, 8 + sizeof(Item) * count);
  if (block == nullptr) return PVABI_ENOSPC;
  block[0] = 0;
  __builtin_memcpy(block + 1, items, sizeof(Item) * count);
  return append(mc, op, {guest_va(block + 1), count, guest_va(block), domid, 0, 0});
}

// Finishes a list entry that was preempted inside the multicall.
template <typename Item>
int64_t finish_list(const pv_multicall* mc, const pvabi_multicall_entry& e) {
  const auto* items = reinterpret_cast<const Item*>(payload_at(mc, e.args[0]));
  const uint32_t done = *reinterpret_cast<const uint32_t*>(payload_at(mc, e.args[2]));
  const auto count = static_cast<uint32_t>(e.args[1]);
  if (done >= count) return PVABI_OK;
  return run_mmu_batch(e.op, items + done, count - done, static_cast<uint16_t>(e.args[3]), nullptr);
}

// mmu_update and mmuext_op entries of [0, performed) that came back
// PVABI_ERESTART are completed now, in entry order.
void finish_preempted(pv_multicall* mc, uint32_t performed) {
  for (uint32_t i = 0; i < performed; ++i) {
    pvabi_multicall_entry& e = mc->entries[i];
    if (e.result != PVABI_ERESTART) continue;
    if (e.op == PVABI_HC_MMU_UPDATE) e.result = finish_list<pvabi_mmu_update>(mc, e);
    if (e.op == PVABI_HC_MMUEXT_OP) e.result = finish_list<pvabi_mmuext_op>(mc, e);
  }
}

}  // namespace

extern "C" int pv_multicall_init(pv_multicall* mc, pvabi_multicall_entry* entries, uint32_t capacity,
                                 uint64_t* payload, size_t payload_bytes) {
  if (mc == nullptr || entries == nullptr || capacity == 0 || capacity > PVABI_MULTICALL_MAX ||
      payload_bytes % 8 != 0 || (payload_bytes != 0 && payload == nullptr) ||
      payload_bytes / 8 > 0xffffffffu) {
    return PVABI_EINVAL;
  }
  *mc = pv_multicall{entries, payload, capacity, 0, 0, 0, static_cast<uint32_t>(payload_bytes / 8), 0};
  return PVABI_OK;
}

extern "C" int pv_multicall_add(pv_multicall* mc, uint64_t op, const uint64_t* args, unsigned nargs) {
  if (nargs > 6 || (nargs > 0 && args == nullptr) || op == PVABI_HC_MULTICALL || op == PVABI_HC_IRET) {
    return PVABI_EINVAL;
  }
  uint64_t all[6] = {};
  for (unsigned i = 0; i < nargs; ++i) all[i] = args[i];
  return append(mc, op, all);
}

extern "C" int pv_multicall_add_mmu_update(pv_multicall* mc, const pvabi_mmu_update* items, uint32_t count,
                                           uint16_t domid) {
  return add_list(mc, PVABI_HC_MMU_UPDATE, items, count, domid);
}

extern "C" int pv_multicall_add_mmu_queue(pv_multicall* mc, pv_mmu_queue* q) {
  if (q->count == 0) return PVABI_OK;
  const int rc = add_list(mc, PVABI_HC_MMU_UPDATE, q->slots, q->count, q->domid);
  if (rc == PVABI_OK) q->count = 0;
  return rc;
}

extern "C" int pv_multicall_add_mmuext(pv_multicall* mc, const pvabi_mmuext_op* ops, uint32_t count,
                                       uint16_t domid) {
  return add_list(mc, PVABI_HC_MMUEXT_OP, ops, count, domid);
}

extern "C" int pv_multicall_add_update_va_mapping(pv_multicall* mc, uint64_t va, uint64_t pte, uint32_t flags) {
  return append(mc, PVABI_HC_UPDATE_VA_MAPPING, {va, pte, flags, 0, 0, 0});
}

extern "C" int pv_multicall_add_evtchn_send(pv_multicall* mc, uint32_t port) {
  if (mc->count == mc->capacity) return PVABI_ENOSPC;
  uint64_t* arg = reserve(mc, sizeof(pvabi_evtchn_port));
  if (arg == nullptr) return PVABI_ENOSPC;
  *reinterpret_cast<pvabi_evtchn_port*>(arg) = pvabi_evtchn_port{port, 0};
  return append(mc, PVABI_HC_EVENT_CHANNEL_OP, {PVABI_EVTCHNOP_SEND, guest_va(arg), 0, 0, 0, 0});
}

extern "C" int pv_multicall_flush(pv_multicall* mc) {
  const uint32_t n = mc->count;
  mc->count = 0;
  mc->flushed = n;
  if (n == 0) return PVABI_OK;
  pvabi_multicall_entry* entries = mc->entries;
  const int rc = run_batch(n, &mc->failed, [&](uint32_t first, uint32_t k, uint32_t* done) {
    return hc(PVABI_HC_MULTICALL, arg_out(entries + first, k * sizeof *entries), k, arg_out(done, sizeof *done));
  });
  finish_preempted(mc, rc == PVABI_OK ? n : mc->failed);
  mc->payload_used = 0;
  if (rc != PVABI_OK) return rc;
  for (uint32_t i = 0; i < n; ++i) {
    if (entries[i].result < 0) {
      mc->failed = i;
      return status(entries[i].result);
    }
  }
  return PVABI_OK;
}

extern "C" int64_t pv_multicall_result(const pv_multicall* mc, uint32_t index) {
  return index < mc->flushed ? mc->entries[index].result : PVABI_ERANGE;
}

extern "C" uint32_t pv_multicall_failed_index(const pv_multicall* mc) { return mc->failed; }

extern "C" uint32_t pv_multicall_pending(const pv_multicall* mc) { return mc->count; }
