/* Bounce handlers for the benchmark guest at ring 0: the CPU's own frame. */
  .text
  .globl bench_invalid_opcode_entry
bench_invalid_opcode_entry:
  addq $2, (%rsp)        /* skip ud2 */
  iretq

  .globl bench_page_fault_entry
bench_page_fault_entry:
  addq $8, %rsp          /* the error code */
  addq $3, (%rsp)        /* skip movq (%rax), %rax */
  iretq

  .section .note.GNU-stack, "", @progbits
