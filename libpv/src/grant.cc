// Grant entries and grant table operations (libpv/grant.h).
#include <libpv/grant.h>

#include "call.h"

using namespace libpv;

namespace {

constexpr uint16_t kInUse = PVABI_GTF_READING | PVABI_GTF_WRITING;

// A batch of grant ops: the call's failure, else the first item's.
template <typename Op>
int gnttab_batch(uint32_t cmd, Op* ops, uint32_t count) {
  if (count > PVABI_GNTTAB_BATCH_MAX) return PVABI_E2BIG;
  const int rc = status(hc(PVABI_HC_GRANT_TABLE_OP, cmd, arg_out(ops, count * sizeof *ops), count));
  if (rc < 0) return rc;
  for (uint32_t i = 0; i < count; ++i) {
    if (ops[i].status < 0) return ops[i].status;
  }
  return PVABI_OK;
}

}  // namespace

extern "C" void pv_grant_entry_set(pvabi_grant_entry* e, uint16_t domid, uint32_t frame, int readonly) {
  e->frame = frame;
  e->domid = domid;
  const auto flags = static_cast<uint16_t>(PVABI_GTF_PERMIT_ACCESS | (readonly != 0 ? PVABI_GTF_READONLY : 0u));
  __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);  // frame and domid first
}

extern "C" int pv_grant_entry_revoke(pvabi_grant_entry* e) {
  uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
  do {
    if ((flags & kInUse) != 0) return PVABI_EBUSY;
    if ((flags & PVABI_GTF_PERMIT_ACCESS) == 0) return PVABI_ENOENT;
  } while (!__atomic_compare_exchange_n(&e->flags, &flags, uint16_t{0}, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
  return PVABI_OK;
}

extern "C" int pv_grant_setup_table(uint32_t nr_frames, uint64_t* frames) {
  pvabi_gnttab_setup_table op{arg_out(frames, nr_frames * sizeof *frames), nr_frames, 0};
  return gnttab_batch(PVABI_GNTTABOP_SETUP_TABLE, &op, 1);
}

extern "C" int pv_grant_query_size(uint16_t dom, uint32_t* nr_frames, uint32_t* max_frames) {
  pvabi_gnttab_query_size op{dom, 0, 0, 0, 0};
  const int rc = gnttab_batch(PVABI_GNTTABOP_QUERY_SIZE, &op, 1);
  if (rc == PVABI_OK) {
    *nr_frames = op.nr_frames;
    *max_frames = op.max_nr_frames;
  }
  return rc;
}

extern "C" int pv_grant_map(pvabi_gnttab_map_grant_ref* ops, uint32_t count) {
  return gnttab_batch(PVABI_GNTTABOP_MAP_GRANT_REF, ops, count);
}

extern "C" int pv_grant_unmap(pvabi_gnttab_unmap_grant_ref* ops, uint32_t count) {
  return gnttab_batch(PVABI_GNTTABOP_UNMAP_GRANT_REF, ops, count);
}

extern "C" int pv_grant_copy(pvabi_gnttab_copy* ops, uint32_t count) {
  return gnttab_batch(PVABI_GNTTABOP_COPY, ops, count);
}
