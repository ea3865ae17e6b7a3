/*
 * hv-core/arch/x86_64/boot.S: entry from a multiboot loader (QEMU -kernel)
 * in 32-bit protected mode, to long mode, to hv_main.
 *
 * QEMU's multiboot loader takes ELF32 images only, so the image is linked
 * as ELF64 and converted; this file's first part is 32-bit code. The boot
 * page tables map the first 4 GiB with 2 MiB pages twice: at 0, where the
 * hypervisor runs, and at the alias in reserved L4 slot 257, which every
 * guest address space shares, for the code that switches page tables.
 */
#define MULTIBOOT_MAGIC 0x1badb002
#define MULTIBOOT_FLAGS 0x00000003 /* modules page-aligned, memory map wanted */

  .section .multiboot, "a"
  .p2align 2
  .long MULTIBOOT_MAGIC
  .long MULTIBOOT_FLAGS
  .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

  .section .boot.text, "ax"
  .code32
  .globl boot_entry32
boot_entry32:
  cli
  movl %eax, %edi                 /* multiboot magic, for hv_main */
  movl %ebx, %esi                 /* multiboot info */
  movl $boot_stack_top, %esp

  /* PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages. */
  movl $boot_pdpt, %eax
  orl $0x3, %eax
  movl %eax, boot_pml4
  movl %eax, boot_pml4 + 257 * 8  /* the alias in reserved slot 257 (guest_regs_offsets.h) */
  xorl %ecx, %ecx
1:
  movl %ecx, %eax
  shll $12, %eax
  addl $boot_pd, %eax
  orl $0x3, %eax
  movl %eax, boot_pdpt(, %ecx, 8)
  incl %ecx
  cmpl $4, %ecx
  jne 1b
  xorl %ecx, %ecx
2:
  movl %ecx, %eax
  shll $21, %eax
  orl $0x83, %eax                 /* present, writable, 2 MiB */
  movl %eax, boot_pd(, %ecx, 8)
  movl %ecx, %eax
  shrl $11, %eax                  /* high bits of the 2 MiB frame address */
  movl %eax, boot_pd + 4(, %ecx, 8)
  incl %ecx
  cmpl $2048, %ecx
  jne 2b

  movl %cr4, %eax
  orl $0x620, %eax                /* PAE; OSFXSR, OSXMMEXCPT: SSE for guests (every x86-64 CPU has it) */
  movl %eax, %cr4
  movl $boot_pml4, %eax
  movl %eax, %cr3
  movl $0xc0000080, %ecx          /* EFER */
  rdmsr
  orl $0x900, %eax                /* LME, NXE */
  wrmsr
  movl %cr0, %eax
  andl $~0x4, %eax                /* not EM: guests run x87 and SSE code */
  orl $0x80010023, %eax           /* PG, WP, NE, MP, PE: NE raises x87 errors as #MF, MP makes WAIT honour TS */
  movl %eax, %cr0
  lgdt boot_gdt_pointer
  ljmp $0x08, $boot_entry64

  .code64
boot_entry64:
  movw $0x10, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  xorw %ax, %ax
  movw %ax, %fs
  movw %ax, %gs
  movq $boot_stack_top, %rsp
  call hv_main
3:
  hlt
  jmp 3b

  .section .boot.data, "aw"
  .p2align 3
boot_gdt:
  .quad 0
  .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, ring 0 */
  .quad 0x00cf92000000ffff        /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_pointer:
  .word boot_gdt_end - boot_gdt - 1
  .long boot_gdt

  .section .boot.bss, "aw", @nobits
  .p2align 12
  .globl boot_pml4
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd: .skip 4 * 4096
  .p2align 4
  .skip 16384
boot_stack_top:

  .section .note.GNU-stack, "", @progbits
