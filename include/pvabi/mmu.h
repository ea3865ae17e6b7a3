/*
 * pvabi/mmu.h: page tables the guest owns and the hypervisor validates.
 *
 * Guests run on direct paging: their page tables hold machine frame numbers
 * and are mapped read-only into the guest. A frame has one type at a time
 * (L1..L4 page table, descriptor table, writable, none); the hypervisor
 * validates a table when it is pinned or installed as a base pointer, and
 * every later change goes through the operations below. Rules and their
 * reasons: docs/abi.md, "Page-table rules".
 *
 * Batches: mmu_update and mmuext_op take a list, a count and the guest
 * address of a uint32_t done count (or 0). Items run in order; each is
 * validated and then performed, so an item either happens whole or not at
 * all. On any return, items [0, *done) were performed and [*done, count) were
 * not. On failure the status is the failing item's (item *done). PVABI_ERESTART
 * means the hypervisor preempted the batch at a safe point: re-issue it for
 * items [*done, count). The hypervisor may read items before it performs the
 * ones ahead of them, so a batch must not rewrite its own list.
 *
 *     struct pvabi_mmu_update u = {pte_maddr | PVABI_MMU_NORMAL_PT_UPDATE, new_pte};
 *     pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, (uint64_t)&done, PVABI_DOMID_SELF);
 */
#ifndef PVABI_MMU_H
#define PVABI_MMU_H

#include <pvabi/base.h>

/* Page-table entry bits a guest may use (x86-64 4-level paging). */
#define PVABI_PTE_PRESENT (1ull << 0)
#define PVABI_PTE_WRITABLE (1ull << 1)
#define PVABI_PTE_USER (1ull << 2)
#define PVABI_PTE_PWT (1ull << 3)
#define PVABI_PTE_PCD (1ull << 4)
#define PVABI_PTE_ACCESSED (1ull << 5)
#define PVABI_PTE_DIRTY (1ull << 6)
#define PVABI_PTE_PAT_OR_LARGE (1ull << 7)
#define PVABI_PTE_GLOBAL (1ull << 8)
#define PVABI_PTE_AVAIL_MASK (7ull << 9)
#define PVABI_PTE_FRAME_MASK 0x000ffffffffff000ull
#define PVABI_PTE_NX (1ull << 63)
/*
 * Flags the hypervisor accepts in a present entry. GLOBAL only in L1 entries.
 * PWT, PCD and PAT need I/O privilege; large pages are not offered in v1.
 * USER is set by the hypervisor on every present entry it writes, since the
 * guest kernel runs in ring 3: kernel and user are kept apart by their
 * separate base pointers.
 */
#define PVABI_PTE_GUEST_FLAGS                                            \
  (PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_USER |             \
   PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY | PVABI_PTE_AVAIL_MASK |         \
   PVABI_PTE_NX)
/*
 * A change that touches only these bits of a validated entry (same frame)
 * skips revalidation; any other change revalidates.
 */
#define PVABI_PTE_FAST_PATH_FLAGS \
  (PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY | PVABI_PTE_AVAIL_MASK | PVABI_PTE_NX)
/*
 * Non-present entries (L1TF policy): the frame field of a non-present entry
 * must be zero or at or above this frame number, which is beyond any machine
 * memory, so a speculative walk never reaches real data. Linux's inverted
 * swap and PROT_NONE entries meet this rule.
 */
#define PVABI_NONPRESENT_MIN_FRAME (1ull << 39)

/*
 * The reserved range: top-level (L4) slots the hypervisor installs in every
 * address space and guests can never write. The read-only machine-to-pseudo-
 * physical table is mapped inside it, one pvabi_u64 per machine frame
 * (PVABI_M2P_INVALID for frames no domain owns; the owner's pfn otherwise).
 */
#define PVABI_L4_FIRST_RESERVED_SLOT 256
#define PVABI_L4_RESERVED_SLOTS 16
#define PVABI_HV_VIRT_START 0xffff800000000000ull
#define PVABI_HV_VIRT_END 0xffff880000000000ull
#define PVABI_M2P_VIRT_START 0xffff800000000000ull
#define PVABI_M2P_MAX_ENTRIES (1ull << 27)
#define PVABI_M2P_INVALID 0xffffffffffffffffull

/**
 * PVABI_HC_MMU_UPDATE(reqs, count, done, domid): a batch of table writes.
 * in: reqs = guest address of `count` struct pvabi_mmu_update;
 *   count <= PVABI_MMU_BATCH_MAX; done = guest address of a uint32_t, or 0;
 *   domid = PVABI_DOMID_SELF (another domain's id needs control privilege).
 *   The low 2 bits of `ptr` choose the command, the rest is a machine address.
 * out: *done as in the batch rule above.
 * status: PVABI_OK; PVABI_E2BIG (count too large, nothing performed);
 *   PVABI_EFAULT (reqs or done unreadable/unwritable); PVABI_ESRCH (domid);
 *   PVABI_EPERM (domid not self without privilege); PVABI_ERESTART; and the
 *   failing item's status as listed for each command.
 * On failure items [0, *done) were performed, the rest were not.
 */
#define PVABI_MMU_BATCH_MAX 4096
/**
 * PVABI_MMU_NORMAL_PT_UPDATE: write `val` into the entry at machine address
 * `ptr`, which lies in a frame of type L1..L4 that the domain owns.
 * The entry is validated against the table's level: the new frame must be
 * owned (or granted), flags within PVABI_PTE_GUEST_FLAGS, a writable L1 entry
 * takes a writable-type reference on its frame (which fails if the frame is a
 * page table or descriptor table), an L2..L4 entry takes a type reference of
 * the next level down (validating that table if needed). The old entry's
 * references are dropped after the new ones are taken.
 * status: PVABI_EINVAL (ptr not 8-aligned, bad flags, a reserved L4 slot,
 *   a non-present entry against the L1TF rule); PVABI_EPERM (frame not owned,
 *   not granted); PVABI_ERANGE (frame number past the end of machine memory);
 *   PVABI_EBUSY (the target frame has another type in use, e.g. a writable
 *   mapping of a page table or descriptor table).
 */
#define PVABI_MMU_NORMAL_PT_UPDATE 0
/**
 * PVABI_MMU_MACHPHYS_UPDATE: set the machine-to-pseudo-physical entry of the
 * machine frame at `ptr` (a frame the domain owns) to pseudo-physical frame
 * `val`.
 * status: PVABI_EPERM (frame not owned); PVABI_ERANGE (frame past the end of
 *   machine memory, or val >= the domain's pseudo-physical size).
 */
#define PVABI_MMU_MACHPHYS_UPDATE 1
/**
 * PVABI_MMU_PT_UPDATE_PRESERVE_AD: as PVABI_MMU_NORMAL_PT_UPDATE, but the
 * accessed and dirty bits of the old entry are kept (the write is a
 * compare-and-swap loop that merges them).
 * status: as PVABI_MMU_NORMAL_PT_UPDATE.
 */
#define PVABI_MMU_PT_UPDATE_PRESERVE_AD 2
#define PVABI_MMU_CMD_MASK 3ull

struct pvabi_mmu_update {
  pvabi_u64 ptr; /* machine address | command */
  pvabi_u64 val;
};
PVABI_ASSERT_SIZE(pvabi_mmu_update, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_mmu_update, ptr, 0);
PVABI_ASSERT_OFFSET(pvabi_mmu_update, val, 8);

/**
 * PVABI_HC_MMUEXT_OP(ops, count, done, domid): a batch of extended operations.
 * in: ops = guest address of `count` struct pvabi_mmuext_op;
 *   count <= PVABI_MMU_BATCH_MAX; done and domid as for mmu_update.
 *   `_pad0` must be zero; the meaning of arg1 and arg2 is per command.
 * out: *done as in the batch rule above.
 * status: as PVABI_HC_MMU_UPDATE, with the failing item's status as listed
 *   for each command; an unknown command is PVABI_EINVAL.
 * On failure items [0, *done) were performed, the rest were not.
 */
/**
 * PVABI_MMUEXT_PIN_L1_TABLE, PVABI_MMUEXT_PIN_L2_TABLE, PVABI_MMUEXT_PIN_L3_TABLE,
 * PVABI_MMUEXT_PIN_L4_TABLE: arg1 = machine frame to pin as a page table of that level. Validates every entry (and, for L2..L4, the
 * tables they name), gives the frame that type and takes one pin reference.
 * A partly validated table keeps its progress across PVABI_ERESTART.
 * status: PVABI_EEXIST (already pinned); PVABI_EPERM (not owned);
 *   PVABI_ERANGE (frame number); PVABI_EBUSY (the frame has another type in
 *   use, e.g. it is mapped writable); PVABI_EINVAL (an entry fails validation).
 */
#define PVABI_MMUEXT_PIN_L1_TABLE 0
#define PVABI_MMUEXT_PIN_L2_TABLE 1
#define PVABI_MMUEXT_PIN_L3_TABLE 2
#define PVABI_MMUEXT_PIN_L4_TABLE 3
/**
 * PVABI_MMUEXT_UNPIN_TABLE: arg1 = a pinned machine frame. Drops the pin
 * reference; the type goes when its count reaches zero.
 * status: PVABI_ENOENT (not pinned); PVABI_EPERM (not owned); PVABI_ERANGE.
 */
#define PVABI_MMUEXT_UNPIN_TABLE 4
/**
 * PVABI_MMUEXT_NEW_BASEPTR: arg1 = machine frame of a validated L4 table that
 * becomes this vCPU's kernel base pointer (the table used while the guest
 * kernel runs). Takes a type reference, drops the old one, flushes the TLB.
 * status: PVABI_EINVAL (not an L4 table, not validated); PVABI_EPERM; PVABI_ERANGE.
 */
#define PVABI_MMUEXT_NEW_BASEPTR 5
/**
 * PVABI_MMUEXT_NEW_USER_BASEPTR: as NEW_BASEPTR, for the table used while
 * guest user space runs. arg1 = 0 clears it (user mode then faults).
 * status: as PVABI_MMUEXT_NEW_BASEPTR.
 */
#define PVABI_MMUEXT_NEW_USER_BASEPTR 6
/**
 * PVABI_MMUEXT_TLB_FLUSH_LOCAL: flush this vCPU's TLB. No arguments.
 * status: PVABI_OK.
 */
#define PVABI_MMUEXT_TLB_FLUSH_LOCAL 7
/**
 * PVABI_MMUEXT_INVLPG_LOCAL: arg1 = a canonical guest-virtual address whose
 * translation this vCPU drops.
 * status: PVABI_EINVAL (not canonical, or in the reserved range).
 */
#define PVABI_MMUEXT_INVLPG_LOCAL 8
/**
 * PVABI_MMUEXT_TLB_FLUSH_ALL: flush the TLBs of every vCPU of the domain.
 * status: PVABI_OK.
 */
#define PVABI_MMUEXT_TLB_FLUSH_ALL 9
/**
 * PVABI_MMUEXT_INVLPG_ALL: as INVLPG_LOCAL, on every vCPU of the domain.
 * status: as PVABI_MMUEXT_INVLPG_LOCAL.
 */
#define PVABI_MMUEXT_INVLPG_ALL 10
/**
 * PVABI_MMUEXT_COPY_PAGE: arg1 = destination machine frame (writable type or
 * none, owned), arg2 = source machine frame (owned or granted readable).
 * status: PVABI_EPERM; PVABI_ERANGE; PVABI_EBUSY (destination is a page table
 *   or descriptor table).
 */
#define PVABI_MMUEXT_COPY_PAGE 11
/**
 * PVABI_MMUEXT_CLEAR_PAGE: arg1 = machine frame (writable type or none,
 * owned) to fill with zeros.
 * status: as PVABI_MMUEXT_COPY_PAGE.
 */
#define PVABI_MMUEXT_CLEAR_PAGE 12
/**
 * PVABI_MMUEXT_SET_LDT: arg1 = page-aligned guest-virtual address of a local
 * descriptor table, arg2 = number of entries (<= 8192; 0 clears it). Its
 * frames are validated as descriptor tables when first used.
 * status: PVABI_EINVAL (misaligned, too many entries, in the reserved range).
 */
#define PVABI_MMUEXT_SET_LDT 13

struct pvabi_mmuext_op {
  uint32_t cmd;
  uint32_t _pad0;
  pvabi_u64 arg1;
  pvabi_u64 arg2;
};
PVABI_ASSERT_SIZE(pvabi_mmuext_op, 24, 8);
PVABI_ASSERT_OFFSET(pvabi_mmuext_op, cmd, 0);
PVABI_ASSERT_OFFSET(pvabi_mmuext_op, _pad0, 4);
PVABI_ASSERT_OFFSET(pvabi_mmuext_op, arg1, 8);
PVABI_ASSERT_OFFSET(pvabi_mmuext_op, arg2, 16);

/**
 * PVABI_HC_UPDATE_VA_MAPPING(va, new_pte, flags): write the L1 entry that maps
 * guest-virtual address `va` in the current kernel base pointer's tables,
 * then flush as `flags` says. Validation as PVABI_MMU_NORMAL_PT_UPDATE.
 * in: va canonical and outside the reserved range; flags = one flush type
 *   (PVABI_UVMF_NONE, PVABI_UVMF_TLB_FLUSH, PVABI_UVMF_INVLPG) | scope
 *   (PVABI_UVMF_LOCAL or PVABI_UVMF_ALL).
 * status: PVABI_OK; PVABI_EINVAL (va, flags or entry invalid); PVABI_ENOENT
 *   (no L1 table maps va); PVABI_EPERM, PVABI_ERANGE, PVABI_EBUSY as for
 *   PVABI_MMU_NORMAL_PT_UPDATE.
 * On failure the entry and TLBs are unchanged.
 */
#define PVABI_UVMF_NONE 0u
#define PVABI_UVMF_TLB_FLUSH 1u
#define PVABI_UVMF_INVLPG 2u
#define PVABI_UVMF_FLUSH_MASK 3u
#define PVABI_UVMF_LOCAL 0u
#define PVABI_UVMF_ALL 4u

/**
 * PVABI_HC_VM_ASSIST(cmd, type): switch an optional MMU assist on or off.
 * in: cmd = PVABI_VMASST_ENABLE or PVABI_VMASST_DISABLE; type = one below.
 * status: PVABI_OK (enabling one already on, or disabling one already off,
 *   is no error); PVABI_EINVAL (unknown cmd); PVABI_ENOSYS (unknown type, or
 *   an assist this hypervisor does not offer: fall back to explicit
 *   mmu_update). This hypervisor offers PVABI_VMASST_PT_WRITE_EMULATION;
 *   PVABI_VMASST_M2P_STRICT answers PVABI_ENOSYS.
 * On failure the assist keeps its state. An assist applies to the whole
 * domain, every vCPU.
 */
#define PVABI_VMASST_ENABLE 0
#define PVABI_VMASST_DISABLE 1
/*
 * A guest write to a page-table entry that faults because the table is
 * read-only is decoded and performed as PVABI_MMU_NORMAL_PT_UPDATE (then
 * execution continues), instead of being bounced as a page fault.
 * Covered: a write from guest kernel mode to an entry of an L1 table the
 * domain owns, by one of `mov r64, m64`, `mov imm32, m64` (sign-extended),
 * `xchg r64, m64`, `cmpxchg r64, m64` or `btr imm8, m64` at an 8-aligned
 * entry (lock optional on the last three; no prefixes but lock and one
 * REX.W), or `and imm8, m8` on any byte of one (lock and a REX optional).
 * xchg, cmpxchg and btr see and return the entry as stored (USER set, see
 * PVABI_PTE_GUEST_FLAGS). No
 * TLB flush is implied, as for mmu_update. Anything else, and any write the
 * validation refuses, is bounced as the page fault it was, entry unchanged.
 */
#define PVABI_VMASST_PT_WRITE_EMULATION 0
/* The machine-to-pseudo-physical table reads PVABI_M2P_INVALID for frames
 * this domain does not own. */
#define PVABI_VMASST_M2P_STRICT 1

#endif /* PVABI_MMU_H */
