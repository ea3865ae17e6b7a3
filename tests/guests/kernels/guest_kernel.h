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

/* The PVABI_HC_IRET frame that starts user code at `rip` on stack `rsp`
 * (0 for code that uses none), events enabled, flat selectors. */
static inline struct pvabi_iret_frame guest_user_entry_frame(uint64_t rip, uint64_t rsp) {
  struct pvabi_iret_frame f = {0};
  f.flags = PVABI_IRET_TO_USER;
  f.rip = rip;
  f.cs = PVABI_FLAT_CS64;
  f.rflags = 0x202;
  f.rsp = rsp;
  f.ss = PVABI_FLAT_SS;
  return f;
}

#endif
