/*
 * guest_syscall on hv-core: the way into guest user mode and back, and the
 * syscall callback. hv-core bounces the user's `syscall` onto the
 * registered kernel stack with a pvabi_exception_frame; the cheapest
 * return the ABI has is PVABI_HC_IRET on a pvabi_iret_frame built beside it.
 *
 *   pvabi_exception_frame: rcx 0, r11 8, error 16, rip 24, cs 32, rflags 40, rsp 48, ss 56
 *   pvabi_iret_frame:      rax 0, r11 8, rcx 16, flags 24, rip 32, cs 40, rflags 48, rsp 56, ss 64
 */
#include "user_syscalls.h"
#include "../../tests/guests/kernels/callee_saved.h"

#define HC_IRET 15          /* PVABI_HC_IRET */
#define IRET_TO_USER 2      /* PVABI_IRET_TO_USER */
#define FLAT_CS64 0xe033    /* PVABI_FLAT_CS64 */
#define FLAT_SS 0xe02b      /* PVABI_FLAT_SS */
#define IRET_SIZE 80

  .text

/* uint64_t pv_enter_user(const struct pvabi_iret_frame *to_user): user mode
 * until its "done" call, whose argument is returned. */
  .globl pv_enter_user
pv_enter_user:
  push_callee_saved
  movq %rsp, pv_user_return_rsp(%rip)
  movq %rdi, %rsp
  movl $HC_IRET, %eax
  syscall
  ud2
pv_user_returned:
  pop_callee_saved
  ret

  .globl pv_syscall_entry
pv_syscall_entry:
  cmpl $BENCH_SYS_DONE, %eax
  je 1f
  subq $IRET_SIZE, %rsp
  movq $0, 0(%rsp)
  movq IRET_SIZE + 8(%rsp), %rax
  movq %rax, 8(%rsp)
  movq IRET_SIZE + 0(%rsp), %rax
  movq %rax, 16(%rsp)
  movq $IRET_TO_USER, 24(%rsp)
  movq IRET_SIZE + 24(%rsp), %rax
  movq %rax, 32(%rsp)
  movq IRET_SIZE + 32(%rsp), %rax
  movq %rax, 40(%rsp)
  movq IRET_SIZE + 40(%rsp), %rax
  movq %rax, 48(%rsp)
  movq IRET_SIZE + 48(%rsp), %rax
  movq %rax, 56(%rsp)
  movq IRET_SIZE + 56(%rsp), %rax
  movq %rax, 64(%rsp)
  movl $HC_IRET, %eax
  syscall
  ud2
  /* Done: to pv_enter_user's caller, in kernel mode (flags 0). */
1:
  subq $IRET_SIZE, %rsp
  movq %rdi, 0(%rsp)
  movq $0, 8(%rsp)
  movq $0, 16(%rsp)
  movq $0, 24(%rsp)
  leaq pv_user_returned(%rip), %rax
  movq %rax, 32(%rsp)
  movq $FLAT_CS64, 40(%rsp)
  movq $0x202, 48(%rsp)
  movq pv_user_return_rsp(%rip), %rax
  movq %rax, 56(%rsp)
  movq $FLAT_SS, 64(%rsp)
  movq $0, 72(%rsp)
  movl $HC_IRET, %eax
  syscall
  ud2

  .bss
  .p2align 3
pv_user_return_rsp:
  .skip 8

  .section .note.GNU-stack, "", @progbits
