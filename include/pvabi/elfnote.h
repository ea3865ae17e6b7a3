/*
 * pvabi/elfnote.h: the ELF note a guest kernel carries so the domain builder
 * knows what it needs.
 *
 * Notes have name PVABI_ELFNOTE_NAME ("PVABI" and a NUL, padded to 8 bytes)
 * and one of the types below; the builder refuses a kernel without an
 * ABI_VERSION note, or one that asks for a newer version or a feature word
 * bit the hypervisor does not offer, and says why on its console.
 *
 *     .section .note.pvabi, "a"; .p2align 2
 *     .long 6, 4, PVABI_ELFNOTE_ABI_VERSION; .asciz "PVABI"; .p2align 2
 *     .long PVABI_INTERFACE_VERSION
 */
#ifndef PVABI_ELFNOTE_H
#define PVABI_ELFNOTE_H

#include <pvabi/base.h>

#define PVABI_ELFNOTE_NAME "PVABI"
/* desc: uint32_t, the PVABI_INTERFACE_VERSION the kernel was built for. */
#define PVABI_ELFNOTE_ABI_VERSION 1
/* desc: uint32_t[n], feature words 0..n-1 the kernel requires. */
#define PVABI_ELFNOTE_FEATURES 2
/* desc: pvabi_u64, guest-virtual entry point (default: the ELF entry). */
#define PVABI_ELFNOTE_ENTRY 3
/* desc: pvabi_u64, guest-virtual address of a page in the image to hold the
 * hypercall page (default: the builder places it after the image). */
#define PVABI_ELFNOTE_HYPERCALL_PAGE 4
/* desc: pvabi_u64, the guest-virtual address of pseudo-physical frame 0; a
 * segment loads at pseudo-physical address vaddr - VIRT_BASE (1 GiB aligned;
 * Linux: __START_KERNEL_map). Without it, segments are placed by paddr from
 * the lowest one, which then maps at its vaddr. */
#define PVABI_ELFNOTE_VIRT_BASE 5

/* The standard ELF note header, as laid out in the file. */
struct pvabi_elfnote_header {
  uint32_t namesz;
  uint32_t descsz;
  uint32_t type;
};
PVABI_ASSERT_SIZE(pvabi_elfnote_header, 12, 4);
PVABI_ASSERT_OFFSET(pvabi_elfnote_header, namesz, 0);
PVABI_ASSERT_OFFSET(pvabi_elfnote_header, descsz, 4);
PVABI_ASSERT_OFFSET(pvabi_elfnote_header, type, 8);

#endif /* PVABI_ELFNOTE_H */
