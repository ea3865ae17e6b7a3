/*
 * guest_syscall's user program, the same bytes on hv-core and natively,
 * alone in its page (the only one mapped for user mode on hv-core). It
 * times BENCH_USER_SYSCALLS null system calls, its loop included as
 * MEASURE includes it, and hands the ticks to the kernel with a last call
 * that does not return. It uses no stack; rbx, rsi and rdi hold its state,
 * which neither kernel's entry touches.
 */
#include "user_syscalls.h"

  .section .user_text, "ax"
  .balign 4096
  .globl bench_user_syscalls
bench_user_syscalls:
  lfence                  /* as pv_rdtsc */
  rdtsc
  shlq $32, %rdx
  orq %rax, %rdx
  movq %rdx, %rsi
  movl $BENCH_USER_SYSCALLS, %ebx
1:
  movl $BENCH_SYS_NULL, %eax
  syscall
  decl %ebx
  jnz 1b
  lfence
  rdtsc
  shlq $32, %rdx
  orq %rax, %rdx
  subq %rsi, %rdx
  movq %rdx, %rdi
  movl $BENCH_SYS_DONE, %eax
  syscall
  ud2
  .balign 4096

  .section .note.GNU-stack, "", @progbits
