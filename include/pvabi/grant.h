/*
 * pvabi/grant.h: grant tables: how one domain lets another map or copy a
 * frame of its own, for split drivers and shared rings.
 *
 * The granting domain fills an entry of its grant table (frames it owns,
 * shared with the hypervisor after PVABI_GNTTABOP_SETUP_TABLE): the frame,
 * the domain allowed to use it, then the flags, last. The grantee maps the
 * grant by (granting domain, reference); while it is mapped the hypervisor
 * holds PVABI_GTF_READING/WRITING in the entry, and the granter must not
 * reuse the entry until both are clear.
 *
 * Writing an entry: store frame and domid, write barrier, store flags.
 * Revoking: compare-and-swap flags from (PERMIT_ACCESS | ...) to 0; it fails
 * while READING or WRITING is set.
 *
 * Every operation is PVABI_HC_GRANT_TABLE_OP(cmd, ops, count): ops = guest
 * address of `count` structs of the command's type (count <=
 * PVABI_GNTTAB_BATCH_MAX). Each struct has its own `status`, so one item's
 * failure does not stop the others. The call returns PVABI_OK when every
 * item was processed (look at each status), PVABI_EFAULT when the list
 * cannot be read or written (items before the fault were processed and
 * their status written), PVABI_E2BIG, or PVABI_ENOSYS for an unknown cmd.
 */
#ifndef PVABI_GRANT_H
#define PVABI_GRANT_H

#include <pvabi/base.h>

#define PVABI_GNTTAB_BATCH_MAX 512
#define PVABI_GNTTAB_ENTRIES_PER_FRAME 512

struct pvabi_grant_entry {
  uint16_t flags; /* PVABI_GTF_* */
  uint16_t domid; /* who may use it */
  uint32_t frame; /* machine frame being granted */
};
PVABI_ASSERT_SIZE(pvabi_grant_entry, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_grant_entry, flags, 0);
PVABI_ASSERT_OFFSET(pvabi_grant_entry, domid, 2);
PVABI_ASSERT_OFFSET(pvabi_grant_entry, frame, 4);
#define PVABI_GTF_PERMIT_ACCESS 1u
#define PVABI_GTF_READONLY 4u
/* Set and cleared by the hypervisor only. */
#define PVABI_GTF_READING 8u
#define PVABI_GTF_WRITING 16u

/**
 * PVABI_GNTTABOP_SETUP_TABLE: size the caller's grant table and learn its
 * frames.
 * in: nr_frames <= the domain's max_grant_frames (pvabi_limits);
 *   frame_list = guest address with room for nr_frames pvabi_u64.
 * out: frame_list[0..nr_frames) = machine frames of the table, which the
 *   guest maps writable; status.
 * status: PVABI_OK; PVABI_E2BIG (nr_frames); PVABI_EFAULT (frame_list);
 *   PVABI_ENOMEM. A table only grows; asking for fewer frames than it has
 *   returns the existing ones.
 */
#define PVABI_GNTTABOP_SETUP_TABLE 0
struct pvabi_gnttab_setup_table {
  pvabi_u64 frame_list;
  uint32_t nr_frames;
  int32_t status;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_setup_table, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_setup_table, frame_list, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_setup_table, nr_frames, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_setup_table, status, 12);

/**
 * PVABI_GNTTABOP_MAP_GRANT_REF: map a frame granted by domain `dom`.
 * in: host_addr = guest-virtual address to map it at (its L1 table must
 *   exist; the entry must be non-present); flags = PVABI_GNTMAP_READONLY or
 *   0; ref; dom.
 * out: handle (for unmap), frame (the machine frame, for DMA-free peers),
 *   status.
 * status: PVABI_OK; PVABI_ESRCH (dom); PVABI_ERANGE (ref past the granter's
 *   table); PVABI_EPERM (entry does not permit the caller, or a writable
 *   map of a read-only grant); PVABI_EINVAL (host_addr, flags, mapping
 *   slot in use); PVABI_ENOSPC (no free handle); PVABI_EBUSY (the frame's
 *   type does not allow the mapping). On failure nothing is mapped.
 */
#define PVABI_GNTTABOP_MAP_GRANT_REF 1
#define PVABI_GNTMAP_READONLY 1u
struct pvabi_gnttab_map_grant_ref {
  pvabi_u64 host_addr;
  uint32_t flags;
  uint32_t ref;
  uint16_t dom;
  uint16_t _pad0;
  uint32_t handle;
  pvabi_u64 frame;
  int32_t status;
  uint32_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_map_grant_ref, 40, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, host_addr, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, flags, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, ref, 12);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, dom, 16);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, _pad0, 18);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, handle, 20);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, frame, 24);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, status, 32);
PVABI_ASSERT_OFFSET(pvabi_gnttab_map_grant_ref, _pad1, 36);

/**
 * PVABI_GNTTABOP_UNMAP_GRANT_REF: undo a map.
 * in: host_addr and handle from the map.
 * out: status. The mapping is removed, the TLBs of the caller's vCPUs are
 *   flushed, and only then is READING/WRITING cleared in the granter's entry.
 * status: PVABI_OK; PVABI_ENOENT (no such handle); PVABI_EINVAL (host_addr
 *   does not hold that mapping).
 */
#define PVABI_GNTTABOP_UNMAP_GRANT_REF 2
struct pvabi_gnttab_unmap_grant_ref {
  pvabi_u64 host_addr;
  uint32_t handle;
  int32_t status;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_unmap_grant_ref, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_unmap_grant_ref, host_addr, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_unmap_grant_ref, handle, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_unmap_grant_ref, status, 12);

/**
 * PVABI_GNTTABOP_COPY: copy bytes between a granted frame and one of the
 * caller's, without mapping (PVABI_FEATURE0_GRANT_COPY).
 * in: source and dest: each either a grant (PVABI_GNTCOPY_*_GREF set in
 *   flags: `ref` of domain `dom`) or a frame the caller owns (`frame`);
 *   offset + len within one page on both sides.
 * out: status.
 * status: PVABI_OK; PVABI_ENOSYS (feature not offered); PVABI_EINVAL
 *   (offset/len, flags); PVABI_EPERM; PVABI_ERANGE; PVABI_ESRCH; PVABI_EBUSY
 *   (destination frame is a page table). On failure nothing is copied.
 */
#define PVABI_GNTTABOP_COPY 3
#define PVABI_GNTCOPY_SOURCE_GREF 1u
#define PVABI_GNTCOPY_DEST_GREF 2u
struct pvabi_gnttab_copy_ptr {
  pvabi_u64 frame; /* when not a grant */
  uint32_t ref;    /* when a grant */
  uint16_t dom;
  uint16_t offset;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_copy_ptr, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy_ptr, frame, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy_ptr, ref, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy_ptr, dom, 12);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy_ptr, offset, 14);
struct pvabi_gnttab_copy {
  struct pvabi_gnttab_copy_ptr source;
  struct pvabi_gnttab_copy_ptr dest;
  uint16_t len;
  uint16_t flags;
  int32_t status;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_copy, 40, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy, source, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy, dest, 16);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy, len, 32);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy, flags, 34);
PVABI_ASSERT_OFFSET(pvabi_gnttab_copy, status, 36);

/**
 * PVABI_GNTTABOP_QUERY_SIZE: how large a grant table is.
 * in: dom (PVABI_DOMID_SELF, or another with privilege).
 * out: nr_frames, max_nr_frames, status.
 * status: PVABI_OK; PVABI_ESRCH; PVABI_EPERM.
 */
#define PVABI_GNTTABOP_QUERY_SIZE 4
struct pvabi_gnttab_query_size {
  uint16_t dom;
  uint16_t _pad0;
  uint32_t nr_frames;
  uint32_t max_nr_frames;
  int32_t status;
};
PVABI_ASSERT_SIZE(pvabi_gnttab_query_size, 16, 4);
PVABI_ASSERT_OFFSET(pvabi_gnttab_query_size, dom, 0);
PVABI_ASSERT_OFFSET(pvabi_gnttab_query_size, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_gnttab_query_size, nr_frames, 4);
PVABI_ASSERT_OFFSET(pvabi_gnttab_query_size, max_nr_frames, 8);
PVABI_ASSERT_OFFSET(pvabi_gnttab_query_size, status, 12);

#endif /* PVABI_GRANT_H */
