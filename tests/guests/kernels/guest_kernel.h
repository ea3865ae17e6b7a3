/*
 * What every test guest kernel declares: its PVABI ELF notes (pvabi/elfnote.h),
 * each a 32-bit value, as the domain builder reads them.
 */
#ifndef PVABI_TESTS_GUESTS_GUEST_KERNEL_H
#define PVABI_TESTS_GUESTS_GUEST_KERNEL_H

#include <pvabi/pvabi.h>

struct pvabi_note_u32 {
  struct pvabi_elfnote_header header;
  char name[8]; /* "PVABI", padded to 4 */
  uint32_t desc;
};

#define PVABI_GUEST_NOTE(var, type, value)                        \
  __attribute__((section(".note.pvabi"), used, aligned(4)))       \
  static const struct pvabi_note_u32 var = {{6, 4, (type)}, PVABI_ELFNOTE_NAME, (value)}

#endif
