/*
 * libpv/mmu.h: page-table updates through the MMU queue, table pinning,
 * base pointers, TLB maintenance, and pseudo-physical <-> machine frames.
 *
 * Page tables are read-only to the guest (pvabi/mmu.h): each change is an
 * mmu_update item. The queue collects items in caller storage and sends them
 * in one hypercall: when asked (pv_mmu_queue_flush), when the storage is
 * full, and before every libpv operation that depends on them (each takes
 * the queue as its first argument; pass NULL when nothing is queued). A
 * preempted batch (PVABI_ERESTART) is re-issued for the rest until done.
 *
 *     static struct pvabi_mmu_update slots[128];   // one queue per CPU
 *     struct pv_mmu_queue q;
 *     pv_mmu_queue_init(&q, slots, 128, PVABI_DOMID_SELF);
 *     pv_mmu_queue_set_pte(&q, l1_maddr + 8 * i, pte);  // ... many of them
 *     if (pv_mmu_queue_flush(&q) < 0) report(pv_mmu_queue_failed_index(&q));
 *     pv_mmu_pin_table(&q, 1, l1_mfn);                  // would flush q first
 *
 * On a failed flush the items before the failing one were performed; the
 * failing item and those after it were not, and are dropped from the queue.
 */
#ifndef LIBPV_MMU_H
#define LIBPV_MMU_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/* Fields are libpv's: read them through the functions below. */
struct pv_mmu_queue {
  struct pvabi_mmu_update *slots;
  uint32_t capacity;
  uint32_t count;  /* items queued, not yet sent */
  uint32_t failed; /* index in the last failed batch of the failing item */
  uint16_t domid;
  uint16_t _pad0;
};

/** "No such frame": what the translations return for a frame they do not know (= PVABI_M2P_INVALID). */
#define PV_INVALID_FRAME (~(uint64_t)0)

/**
 * pv_mmu_queue_init: an empty queue over `capacity` slots of caller storage.
 * in: slots (kept until the queue is no longer used); capacity, 1 ..
 *   the limits' max_mmu_batch (PVABI_MMU_BATCH_MAX); domid, the domain whose
 *   tables the items change (PVABI_DOMID_SELF, or another with privilege).
 * status: PVABI_OK; PVABI_EINVAL (slots NULL, capacity 0 or too large).
 */
PV_NODISCARD int pv_mmu_queue_init(struct pv_mmu_queue *q, struct pvabi_mmu_update *slots,
                                   uint32_t capacity, uint16_t domid);

/**
 * pv_mmu_queue_add: queue one raw item (ptr = machine address | command).
 * A full queue is flushed first.
 * status: PVABI_OK (queued); else the status of that flush, and the item
 *   was not queued.
 */
PV_NODISCARD int pv_mmu_queue_add(struct pv_mmu_queue *q, uint64_t ptr, uint64_t val);

/**
 * pv_mmu_queue_set_pte: queue a write of `pte` into the page-table entry at
 * machine address `entry_maddr` (PVABI_MMU_NORMAL_PT_UPDATE).
 * status: as pv_mmu_queue_add; PVABI_EINVAL if entry_maddr is not 8-aligned.
 */
PV_NODISCARD int pv_mmu_queue_set_pte(struct pv_mmu_queue *q, uint64_t entry_maddr, uint64_t pte);

/** pv_mmu_queue_set_pte_preserve_ad: as pv_mmu_queue_set_pte, keeping the old entry's accessed and dirty bits. */
PV_NODISCARD int pv_mmu_queue_set_pte_preserve_ad(struct pv_mmu_queue *q, uint64_t entry_maddr,
                                                  uint64_t pte);

/**
 * pv_mmu_queue_set_m2p: queue "machine frame mfn holds pseudo-physical frame
 * pfn" (PVABI_MMU_MACHPHYS_UPDATE). Also update the p2m list (pv_p2m_set).
 * status: as pv_mmu_queue_add.
 */
PV_NODISCARD int pv_mmu_queue_set_m2p(struct pv_mmu_queue *q, uint64_t mfn, uint64_t pfn);

/**
 * pv_mmu_queue_flush: send every queued item, re-issuing after
 * PVABI_ERESTART until all are performed. An empty queue makes no hypercall.
 * out: the queue is empty afterwards.
 * status: PVABI_OK; else the failing item's status (pvabi/mmu.h) or the
 *   batch's (PVABI_EFAULT, PVABI_EPERM, PVABI_ESRCH), and
 *   pv_mmu_queue_failed_index says which item failed.
 */
PV_NODISCARD int pv_mmu_queue_flush(struct pv_mmu_queue *q);

/** pv_mmu_queue_pending: items queued and not yet sent. */
uint32_t pv_mmu_queue_pending(const struct pv_mmu_queue *q);

/**
 * pv_mmu_queue_failed_index: after a failed flush, the index (from 0, in the
 * batch that flush sent) of the item that failed; items before it were
 * performed.
 */
uint32_t pv_mmu_queue_failed_index(const struct pv_mmu_queue *q);

/**
 * pv_mmuext: flush `pending` (if not NULL), then run `count` extended
 * operations (pvabi/mmu.h, PVABI_HC_MMUEXT_OP) for domain `domid`,
 * re-issuing after PVABI_ERESTART.
 * in: ops (count <= PVABI_MMU_BATCH_MAX), failed (NULL, or where to store
 *   the index of a failing op).
 * status: PVABI_OK; the flush's status (no op was sent); else the failing
 *   op's status with *failed set; ops before it were performed.
 */
PV_NODISCARD int pv_mmuext(struct pv_mmu_queue *pending, const struct pvabi_mmuext_op *ops,
                           uint32_t count, uint16_t domid, uint32_t *failed);

/**
 * pv_mmu_pin_table: flush `pending`, then pin machine frame `mfn` as a page
 * table of `level` (1..4), which validates it.
 * status: PVABI_OK; PVABI_EINVAL (level); the flush's status; else
 *   PVABI_MMUEXT_PIN_*'s (PVABI_EEXIST, PVABI_EPERM, PVABI_ERANGE,
 *   PVABI_EBUSY, PVABI_EINVAL).
 */
PV_NODISCARD int pv_mmu_pin_table(struct pv_mmu_queue *pending, unsigned level, uint64_t mfn);

/** pv_mmu_unpin_table: flush `pending`, then unpin `mfn`. status: as PVABI_MMUEXT_UNPIN_TABLE, or the flush's. */
PV_NODISCARD int pv_mmu_unpin_table(struct pv_mmu_queue *pending, uint64_t mfn);

/**
 * pv_mmu_set_baseptr: flush `pending`, then make validated L4 table `l4_mfn`
 * the kernel base pointer (user != 0: the user base pointer; l4_mfn 0 with
 * user != 0 clears it).
 * status: as PVABI_MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR, or the flush's.
 */
PV_NODISCARD int pv_mmu_set_baseptr(struct pv_mmu_queue *pending, uint64_t l4_mfn, int user);

/**
 * pv_mmu_flush_tlb: flush `pending`, then flush this vCPU's TLB (all != 0:
 * every vCPU of the domain).
 * status: PVABI_OK, or the flush's status.
 */
PV_NODISCARD int pv_mmu_flush_tlb(struct pv_mmu_queue *pending, int all);

/**
 * pv_mmu_invlpg: flush `pending`, then drop the translation of `va` on this
 * vCPU (all != 0: on every vCPU of the domain).
 * status: PVABI_OK; PVABI_EINVAL (va not canonical or reserved); the flush's.
 */
PV_NODISCARD int pv_mmu_invlpg(struct pv_mmu_queue *pending, uint64_t va, int all);

/**
 * pv_mmu_update_va_mapping: flush `pending`, then write `pte` into the L1
 * entry mapping `va` and flush as `flags` says (PVABI_UVMF_*).
 * status: as PVABI_HC_UPDATE_VA_MAPPING, or the flush's.
 */
PV_NODISCARD int pv_mmu_update_va_mapping(struct pv_mmu_queue *pending, uint64_t va, uint64_t pte,
                                          uint32_t flags);

/** pv_mmu_clear_page: flush `pending`, then zero machine frame `mfn`. status: as PVABI_MMUEXT_CLEAR_PAGE. */
PV_NODISCARD int pv_mmu_clear_page(struct pv_mmu_queue *pending, uint64_t mfn);

/** pv_mmu_copy_page: flush `pending`, then copy frame `src_mfn` to `dst_mfn`. status: as PVABI_MMUEXT_COPY_PAGE. */
PV_NODISCARD int pv_mmu_copy_page(struct pv_mmu_queue *pending, uint64_t dst_mfn, uint64_t src_mfn);

/**
 * pv_pfn_to_mfn: the machine frame of pseudo-physical frame `pfn`, from the
 * p2m list in start info (identity on the native backend).
 * out: PV_INVALID_FRAME if pfn >= the domain's nr_pages.
 */
uint64_t pv_pfn_to_mfn(uint64_t pfn);

/**
 * pv_mfn_to_pfn: the pseudo-physical frame of machine frame `mfn`, from the
 * hypervisor's read-only machine-to-pseudo-physical table.
 * out: PV_INVALID_FRAME (equal to PVABI_M2P_INVALID) if mfn is past the
 *   table, has no pseudo-physical frame, or (under PVABI_VMASST_M2P_STRICT)
 *   is not the caller's.
 */
uint64_t pv_mfn_to_pfn(uint64_t mfn);

/**
 * pv_p2m_set: record in the p2m list that `pfn` is backed by `mfn` (after
 * ballooning); pair it with pv_mmu_queue_set_m2p.
 * status: PVABI_OK; PVABI_ERANGE (pfn >= nr_pages); PVABI_ENOSYS (native).
 */
PV_NODISCARD int pv_p2m_set(uint64_t pfn, uint64_t mfn);

/** pv_phys_to_machine: pseudo-physical address -> machine address (same page offset); PV_INVALID_FRAME if unknown. */
uint64_t pv_phys_to_machine(uint64_t paddr);

/** pv_machine_to_phys: machine address -> pseudo-physical address (same page offset); PV_INVALID_FRAME if unknown. */
uint64_t pv_machine_to_phys(uint64_t maddr);

/**
 * pv_virt_to_pfn: the pseudo-physical frame of an address in the builder's
 * linear map (virt_base + pfn * 4096, pvabi/shared.h).
 * out: PV_INVALID_FRAME if `p` lies outside it.
 */
uint64_t pv_virt_to_pfn(const void *p);

/** pv_pfn_to_virt: the address of `pfn` in the builder's linear map; NULL if pfn >= nr_pages. */
void *pv_pfn_to_virt(uint64_t pfn);

/** pv_virt_to_mfn: pv_pfn_to_mfn(pv_virt_to_pfn(p)). */
uint64_t pv_virt_to_mfn(const void *p);

PV_END_DECLS

#endif /* LIBPV_MMU_H */
