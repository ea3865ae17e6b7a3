// hv-core/core/grant.h: grant tables, PVABI_HC_GRANT_TABLE_OP (pvabi/grant.h).
//
// A granting domain's table lives in up to kMaxGrantFrames frames it owns;
// the hypervisor holds a general and a writable-type reference on each for
// the table's life, so the guest may map them writable and they can never
// become page tables. Beside the guest-visible entries the core keeps, per
// reference, how many mappings (and writable ones) use it: READING stays set
// in the entry while any mapping or copy uses it, WRITING while a writable
// one does, and both are set with a compare-and-swap on the entry's flags
// and domid, so a granter's revoke either wins before or fails after.
//
// A grantee's mappings are tracked in its maptrack table: handle -> (granter,
// ref, frame, host_addr, the L1 table and slot, read-only). A mapping ends
// through UNMAP_GRANT_REF, or when the L1 table holding it is devalidated
// (unpinned, or its domain destroyed): page_table.cc then calls
// grant_mapping_dropped, which flushes the mapper's TLBs before the granter's
// entry says the frame is free. A domain's own grants cannot be mapped or
// copied through the grant table (EPERM): its own frames go through
// mmu_update.
//
// A granter destroyed while its frames are mapped: the frames live on (each
// mapping holds a reference) until the grantee unmaps; the grantee's
// maptrack entries are marked as orphaned so that nothing is written to the
// granter's table, which is gone.
//
//     grant_teardown(d);  // from destroy_domain, before d's tables go
#ifndef HV_CORE_CORE_GRANT_H
#define HV_CORE_CORE_GRANT_H

#include "hypercall.h"

namespace hv {

class Domain;

inline constexpr uint32_t kMaxGrantFrames = 4;       // pvabi_limits.max_grant_frames
inline constexpr uint32_t kMaxGrantMappings = 1024;  // maptrack handles per domain

int64_t hc_grant_table_op(Vcpu& v, const HypercallArgs& args);

// PVABI_GNTTABOP_COPY's work for one item, statuses as pvabi/grant.h says,
// without the feature check (the hypercall answers ENOSYS per item until
// feature_word(0) offers PVABI_FEATURE0_GRANT_COPY). Ignores op.status.
[[nodiscard]] Status grant_copy(Domain& caller, const pvabi_gnttab_copy& op);

// page_table.cc calls this when an L1 entry of `mapper` that maps a frame it
// does not own goes away (unmap, overwrite refused, table devalidated).
void grant_mapping_dropped(Domain& mapper, Mfn frame);
// The invariant checker asks whether `mapper` may map `frame` of another domain.
[[nodiscard]] bool grant_allows_mapping(const Domain& mapper, Mfn frame);

// Ends d's part in grants: unmaps its mappings of others' grants, orphans
// others' mappings of its grants, lets go of its table frames and frees its
// state. Idempotent; the domain may be used afterwards (its state starts over).
void grant_teardown(Domain& d);

// Frames in d's grant table. They are owned by d (Domain::nr_frames counts
// them) but are not part of its memory reservation.
[[nodiscard]] uint32_t grant_table_frames(const Domain& d);

}  // namespace hv

#endif  // HV_CORE_CORE_GRANT_H
