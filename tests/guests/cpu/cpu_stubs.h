/*
 * The guest-side entry stubs of cpu_stubs.S: where trap handlers, the
 * syscall callback and the event upcall land, and the C function each
 * kernel provides to handle them.
 *
 *     pv_trap_entry(&t, 6, 0, 0, (uint64_t)cpu_exception_entry);
 *     void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs,
 *                   struct pvabi_iret_frame *out) {
 *       const struct pvabi_exception_frame *f = entry_rsp;
 *       pv_iret_frame_from_exception(f, regs->rax, out);
 *       out->rip += 2;  // skip the faulting instruction
 *     }
 */
#ifndef PVABI_TESTS_GUESTS_CPU_CPU_STUBS_H
#define PVABI_TESTS_GUESTS_CPU_CPU_STUBS_H

#include <libpv/libpv.h>

/* The general registers as the stub saved them (rcx and r11 as the bounce
 * left them: the frame holds the interrupted values). */
struct cpu_regs {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t _pad0;
};
_Static_assert(sizeof(struct cpu_regs) == 128, "REGS_SIZE in cpu_stubs.S");
_Static_assert(sizeof(struct pvabi_iret_frame) == 80, "IRET_SIZE in cpu_stubs.S");
_Static_assert(PVABI_HC_IRET == 15, "HC_IRET in cpu_stubs.S");

/* What the stub was entered for. */
enum cpu_entry_kind {
  CPU_KIND_EXCEPTION = 0, /* a struct pvabi_exception_frame (also the syscall callback) */
  CPU_KIND_PAGE_FAULT = 1, /* a struct pvabi_page_fault_frame */
  CPU_KIND_UPCALL = 2,    /* a struct pvabi_event_upcall_frame */
};

void cpu_exception_entry(void);
void cpu_page_fault_entry(void);
void cpu_upcall_entry(void);

/* Each kernel defines it: fill *out (the stub returns through it). */
void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out);

#endif
