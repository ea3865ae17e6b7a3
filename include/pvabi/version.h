/*
 * pvabi/version.h: the interface version, feature bits and capability queries.
 *
 * A guest names the interface it was written against before it includes any
 * pvabi header; asking for a newer one than these headers define stops the
 * build:
 *
 *     #define PVABI_REQUESTED_VERSION PVABI_MAKE_VERSION(1, 0)
 *     #include <pvabi/pvabi.h>
 *
 * At boot it checks the running hypervisor with PVABI_HC_VERSION, then reads
 * the feature words it cares about. Operations that the v1 baseline defines
 * are always present; the features below are optional and offered only when
 * their bit is set.
 *
 * Fallback rule: PVABI_ENOSYS means "not offered here". A guest that gets it
 * from an optional operation falls back to the v1 baseline path (for example
 * the 2-level event channel layout instead of the queue variant) and does not
 * retry. A guest that sees PVABI_ENOSYS for an operation whose feature bit is
 * set has found a hypervisor bug.
 */
#ifndef PVABI_VERSION_H
#define PVABI_VERSION_H

#include <pvabi/base.h>

#define PVABI_MAKE_VERSION(major, minor) (((major) << 16) | (minor))
#define PVABI_VERSION_MAJOR(version) ((version) >> 16)
#define PVABI_VERSION_MINOR(version) ((version) & 0xffff)

/*
 * Minor versions only add: a new operation, feature bit or constant, or a
 * struct in new space. Anything else is a new major version.
 */
#define PVABI_INTERFACE_VERSION_MAJOR 1
#define PVABI_INTERFACE_VERSION_MINOR 0
#define PVABI_INTERFACE_VERSION \
  PVABI_MAKE_VERSION(PVABI_INTERFACE_VERSION_MAJOR, PVABI_INTERFACE_VERSION_MINOR)

#ifndef PVABI_REQUESTED_VERSION
#define PVABI_REQUESTED_VERSION PVABI_INTERFACE_VERSION
#endif
#if PVABI_REQUESTED_VERSION > PVABI_INTERFACE_VERSION
#error "PVABI_REQUESTED_VERSION is newer than these pvabi headers"
#endif
#if PVABI_VERSION_MAJOR(PVABI_REQUESTED_VERSION) != PVABI_INTERFACE_VERSION_MAJOR
#error "PVABI_REQUESTED_VERSION names another major version than these pvabi headers"
#endif

/**
 * PVABI_HC_VERSION(PVABI_VERSION_OP_GET, 0): the interface the hypervisor speaks.
 * status: its PVABI_INTERFACE_VERSION (>= 0). There is no failure.
 */
/**
 * PVABI_HC_VERSION(PVABI_VERSION_OP_GET_FEATURES, arg): one feature word.
 * in: arg = guest address of a struct pvabi_feature_query with `index` set.
 * out: `bits` = feature word `index` (0 for a word past the last one).
 * status: PVABI_OK; PVABI_EFAULT if arg cannot be read or written.
 * On failure nothing is written.
 */
/**
 * PVABI_HC_VERSION(PVABI_VERSION_OP_GET_LIMITS, arg): the domain's limits.
 * in: arg = guest address of a struct pvabi_limits.
 * out: the whole struct.
 * status: PVABI_OK; PVABI_EFAULT if arg cannot be written (nothing written).
 * Any other op of PVABI_HC_VERSION returns PVABI_ENOSYS.
 */
#define PVABI_VERSION_OP_GET 0
#define PVABI_VERSION_OP_GET_FEATURES 1
#define PVABI_VERSION_OP_GET_LIMITS 2

struct pvabi_feature_query {
  uint32_t index; /* in: which 32-bit feature word */
  uint32_t bits;  /* out */
};
PVABI_ASSERT_SIZE(pvabi_feature_query, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_feature_query, index, 0);
PVABI_ASSERT_OFFSET(pvabi_feature_query, bits, 4);

/* Feature word 0. */
/* The scalable queue/priority event channel layout (pvabi/event_queue.h). */
#define PVABI_FEATURE0_EVENT_QUEUE (1u << 0)
/* PVABI_VCPUOP_REGISTER_TIME_AREA: a user-mappable copy of the time info. */
#define PVABI_FEATURE0_USER_TIME_AREA (1u << 1)
/* More than one vCPU per domain (PVABI_VCPUOP_INITIALISE and UP). */
#define PVABI_FEATURE0_MULTI_VCPU (1u << 2)
/* PVABI_GNTTABOP_COPY. */
#define PVABI_FEATURE0_GRANT_COPY (1u << 3)
/* Read-only same-level linear page-table entries (PV-MMU rule 6). */
#define PVABI_FEATURE0_LINEAR_PAGE_TABLES (1u << 4)
/* The no-execute bit is honoured in guest page-table entries. */
#define PVABI_FEATURE0_NX (1u << 5)
#define PVABI_FEATURE_WORDS 1

struct pvabi_limits {
  uint32_t max_vcpus;       /* vCPUs this domain may bring up */
  uint32_t max_event_ports; /* with the layout now in use */
  uint32_t max_grant_frames;
  uint32_t max_mmu_batch; /* largest count one mmu_update or mmuext_op takes */
  pvabi_u64 hv_virt_start; /* first address of the reserved range */
  pvabi_u64 hv_virt_end;   /* one past its last address */
  pvabi_u64 m2p_virt_start; /* the read-only machine-to-pseudo-physical table */
  pvabi_u64 m2p_entries;
  pvabi_u64 max_machine_frame; /* one past the highest machine frame number */
};
PVABI_ASSERT_SIZE(pvabi_limits, 56, 8);
PVABI_ASSERT_OFFSET(pvabi_limits, max_vcpus, 0);
PVABI_ASSERT_OFFSET(pvabi_limits, max_event_ports, 4);
PVABI_ASSERT_OFFSET(pvabi_limits, max_grant_frames, 8);
PVABI_ASSERT_OFFSET(pvabi_limits, max_mmu_batch, 12);
PVABI_ASSERT_OFFSET(pvabi_limits, hv_virt_start, 16);
PVABI_ASSERT_OFFSET(pvabi_limits, hv_virt_end, 24);
PVABI_ASSERT_OFFSET(pvabi_limits, m2p_virt_start, 32);
PVABI_ASSERT_OFFSET(pvabi_limits, m2p_entries, 40);
PVABI_ASSERT_OFFSET(pvabi_limits, max_machine_frame, 48);

#endif /* PVABI_VERSION_H */
