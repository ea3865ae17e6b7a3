/* hv-core/arch/x86_64/guest_regs_offsets.h: offsets into hv::GuestRegs for
 * the entry assembly; guest_entry.cc checks each against offsetof. */
#ifndef HV_CORE_ARCH_X86_64_GUEST_REGS_OFFSETS_H
#define HV_CORE_ARCH_X86_64_GUEST_REGS_OFFSETS_H

#define GR_RAX 0
#define GR_RBX 8
#define GR_RCX 16
#define GR_RDX 24
#define GR_RSI 32
#define GR_RDI 40
#define GR_RBP 48
#define GR_RSP 56
#define GR_R8 64
#define GR_R9 72
#define GR_R10 80
#define GR_R11 88
#define GR_R12 96
#define GR_R13 104
#define GR_R14 112
#define GR_R15 120
#define GR_RIP 128
#define GR_RFLAGS 136

/* Marks a vector entry.S took through a software-interrupt stub. */
#define SOFT_INTERRUPT 0x100

/* The hypervisor's second mapping of low memory, in reserved L4 slot 257:
 * code that runs while a guest's page tables are loaded runs here. */
#define HV_ALIAS_BASE 0xffff808000000000
#define HV_ALIAS_L4_SLOT 257

#endif
