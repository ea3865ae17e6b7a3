/*
 * Guest user mode for guest_syscall.c: the way into user mode and back, and
 * the user program itself, alone in its page (the only code the user page
 * tables map). The user program talks to the guest kernel only through
 * `syscall`: rax = number, rdi, rsi, rdx, r10, r8, r9 = arguments.
 */
#include "../kernels/callee_saved.h"
#define HC_IRET 15       /* PVABI_HC_IRET */
#define HC_SCHED_OP 16   /* PVABI_HC_SCHED_OP */
#define SCHEDOP_SHUTDOWN 2
#define SYS_ADD 1        /* rax = the sum of the six arguments */
#define SYS_REPORT 2     /* the kernel records rdi and rsi */
#define SYS_EXIT 3       /* back to the kernel, rdi = exit code */

  .text
  .code64

/* uint64_t cpu_enter_user(const struct pvabi_iret_frame *to_user): runs user
 * mode until the kernel ends it by iret to cpu_user_returned with rsp =
 * user_return_rsp and rax = the exit code, which is returned. */
  .globl cpu_enter_user, cpu_user_returned
cpu_enter_user:
  push_callee_saved
  movq %rsp, user_return_rsp(%rip)
  movq %rdi, %rsp
  movl $HC_IRET, %eax
  syscall
  ud2
cpu_user_returned:
  pop_callee_saved
  ret

  .section .user_text, "ax"
  .balign 4096
  .globl user_program, user_after_add, user_after_hypercall, user_read_kernel, user_read_kernel_end
  .globl user_after_int80, user_int81
user_program:
  /* Six arguments in, one result out; a register the kernel must not touch. */
  movl $SYS_ADD, %eax
  movl $1, %edi
  movl $20, %esi
  movl $300, %edx
  movl $4000, %r10d
  movl $50000, %r8d
  movl $600000, %r9d
  movq $0x5a5a5a5a, %rbx
  syscall
user_after_add:
  movq %rax, %rdi
  movq %rbx, %rsi
  movl $SYS_REPORT, %eax
  syscall
  /* A hypercall from user mode is a system call to the guest kernel: were it
   * a hypercall, this one would power the domain off. */
  movl $HC_SCHED_OP, %eax
  movl $SCHEDOP_SHUTDOWN, %edi
  leaq user_shutdown_request(%rip), %rsi
  syscall
user_after_hypercall:
  movq %rax, %rdi
  xorl %esi, %esi
  movl $SYS_REPORT, %eax
  syscall
  /* Kernel memory is not mapped in user mode: a page fault, skipped. */
user_read_kernel:
  movq kernel_secret(%rip), %rax
user_read_kernel_end:
  movq %rax, %rdi
  movl $1, %esi
  movl $SYS_REPORT, %eax
  syscall
  /* int $0x80 (DPL 3) reaches its handler; int $0x81 (DPL 1, kernel only)
   * is a #GP, which the kernel skips. */
  int $0x80
user_after_int80:
user_int81:
  int $0x81
  movl $SYS_EXIT, %eax
  movl $42, %edi
  syscall
  ud2
  .balign 4096

  .section .note.GNU-stack, "", @progbits
