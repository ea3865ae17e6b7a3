/*
 * libpv/multicall.h: several hypercalls of different kinds for one entry
 * into the hypervisor (PVABI_HC_MULTICALL).
 *
 * A batch lives in caller storage: the entries, and a payload area for the
 * argument structs the entries point at (item lists, done counts). Both must
 * stay valid until the batch is flushed; the payload area must be ordinary
 * guest memory the hypervisor can read (kernel data, not a user address).
 *
 *     struct pvabi_multicall_entry e[16];
 *     uint64_t payload[512];
 *     struct pv_multicall mc;
 *     pv_multicall_init(&mc, e, 16, payload, sizeof payload);
 *     pv_multicall_add_mmu_queue(&mc, &q);            // moves q's items in
 *     pv_multicall_add_mmuext(&mc, &pin, 1, PVABI_DOMID_SELF);
 *     pv_multicall_add_update_va_mapping(&mc, va, pte, PVABI_UVMF_INVLPG);
 *     rc = pv_multicall_flush(&mc);
 *
 * Flushing re-issues the rest after PVABI_ERESTART and after an entry that
 * ends the batch early (pvabi/hypercall.h). An mmu_update or mmuext entry
 * preempted inside the batch (its result PVABI_ERESTART) ends the multicall;
 * libpv completes it, then issues the entries after it, in order.
 */
#ifndef LIBPV_MULTICALL_H
#define LIBPV_MULTICALL_H

#include <libpv/api.h>
#include <libpv/mmu.h>

PV_BEGIN_DECLS

/* Fields are libpv's: read them through the functions below. */
struct pv_multicall {
  struct pvabi_multicall_entry *entries;
  uint64_t *payload;
  uint32_t capacity;
  uint32_t count;   /* entries added since the last flush */
  uint32_t flushed; /* entries the last flush sent (their results stay) */
  uint32_t failed;  /* after a failed flush: the entry it names */
  uint32_t payload_words;
  uint32_t payload_used;
};

/**
 * pv_multicall_init: an empty batch over caller storage.
 * in: entries with room for capacity (1 .. PVABI_MULTICALL_MAX); payload of
 *   payload_bytes (a multiple of 8; may be 0 if only pv_multicall_add is used).
 * status: PVABI_OK; PVABI_EINVAL.
 */
PV_NODISCARD int pv_multicall_init(struct pv_multicall *mc, struct pvabi_multicall_entry *entries,
                                   uint32_t capacity, uint64_t *payload, size_t payload_bytes);

/**
 * pv_multicall_add: append hypercall `op` with raw arguments (guest
 * addresses where the operation takes pointers; they must stay valid until
 * the flush).
 * in: args, nargs <= 6 (the rest are 0).
 * status: PVABI_OK; PVABI_ENOSPC (batch full); PVABI_EINVAL (nargs, or an
 *   op a multicall cannot hold: PVABI_HC_MULTICALL, PVABI_HC_IRET).
 */
PV_NODISCARD int pv_multicall_add(struct pv_multicall *mc, uint64_t op, const uint64_t *args,
                                  unsigned nargs);

/**
 * pv_multicall_add_mmu_update: append an mmu_update of `count` items, copied
 * into the payload (the caller's array may be reused at once).
 * status: PVABI_OK; PVABI_ENOSPC (entries or payload full); PVABI_EINVAL
 *   (count 0 or > PVABI_MMU_BATCH_MAX).
 */
PV_NODISCARD int pv_multicall_add_mmu_update(struct pv_multicall *mc,
                                             const struct pvabi_mmu_update *items, uint32_t count,
                                             uint16_t domid);

/**
 * pv_multicall_add_mmu_queue: move every item queued in `q` into the batch
 * as one mmu_update entry; q is empty afterwards. Nothing is added when q
 * is empty.
 * status: as pv_multicall_add_mmu_update; on failure q keeps its items.
 */
PV_NODISCARD int pv_multicall_add_mmu_queue(struct pv_multicall *mc, struct pv_mmu_queue *q);

/** pv_multicall_add_mmuext: append an mmuext_op of `count` ops, copied into the payload. status: as pv_multicall_add_mmu_update. */
PV_NODISCARD int pv_multicall_add_mmuext(struct pv_multicall *mc, const struct pvabi_mmuext_op *ops,
                                         uint32_t count, uint16_t domid);

/** pv_multicall_add_update_va_mapping: append an update_va_mapping. status: PVABI_OK; PVABI_ENOSPC. */
PV_NODISCARD int pv_multicall_add_update_va_mapping(struct pv_multicall *mc, uint64_t va,
                                                    uint64_t pte, uint32_t flags);

/**
 * pv_multicall_add_evtchn_send: append PVABI_EVTCHNOP_SEND on `port`.
 * status: PVABI_OK; PVABI_ENOSPC.
 */
PV_NODISCARD int pv_multicall_add_evtchn_send(struct pv_multicall *mc, uint32_t port);

/**
 * pv_multicall_flush: issue the batch until every entry was performed (see
 * the banner), then empty it. An empty batch makes no hypercall.
 * out: each entry's result stays readable with pv_multicall_result until
 *   the next add.
 * status: PVABI_OK if every entry succeeded; else the first failing entry's
 *   result, with pv_multicall_failed_index naming it; or the multicall's
 *   own failure (PVABI_EFAULT, PVABI_EINVAL, PVABI_E2BIG), which names the
 *   first entry not performed.
 */
PV_NODISCARD int pv_multicall_flush(struct pv_multicall *mc);

/** pv_multicall_result: the result of entry `index` of the last flush (PVABI_ERANGE past its entries). */
int64_t pv_multicall_result(const struct pv_multicall *mc, uint32_t index);

/** pv_multicall_failed_index: after a failed flush, the entry it names. */
uint32_t pv_multicall_failed_index(const struct pv_multicall *mc);

/** pv_multicall_pending: entries added and not yet flushed. */
uint32_t pv_multicall_pending(const struct pv_multicall *mc);

PV_END_DECLS

#endif /* LIBPV_MULTICALL_H */
