/*
 * libpv/grant.h: grant tables (pvabi/grant.h): offering frames to another
 * domain, and mapping or copying frames another domain offers.
 *
 *     uint64_t frames[1];
 *     pv_grant_setup_table(1, frames);            // then map frames[0] writable
 *     struct pvabi_grant_entry *table = ...;       // that mapping
 *     pv_grant_entry_set(&table[ref], backend_dom, ring_mfn, 0);
 *     ...
 *     if (pv_grant_entry_revoke(&table[ref]) == PVABI_EBUSY) retry_later();
 *
 * The batch operations return the call's failure, or else the first failing
 * item's status; every item's own status stays in its struct.
 */
#ifndef LIBPV_GRANT_H
#define LIBPV_GRANT_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_grant_entry_set: offer machine frame `frame` to domain `domid`
 * (readonly != 0: for reading only). Writes frame and domid, then the flags
 * after a write barrier, so the hypervisor never sees a half-written entry.
 * The entry must be unused (flags 0).
 */
void pv_grant_entry_set(struct pvabi_grant_entry *e, uint16_t domid, uint32_t frame, int readonly);

/**
 * pv_grant_entry_revoke: withdraw the offer, atomically, unless the grantee
 * has it mapped.
 * status: PVABI_OK (the entry is free again); PVABI_EBUSY (READING or
 *   WRITING is set: try again after the grantee unmaps); PVABI_ENOENT (the
 *   entry offered nothing).
 */
PV_NODISCARD int pv_grant_entry_revoke(struct pvabi_grant_entry *e);

/**
 * pv_grant_setup_table: size this domain's grant table to nr_frames.
 * out: frames[0..nr_frames) = its machine frames.
 * status: as PVABI_GNTTABOP_SETUP_TABLE (PVABI_E2BIG, PVABI_EFAULT, PVABI_ENOMEM).
 */
PV_NODISCARD int pv_grant_setup_table(uint32_t nr_frames, uint64_t *frames);

/**
 * pv_grant_query_size: how large domain `dom`'s grant table is.
 * out: *nr_frames, *max_frames. status: as PVABI_GNTTABOP_QUERY_SIZE.
 */
PV_NODISCARD int pv_grant_query_size(uint16_t dom, uint32_t *nr_frames, uint32_t *max_frames);

/**
 * pv_grant_map: map `count` (<= PVABI_GNTTAB_BATCH_MAX) granted frames.
 * out: each op's handle, frame and status.
 * status: see the banner; PVABI_E2BIG.
 */
PV_NODISCARD int pv_grant_map(struct pvabi_gnttab_map_grant_ref *ops, uint32_t count);

/** pv_grant_unmap: undo maps. out: each op's status. status: see the banner. */
PV_NODISCARD int pv_grant_unmap(struct pvabi_gnttab_unmap_grant_ref *ops, uint32_t count);

/** pv_grant_copy: copy between granted and own frames (PVABI_FEATURE0_GRANT_COPY). status: see the banner. */
PV_NODISCARD int pv_grant_copy(struct pvabi_gnttab_copy *ops, uint32_t count);

PV_END_DECLS

#endif /* LIBPV_GRANT_H */
