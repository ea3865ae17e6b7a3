/*
 * pvabi/memory.h: the domain's memory reservation.
 *
 * A domain owns a set of machine frames, at most its maximum reservation. It
 * can give frames back (balloon down) and ask for more (balloon up), and
 * learn where the read-only machine-to-pseudo-physical table is.
 *
 *     struct pvabi_memory_reservation r = {.frame_list = (uint64_t)frames,
 *                                          .count = n, .domid = PVABI_DOMID_SELF};
 *     int64_t got = pv_hypercall2(PVABI_HC_MEMORY_OP, PVABI_MEMOP_INCREASE_RESERVATION, (uint64_t)&r);
 */
#ifndef PVABI_MEMORY_H
#define PVABI_MEMORY_H

#include <pvabi/base.h>

struct pvabi_memory_reservation {
  pvabi_u64 frame_list; /* guest address of `count` pvabi_u64 frame numbers */
  uint32_t count;
  uint16_t domid;       /* PVABI_DOMID_SELF, or another with privilege */
  uint16_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_memory_reservation, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_memory_reservation, frame_list, 0);
PVABI_ASSERT_OFFSET(pvabi_memory_reservation, count, 8);
PVABI_ASSERT_OFFSET(pvabi_memory_reservation, domid, 12);
PVABI_ASSERT_OFFSET(pvabi_memory_reservation, _pad0, 14);

/**
 * PVABI_HC_MEMORY_OP(PVABI_MEMOP_INCREASE_RESERVATION, arg): ask for frames.
 * in: arg = guest address of a struct pvabi_memory_reservation; count <=
 *   PVABI_MEMOP_MAX_FRAMES.
 * out: returns the number of frames allocated (>= 0, may be less than count
 *   when the reservation or the machine runs out); frame_list[0..n) holds
 *   their machine frame numbers. The new frames are zeroed, have no type,
 *   and have no pseudo-physical frame until the guest sets one with
 *   PVABI_MMU_MACHPHYS_UPDATE.
 * status: PVABI_EFAULT (frame_list unwritable: frames allocated before the
 *   fault were released again, nothing changed); PVABI_E2BIG; PVABI_EINVAL
 *   (_pad0); PVABI_ESRCH, PVABI_EPERM (domid).
 */
#define PVABI_MEMOP_INCREASE_RESERVATION 0
/**
 * PVABI_HC_MEMORY_OP(PVABI_MEMOP_DECREASE_RESERVATION, arg): give frames back.
 * in: arg as above; frame_list[0..count) = machine frames to release.
 * out: returns the number released (>= 0), counting from the first. A frame
 *   that is owned but still referenced (mapped, pinned, typed) stops the
 *   batch there.
 * status: PVABI_EFAULT; PVABI_E2BIG; PVABI_EINVAL; PVABI_ESRCH; PVABI_EPERM;
 *   a failure on the first frame is returned as its status: PVABI_EPERM
 *   (not owned), PVABI_ERANGE (frame number), PVABI_EBUSY (referenced).
 */
#define PVABI_MEMOP_DECREASE_RESERVATION 1
/**
 * PVABI_HC_MEMORY_OP(PVABI_MEMOP_QUERY_RESERVATION, arg): how much memory.
 * in: arg = guest address of a struct pvabi_memory_query with domid set.
 * out: the struct's other fields.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_EINVAL (_pad0); PVABI_ESRCH;
 *   PVABI_EPERM.
 */
#define PVABI_MEMOP_QUERY_RESERVATION 2
/**
 * PVABI_HC_MEMORY_OP(PVABI_MEMOP_MACHPHYS_MAPPING, arg): where the read-only
 * machine-to-pseudo-physical table is mapped.
 * in: arg = guest address of a struct pvabi_machphys_mapping.
 * out: the whole struct.
 * status: PVABI_OK; PVABI_EFAULT.
 */
#define PVABI_MEMOP_MACHPHYS_MAPPING 3
#define PVABI_MEMOP_MAX_FRAMES 4096

struct pvabi_memory_query {
  uint16_t domid;
  uint16_t _pad0;
  uint32_t _pad1;
  pvabi_u64 current_frames;
  pvabi_u64 max_frames;
  pvabi_u64 pseudo_physical_frames; /* size of the guest's pseudo-physical map */
};
PVABI_ASSERT_SIZE(pvabi_memory_query, 32, 8);
PVABI_ASSERT_OFFSET(pvabi_memory_query, domid, 0);
PVABI_ASSERT_OFFSET(pvabi_memory_query, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_memory_query, _pad1, 4);
PVABI_ASSERT_OFFSET(pvabi_memory_query, current_frames, 8);
PVABI_ASSERT_OFFSET(pvabi_memory_query, max_frames, 16);
PVABI_ASSERT_OFFSET(pvabi_memory_query, pseudo_physical_frames, 24);

struct pvabi_machphys_mapping {
  pvabi_u64 virt_start; /* PVABI_M2P_VIRT_START */
  pvabi_u64 virt_end;
  pvabi_u64 max_machine_frame; /* entries in the table */
};
PVABI_ASSERT_SIZE(pvabi_machphys_mapping, 24, 8);
PVABI_ASSERT_OFFSET(pvabi_machphys_mapping, virt_start, 0);
PVABI_ASSERT_OFFSET(pvabi_machphys_mapping, virt_end, 8);
PVABI_ASSERT_OFFSET(pvabi_machphys_mapping, max_machine_frame, 16);

#endif /* PVABI_MEMORY_H */
