/*
 * The benchmark guest on bare hardware: multiboot entry (32-bit), long mode
 * at ring 0, then native_main. The first GiB is identity-mapped with 2 MiB
 * pages (libpv's direct map at 0); the kernel's top 2 GiB get an empty page
 * directory so the benchmarks can hang their L1 window where they do on
 * hv-core (bench_guest.c).
 */
#define MULTIBOOT_MAGIC 0x1badb002
#define MULTIBOOT_FLAGS 0x00000003

  .section .multiboot, "a"
  .p2align 2
  .long MULTIBOOT_MAGIC
  .long MULTIBOOT_FLAGS
  .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

  .section .boot.text, "ax"
  .code32
  .globl native_entry32
native_entry32:
  cli
  movl $native_stack_top, %esp
  /* PML4[0] -> identity PDPT[0] -> 512 x 2 MiB. */
  movl $native_pdpt_low, %eax
  orl $0x3, %eax
  movl %eax, native_pml4
  movl $native_pd_low, %eax
  orl $0x3, %eax
  movl %eax, native_pdpt_low
  xorl %ecx, %ecx
1:
  movl %ecx, %eax
  shll $21, %eax
  orl $0x83, %eax
  movl %eax, native_pd_low(, %ecx, 8)
  incl %ecx
  cmpl $512, %ecx
  jne 1b
  /* PML4[511] -> PDPT[510] -> an empty page directory (0xffffffff80000000). */
  movl $native_pdpt_high, %eax
  orl $0x3, %eax
  movl %eax, native_pml4 + 511 * 8
  movl $native_pd_high, %eax
  orl $0x3, %eax
  movl %eax, native_pdpt_high + 510 * 8

  movl %cr4, %eax
  orl $0x20, %eax                 /* PAE */
  movl %eax, %cr4
  movl $native_pml4, %eax
  movl %eax, %cr3
  movl $0xc0000080, %ecx          /* EFER: LME, NXE */
  rdmsr
  orl $0x900, %eax
  wrmsr
  movl %cr0, %eax
  orl $0x80010001, %eax           /* PG, WP, PE */
  movl %eax, %cr0
  lgdt native_gdt_pointer
  ljmp $0x08, $native_entry64

  .code64
native_entry64:
  movw $0x10, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  movq $native_stack_top, %rsp
  call native_main
2:
  hlt
  jmp 2b

  .section .boot.data, "aw"
  .p2align 3
  .globl native_gdt
native_gdt:
  .quad 0
  .quad 0x00af9a000000ffff        /* 0x08: kernel code */
  .quad 0x00cf92000000ffff        /* 0x10: kernel data */
  /* Ring 3 for guest_syscall, in the order sysretq takes them (STAR). */
  .quad 0x00cff2000000ffff        /* 0x18: user data */
  .quad 0x00affa000000ffff        /* 0x20: user code */
  .quad 0, 0                      /* 0x28: the TSS, filled in by native_env.c */
native_gdt_end:
native_gdt_pointer:
  .word native_gdt_end - native_gdt - 1
  .long native_gdt

  .section .boot.bss, "aw", @nobits
  .p2align 12
native_pml4: .skip 4096
native_pdpt_low: .skip 4096
native_pd_low: .skip 4096
native_pdpt_high: .skip 4096
native_pd_high: .skip 4096
  .p2align 4
  .skip 32768
native_stack_top:

  .section .note.GNU-stack, "", @progbits
