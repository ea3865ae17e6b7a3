/*
 * libpv/trap.h: exceptions on a de-privileged CPU (pvabi/cpu.h): building
 * and installing the trap table, callbacks and the kernel stack, and
 * decoding the frames the hypervisor bounces onto that stack.
 *
 *     struct pvabi_trap_info t[2];
 *     pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 1, (uint64_t)pf_stub);
 *     pv_trap_entry(&t[1], 0x80, 3, 0, (uint64_t)int80_stub);  // user may raise it
 *     pv_set_trap_table(t, 2);
 *
 *     void pf_handler(const void *entry_rsp) {        // rsp at the stub's entry
 *         struct pv_page_fault pf;
 *         pv_page_fault_decode(entry_rsp, &pf);
 *         ...
 *     }
 *
 * A handler returns with PVABI_HC_IRET on a struct pvabi_iret_frame that
 * pv_iret_frame_from_exception or pv_iret_frame_from_upcall builds; the
 * stub issues it with rsp pointing at that frame (assembly: not in libpv).
 */
#ifndef LIBPV_TRAP_H
#define LIBPV_TRAP_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_trap_entry: fill one trap table entry with the hypervisor's flat 64-bit
 * code selector (PVABI_FLAT_CS64).
 * in: vector (0..255, not 2: NMI); dpl, the lowest ring allowed to raise it
 *   with `int n` (3 for a software trap user space may use, 0 otherwise);
 *   mask_events != 0 to enter with upcalls masked (an interrupt gate);
 *   handler, canonical and outside the reserved range.
 * status: PVABI_OK; PVABI_EINVAL (and *e is unchanged).
 */
PV_NODISCARD int pv_trap_entry(struct pvabi_trap_info *e, uint32_t vector, unsigned dpl,
                               int mask_events, uint64_t handler);

/**
 * pv_set_trap_table: install `count` entries (<= 256; 0 clears every handler).
 * status: as PVABI_HC_SET_TRAP_TABLE (PVABI_EINVAL, PVABI_E2BIG, PVABI_EFAULT);
 *   on failure the old table stays.
 */
PV_NODISCARD int pv_set_trap_table(const struct pvabi_trap_info *table, uint32_t count);

/**
 * pv_callback_register: set callback `type` (PVABI_CALLBACK_EVENT,
 * _FAILSAFE, _SYSCALL) to `address`, with `flags` (PVABI_CALLBACK_MASK_EVENTS or 0).
 * status: as PVABI_CALLBACKOP_REGISTER.
 */
PV_NODISCARD int pv_callback_register(uint32_t type, uint64_t address, uint32_t flags);

/** pv_callback_unregister: clear callback `type`. status: as PVABI_CALLBACKOP_UNREGISTER. */
PV_NODISCARD int pv_callback_unregister(uint32_t type);

/**
 * pv_stack_switch: the kernel stack bounces and user-mode syscalls land on.
 * in: ss, a ring-3 data selector (PVABI_FLAT_SS); rsp 16-byte aligned.
 * status: as PVABI_HC_STACK_SWITCH (PVABI_EINVAL).
 */
PV_NODISCARD int pv_stack_switch(uint64_t ss, uint64_t rsp);

/**
 * pv_trap_frame: the exception frame at a handler's entry stack pointer.
 * A page fault's frame (vector 14) is the extended one, which leads with the
 * faulting address: the exception frame follows it.
 */
const struct pvabi_exception_frame *pv_trap_frame(const void *entry_rsp, uint32_t vector);

/* A page fault, decoded. */
struct pv_page_fault {
  uint64_t address;    /* the faulting address (CR2) */
  uint64_t error_code; /* raw x86 error code */
  uint64_t rip;        /* where it happened */
  uint8_t present;     /* a protection fault on a present page (else: not present) */
  uint8_t write;       /* caused by a write */
  uint8_t from_user;   /* guest user mode was running (the frame's PVABI_FRAME_FROM_USER) */
  uint8_t reserved_bit; /* a reserved bit was set in an entry */
  uint8_t instruction_fetch;
  uint8_t events_were_masked; /* restore the upcall mask on return */
  uint8_t _pad0[2];
};

/**
 * pv_page_fault_decode: decode the extended page-fault frame at a page-fault
 * handler's entry stack pointer. The guest kernel runs in ring 3, so the
 * x86 "user" error-code bit is set for kernel faults too: from_user comes
 * from the frame's flags instead.
 * status: PVABI_OK; PVABI_EINVAL if the frame is not a page fault's (vector).
 */
PV_NODISCARD int pv_page_fault_decode(const void *entry_rsp, struct pv_page_fault *out);

/**
 * pv_iret_frame_from_exception: the frame to return from exception frame
 * `f` with `rax`: to user mode if it came from there, unmasking upcalls
 * unless they were masked before the bounce.
 */
void pv_iret_frame_from_exception(const struct pvabi_exception_frame *f, uint64_t rax,
                                  struct pvabi_iret_frame *out);

/** pv_iret_frame_from_upcall: as pv_iret_frame_from_exception, for an event upcall frame. */
void pv_iret_frame_from_upcall(const struct pvabi_event_upcall_frame *f, uint64_t rax,
                               struct pvabi_iret_frame *out);

PV_END_DECLS

#endif /* LIBPV_TRAP_H */
