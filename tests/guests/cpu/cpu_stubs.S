/*
 * Guest-side entry stubs for the cpu kernels: every bounce (exception,
 * page fault, the syscall callback, the event upcall) lands here on the
 * guest kernel stack with rsp at the bounce frame. A stub saves the general
 * registers, calls the kernel's C handler
 *
 *     void cpu_trap(unsigned kind, const void *entry_rsp,
 *                   struct cpu_regs *regs, struct pvabi_iret_frame *out);
 *
 * which fills the iret frame (and may change the saved registers), restores
 * them and returns with PVABI_HC_IRET, rsp at that frame. rax, rcx and r11
 * come back from the iret frame, so the saved copies of those are ignored.
 */
#define HC_IRET 15 /* PVABI_HC_IRET; cpu_stubs.h checks it */
#define KIND_EXCEPTION 0
#define KIND_PAGE_FAULT 1
#define KIND_UPCALL 2
#define IRET_SIZE 80 /* struct pvabi_iret_frame */
#define REGS_SIZE 128 /* struct cpu_regs: 15 registers and a pad */
#define FRAME_SIZE (IRET_SIZE + REGS_SIZE) /* a multiple of 16: calls stay aligned */

  .text
  .code64

.macro cpu_entry name, kind
  .globl \name
\name:
  subq $FRAME_SIZE, %rsp
  movq %rax, IRET_SIZE + 0(%rsp)
  movq %rbx, IRET_SIZE + 8(%rsp)
  movq %rcx, IRET_SIZE + 16(%rsp)
  movq %rdx, IRET_SIZE + 24(%rsp)
  movq %rsi, IRET_SIZE + 32(%rsp)
  movq %rdi, IRET_SIZE + 40(%rsp)
  movq %rbp, IRET_SIZE + 48(%rsp)
  movq %r8, IRET_SIZE + 56(%rsp)
  movq %r9, IRET_SIZE + 64(%rsp)
  movq %r10, IRET_SIZE + 72(%rsp)
  movq %r11, IRET_SIZE + 80(%rsp)
  movq %r12, IRET_SIZE + 88(%rsp)
  movq %r13, IRET_SIZE + 96(%rsp)
  movq %r14, IRET_SIZE + 104(%rsp)
  movq %r15, IRET_SIZE + 112(%rsp)
  cld
  movl $\kind, %edi
  leaq FRAME_SIZE(%rsp), %rsi
  leaq IRET_SIZE(%rsp), %rdx
  movq %rsp, %rcx
  call cpu_trap
  jmp cpu_return
.endm

cpu_entry cpu_exception_entry, KIND_EXCEPTION
cpu_entry cpu_page_fault_entry, KIND_PAGE_FAULT
cpu_entry cpu_upcall_entry, KIND_UPCALL

cpu_return:
  movq IRET_SIZE + 8(%rsp), %rbx
  movq IRET_SIZE + 24(%rsp), %rdx
  movq IRET_SIZE + 32(%rsp), %rsi
  movq IRET_SIZE + 40(%rsp), %rdi
  movq IRET_SIZE + 48(%rsp), %rbp
  movq IRET_SIZE + 56(%rsp), %r8
  movq IRET_SIZE + 64(%rsp), %r9
  movq IRET_SIZE + 72(%rsp), %r10
  movq IRET_SIZE + 88(%rsp), %r12
  movq IRET_SIZE + 96(%rsp), %r13
  movq IRET_SIZE + 104(%rsp), %r14
  movq IRET_SIZE + 112(%rsp), %r15
  movl $HC_IRET, %eax
  syscall
  /* iret returned: the hypervisor refused the frame. */
  ud2

  .section .note.GNU-stack, "", @progbits
