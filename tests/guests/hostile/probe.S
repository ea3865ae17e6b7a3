/*
 * Memory probes for the hostile kernels and the fault entry that serves
 * them: a fault on a probe instruction resumes at its fixup with rax = 1.
 *
 *     int hostile_probe_read(uint64_t va, uint64_t *out);   // 0 or 1
 *     int hostile_probe_write(uint64_t va, uint64_t value);
 */
#define IRET_FRAME_SIZE 80 /* struct pvabi_iret_frame */

  .text
  .globl hostile_probe_read, hostile_read_insn, hostile_read_fixup
hostile_probe_read:
  xorl %eax, %eax
hostile_read_insn:
  movq (%rdi), %rdx
  movq %rdx, (%rsi)
hostile_read_fixup:
  ret

  .globl hostile_probe_write, hostile_write_insn, hostile_write_fixup
hostile_probe_write:
  xorl %eax, %eax
hostile_write_insn:
  movq %rsi, (%rdi)
hostile_write_fixup:
  ret

/* Entered with rsp at the bounce frame (16-byte aligned): hostile_fault
 * fills an iret frame below it, then PVABI_HC_IRET returns through that
 * frame via the hypercall page (jumped to, so rsp stays at the frame). */
.macro fault_entry name, vector
  .globl \name
\name:
  movq %rsp, %rdi
  movq $\vector, %rsi
  subq $(IRET_FRAME_SIZE + 16), %rsp
  movq %rsp, %rdx
  cld
  call hostile_fault
  jmp *hostile_iret_stub(%rip)
.endm

fault_entry hostile_fault_entry_pf, 14
fault_entry hostile_fault_entry_gp, 13

  .section .note.GNU-stack, "", @progbits
