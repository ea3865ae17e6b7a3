/*
 * hv-core/arch/x86_64/entry.S: the ways between ring 3 and the hypervisor.
 * These run at HV_ALIAS_BASE + their load address (reserved L4 slot 257),
 * which is mapped under the hypervisor's page tables and every guest's, so
 * they can switch CR3. They save the guest's registers straight into the
 * running vCPU's save area (entry_regs_ptr, an alias address the way in
 * sets), switch to the hypervisor's tables and stack, and jump to C++ at
 * its low address.
 */
#include "guest_regs_offsets.h"

  .text
  .code64

/* Every general-purpose register but rsp, into *entry_regs_ptr; leaves
 * rax pointing there. */
.macro save_guest_registers
  movq %rax, entry_scratch(%rip)
  movq entry_regs_ptr(%rip), %rax
  movq %rbx, GR_RBX(%rax)
  movq %rcx, GR_RCX(%rax)
  movq %rdx, GR_RDX(%rax)
  movq %rsi, GR_RSI(%rax)
  movq %rdi, GR_RDI(%rax)
  movq %rbp, GR_RBP(%rax)
  movq %r8, GR_R8(%rax)
  movq %r9, GR_R9(%rax)
  movq %r10, GR_R10(%rax)
  movq %r11, GR_R11(%rax)
  movq %r12, GR_R12(%rax)
  movq %r13, GR_R13(%rax)
  movq %r14, GR_R14(%rax)
  movq %r15, GR_R15(%rax)
  movq entry_scratch(%rip), %rbx
  movq %rbx, GR_RAX(%rax)
.endm

/* syscall from ring 3 (the hypercall page's stubs): rcx = rip, r11 = rflags. */
  .globl syscall_entry
syscall_entry:
  save_guest_registers
  movq %rsp, GR_RSP(%rax)
  movq %rcx, GR_RIP(%rax)
  movq %r11, GR_RFLAGS(%rax)
  movq hv_cr3(%rip), %rax
  movq %rax, %cr3
  movq hv_stack_top(%rip), %rsp
  movabsq $hv_syscall, %rax
  jmp *%rax

/* Exceptions: the CPU has switched to the TSS stack (an alias address) and
 * pushed ss, rsp, rflags, cs, rip and, for some vectors, an error code. */
.macro exception vector, has_error
  .globl exception_\vector
exception_\vector:
  .if \has_error == 0
  pushq $0
  .endif
  pushq $\vector
  jmp exception_common
.endm

exception 0, 0
exception 1, 0
exception 2, 0
exception 3, 0
exception 4, 0
exception 5, 0
exception 6, 0
exception 7, 0
exception 8, 1
exception 9, 0
exception 10, 1
exception 11, 1
exception 12, 1
exception 13, 1
exception 14, 1
exception 15, 0
exception 16, 0
exception 17, 1
exception 18, 0
exception 19, 0
exception 32, 0                 /* the local APIC timer */

/* Software interrupts: `int n` (and int3) from ring 3 through the DPL-3
 * gates, one 16-byte stub per vector. The CPU pushed no error code and rip
 * is past the instruction; the vector is marked SOFT_INTERRUPT so the
 * hypervisor asks the guest's trap table whether that ring may raise it. */
  .balign 16
  .globl soft_interrupt_stubs
soft_interrupt_stubs:
  .set soft_vector, 0
  .rept 256
  .balign 16
  pushq $0
  pushq $(soft_vector | SOFT_INTERRUPT)
  jmp exception_common
  .set soft_vector, soft_vector + 1
  .endr

exception_common:
  save_guest_registers
  popq %rdi                       /* vector */
  popq %rsi                       /* error code */
  movq %rsp, %rdx                 /* the hardware frame: rip, cs, rflags, rsp, ss */
  movq hv_cr3(%rip), %rax
  movq %rax, %cr3
  movq hv_stack_top(%rip), %rsp
  movabsq $hv_exception, %rax
  jmp *%rax

/* enter_guest(GuestRegs* regs, uint64_t cr3, IretFrame* frame): called
 * through the alias with every pointer an alias address; never returns. */
  .globl enter_guest
enter_guest:
  movq %rsi, %cr3
  movq %rdx, %rsp
  movq GR_RAX(%rdi), %rax
  movq GR_RBX(%rdi), %rbx
  movq GR_RCX(%rdi), %rcx
  movq GR_RDX(%rdi), %rdx
  movq GR_RSI(%rdi), %rsi
  movq GR_RBP(%rdi), %rbp
  movq GR_R8(%rdi), %r8
  movq GR_R9(%rdi), %r9
  movq GR_R10(%rdi), %r10
  movq GR_R11(%rdi), %r11
  movq GR_R12(%rdi), %r12
  movq GR_R13(%rdi), %r13
  movq GR_R14(%rdi), %r14
  movq GR_R15(%rdi), %r15
  movq GR_RDI(%rdi), %rdi
  iretq

  .section .note.GNU-stack, "", @progbits
