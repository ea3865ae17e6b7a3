/*
 * pvabi/hypercall.h: hypercall numbers, the calling convention, the hypercall
 * page and multicall.
 *
 * Calling convention (x86-64): the hypercall number goes in rax, up to six
 * arguments in rdi, rsi, rdx, r10, r8, r9 (the Linux system-call order; rcx
 * and r11 are taken by the entry instruction). The status comes back in rax
 * (pvabi/status.h). rcx and r11 are clobbered; every other register is
 * preserved. i386 layouts are pinned, but no i386 entry is defined in v1.
 *
 * A guest never codes the entry instruction itself. The hypervisor writes a
 * hypercall page into a guest frame named by the domain builder; the stub
 * for hypercall N sits at N * PVABI_HYPERCALL_STUB_SIZE and is called like an
 * ordinary function with the arguments already in their registers:
 *
 *     call hypercall_page + PVABI_HC_SCHED_OP * PVABI_HYPERCALL_STUB_SIZE
 *
 * so the entry instruction can change without an ABI change. A stub for a
 * number the hypervisor does not know returns PVABI_ENOSYS.
 */
#ifndef PVABI_HYPERCALL_H
#define PVABI_HYPERCALL_H

#include <pvabi/base.h>

#define PVABI_HYPERCALL_STUB_SIZE 32
#define PVABI_HYPERCALL_PAGE_SLOTS 128

/* Each number's operations are documented in the header named beside it. */
#define PVABI_HC_VERSION 0           /* version.h */
#define PVABI_HC_CONSOLE_IO 1        /* console.h */
#define PVABI_HC_MMU_UPDATE 2        /* mmu.h */
#define PVABI_HC_MMUEXT_OP 3         /* mmu.h */
#define PVABI_HC_UPDATE_VA_MAPPING 4 /* mmu.h */
#define PVABI_HC_MULTICALL 5         /* this header */
#define PVABI_HC_VM_ASSIST 6         /* mmu.h */
#define PVABI_HC_MEMORY_OP 7         /* memory.h */
#define PVABI_HC_SET_TRAP_TABLE 8    /* cpu.h */
#define PVABI_HC_CALLBACK_OP 9       /* cpu.h */
#define PVABI_HC_STACK_SWITCH 10     /* cpu.h */
#define PVABI_HC_SET_GDT 11          /* cpu.h */
#define PVABI_HC_UPDATE_DESCRIPTOR 12 /* cpu.h */
#define PVABI_HC_SET_SEGMENT_BASE 13 /* cpu.h */
#define PVABI_HC_FPU_TASKSWITCH 14   /* cpu.h */
#define PVABI_HC_IRET 15             /* cpu.h */
#define PVABI_HC_SCHED_OP 16         /* sched.h */
#define PVABI_HC_SET_TIMER_OP 17     /* sched.h */
#define PVABI_HC_VCPU_OP 18          /* vcpu.h */
#define PVABI_HC_EVENT_CHANNEL_OP 19 /* event.h, event_queue.h */
#define PVABI_HC_GRANT_TABLE_OP 20   /* grant.h */
#define PVABI_HC_DOMCTL 21           /* domctl.h */
#define PVABI_HC_COUNT 22

/**
 * PVABI_HC_MULTICALL(entries, count, done): several hypercalls for one entry.
 * in: entries = guest address of `count` struct pvabi_multicall_entry, each
 *   with `op` and `args` set; count <= PVABI_MULTICALL_MAX; done = guest
 *   address of a uint32_t, or 0.
 * out: each performed entry's `result` holds that hypercall's status; *done
 *   (if given) = number of entries performed, counting from the first.
 * Entries run in order. The batch ends early, with status PVABI_OK, after an
 *   entry that may change the vCPU's control flow (PVABI_HC_SCHED_OP,
 *   PVABI_HC_STACK_SWITCH, PVABI_HC_CALLBACK_OP, PVABI_HC_SET_TRAP_TABLE) and
 *   after an entry whose result is PVABI_ERESTART (a preempted batch inside:
 *   the guest finishes it before the entries after it run): *done tells the
 *   guest where it stopped. Any other failing entry does not stop the batch:
 *   its `result` says so.
 * status: PVABI_OK; PVABI_E2BIG if count > PVABI_MULTICALL_MAX; PVABI_EFAULT
 *   if the list or done cannot be accessed (entries before the fault were
 *   performed, and *done says how many when done is writable);
 *   PVABI_EINVAL if an entry names PVABI_HC_MULTICALL or PVABI_HC_IRET (not
 *   allowed inside a multicall: the batch stops before that entry);
 *   PVABI_ERESTART if preempted (issue the call again for entries [*done, count)).
 * After a failure, entries [0, *done) were performed and the rest were not.
 */
#define PVABI_MULTICALL_MAX 512

struct pvabi_multicall_entry {
  pvabi_u64 op;
  pvabi_s64 result;
  pvabi_u64 args[6];
};
PVABI_ASSERT_SIZE(pvabi_multicall_entry, 64, 8);
PVABI_ASSERT_OFFSET(pvabi_multicall_entry, op, 0);
PVABI_ASSERT_OFFSET(pvabi_multicall_entry, result, 8);
PVABI_ASSERT_OFFSET(pvabi_multicall_entry, args, 16);

#endif /* PVABI_HYPERCALL_H */
