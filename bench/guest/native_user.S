/*
 * guest_syscall at ring 0 on bare hardware: into ring 3 with iretq, and the
 * LSTAR entry, which returns with sysretq as a native kernel does. The
 * entry needs no stack of its own: the null call touches nothing, and the
 * "done" call abandons the user's state for the kernel's saved one.
 */
#include "user_syscalls.h"
#include "../../tests/guests/kernels/callee_saved.h"

#define USER_CS 0x23        /* native_gdt entry 4, RPL 3: where STAR sends sysretq */
#define USER_SS 0x1b        /* entry 3, RPL 3 */

  .text

/* uint64_t native_enter_user(uint64_t rip): ring 3 at rip until its "done"
 * call, whose argument is returned. */
  .globl native_enter_user
native_enter_user:
  push_callee_saved
  movq %rsp, native_user_return_rsp(%rip)
  pushq $USER_SS
  pushq $0                  /* the user program uses no stack */
  pushq $0x2                /* interrupts stay off, as in the kernel */
  pushq $USER_CS
  pushq %rdi
  iretq
native_user_returned:
  pop_callee_saved
  ret

  .globl native_syscall_entry
native_syscall_entry:
  cmpl $BENCH_SYS_DONE, %eax
  je 1f
  sysretq
1:
  movq native_user_return_rsp(%rip), %rsp
  movq %rdi, %rax
  jmp native_user_returned

  .bss
  .p2align 3
native_user_return_rsp:
  .skip 8

  .section .note.GNU-stack, "", @progbits
