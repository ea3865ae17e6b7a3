/*
 * Bounce handlers for the benchmark guest on hv-core: each skips the
 * instruction that trapped (ud2: 2 bytes; the benchmark's faulting load,
 * movq (%rax), %rax: 3 bytes) and returns with PVABI_HC_IRET. rax is the
 * only register they use, and the iret frame restores it.
 *
 *   pvabi_exception_frame: rcx 0, r11 8, error 16, rip 24, cs 32, rflags 40, rsp 48, ss 56
 *   pvabi_iret_frame:      rax 0, r11 8, rcx 16, flags 24, rip 32, cs 40, rflags 48, rsp 56, ss 64
 *   a page fault's frame leads with 16 bytes (the address and a pad).
 */
#define HC_IRET 15

.macro skip_and_return name, frame, length
  .globl \name
\name:
  subq $80, %rsp
  movq %rax, 0(%rsp)
  movq 80 + \frame + 8(%rsp), %rax
  movq %rax, 8(%rsp)
  movq 80 + \frame + 0(%rsp), %rax
  movq %rax, 16(%rsp)
  movq $0, 24(%rsp)
  movq 80 + \frame + 24(%rsp), %rax
  addq $\length, %rax
  movq %rax, 32(%rsp)
  movq 80 + \frame + 32(%rsp), %rax
  movq %rax, 40(%rsp)
  movq 80 + \frame + 40(%rsp), %rax
  movq %rax, 48(%rsp)
  movq 80 + \frame + 48(%rsp), %rax
  movq %rax, 56(%rsp)
  movq 80 + \frame + 56(%rsp), %rax
  movq %rax, 64(%rsp)
  movq $0, 72(%rsp)
  movl $HC_IRET, %eax
  syscall
  ud2
.endm

  .text
  skip_and_return bench_invalid_opcode_entry, 0, 2
  skip_and_return bench_page_fault_entry, 16, 3

  .section .note.GNU-stack, "", @progbits
