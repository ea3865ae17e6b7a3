/*
 * pvabi/cpu.h: the de-privileged CPU: traps, callbacks, stacks, descriptors,
 * segment bases, the FPU flag, iret, and the frames the hypervisor bounces.
 *
 * The guest kernel runs in ring 3. It cannot load an IDT, so it registers a
 * trap table; the hypervisor bounces an exception by pushing a frame on the
 * guest kernel stack (registered with stack_switch) and jumping to the
 * handler. A page fault gets the extended frame, which leads with the
 * faulting address. An event upcall gets its own frame. The handler returns
 * with PVABI_HC_IRET.
 *
 *     handler(struct pvabi_page_fault_frame *f)  // rsp points at f on entry
 *         fault_addr = f->fault_addr; error = f->frame.error_code;
 */
#ifndef PVABI_CPU_H
#define PVABI_CPU_H

#include <pvabi/base.h>

/*
 * Flat selectors the hypervisor provides in its reserved GDT entries. The
 * guest kernel and guest user both run with these (ring 3), and they are
 * the only selectors the hypervisor loads for a guest: the cs and ss of trap
 * entries, callbacks, the kernel stack, iret frames and vCPU contexts must
 * be one of them. Selectors of the guest's own GDT (PVABI_HC_SET_GDT) are
 * PVABI_EINVAL there: x86-64 guests run on the hypervisor's GDT.
 */
#define PVABI_FLAT_CS64 0xe033u
#define PVABI_FLAT_CS32 0xe023u
#define PVABI_FLAT_DS 0xe02bu
#define PVABI_FLAT_SS 0xe02bu
/* Guest GDT entries: 14 frames; entries from here on are reserved. */
#define PVABI_GDT_MAX_FRAMES 14
#define PVABI_GDT_FIRST_RESERVED_ENTRY 7168

/**
 * PVABI_HC_SET_TRAP_TABLE(table, count): install exception handlers.
 * in: table = guest address of `count` struct pvabi_trap_info (count <= 256);
 *   count = 0 clears every handler. Each entry: vector < 256 (not 2, NMI,
 *   which uses a callback in a later version), flags = DPL in bits 0-1 (who
 *   may raise it with `int n`: 3, guest user and kernel; 1 or 2, the guest
 *   kernel only, which counts as ring 1; 0, nobody: `int n` is a #GP at the
 *   instruction) | PVABI_TRAP_MASK_EVENTS, cs = PVABI_FLAT_CS64 or
 *   PVABI_FLAT_CS32, address canonical and outside the reserved range.
 *   `int n` is always a #GP on vectors 0-31 other than 3, and on 32 and 255
 *   (the hypervisor's timer and spurious vectors).
 * status: PVABI_OK; PVABI_EFAULT; PVABI_E2BIG; PVABI_EINVAL (a bad entry:
 *   vector, flags, _pad0, reserved-range address, privileged selector).
 * On failure the old table stays in force, whole.
 */
#define PVABI_TRAP_DPL_MASK 3u
/* Set the vCPU's upcall mask when entering this handler (an interrupt gate). */
#define PVABI_TRAP_MASK_EVENTS 4u

struct pvabi_trap_info {
  uint8_t vector;
  uint8_t flags;
  uint16_t cs;
  uint32_t _pad0;
  pvabi_u64 address;
};
PVABI_ASSERT_SIZE(pvabi_trap_info, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_trap_info, vector, 0);
PVABI_ASSERT_OFFSET(pvabi_trap_info, flags, 1);
PVABI_ASSERT_OFFSET(pvabi_trap_info, cs, 2);
PVABI_ASSERT_OFFSET(pvabi_trap_info, _pad0, 4);
PVABI_ASSERT_OFFSET(pvabi_trap_info, address, 8);

/**
 * PVABI_HC_CALLBACK_OP(PVABI_CALLBACKOP_REGISTER, arg): set a callback.
 * in: arg = guest address of a struct pvabi_callback; type one of
 *   PVABI_CALLBACK_EVENT (event upcall, entered with a
 *   struct pvabi_event_upcall_frame), PVABI_CALLBACK_FAILSAFE (entered when
 *   the hypervisor cannot return to the guest with the selectors it was
 *   given, e.g. from iret), PVABI_CALLBACK_SYSCALL (the guest kernel's entry
 *   for `syscall` from guest user mode, entered on the kernel base pointer
 *   and stack with a struct pvabi_exception_frame, vector
 *   PVABI_VECTOR_SYSCALL); flags = PVABI_CALLBACK_MASK_EVENTS or 0; address
 *   canonical, outside the reserved range.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_EINVAL (type, flags, address).
 * On failure the callback keeps its old address.
 */
#define PVABI_CALLBACKOP_REGISTER 0
/**
 * PVABI_HC_CALLBACK_OP(PVABI_CALLBACKOP_UNREGISTER, arg): clear a callback.
 * in: arg as for REGISTER; only `type` is read.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_EINVAL (type).
 */
#define PVABI_CALLBACKOP_UNREGISTER 1
#define PVABI_CALLBACK_EVENT 0
#define PVABI_CALLBACK_FAILSAFE 1
#define PVABI_CALLBACK_SYSCALL 2
#define PVABI_CALLBACK_MASK_EVENTS 1u

struct pvabi_callback {
  uint32_t type;
  uint32_t flags;
  pvabi_u64 address;
};
PVABI_ASSERT_SIZE(pvabi_callback, 16, 8);
PVABI_ASSERT_OFFSET(pvabi_callback, type, 0);
PVABI_ASSERT_OFFSET(pvabi_callback, flags, 4);
PVABI_ASSERT_OFFSET(pvabi_callback, address, 8);

/**
 * PVABI_HC_STACK_SWITCH(ss, rsp): the guest kernel stack that bounces and
 * syscalls from guest user mode land on.
 * in: ss = PVABI_FLAT_SS; rsp = canonical, 16-byte aligned, outside
 *   the reserved range.
 * status: PVABI_OK; PVABI_EINVAL. On failure the old stack stays.
 */

/**
 * PVABI_HC_SET_GDT(frames, entries): install a new global descriptor table.
 * in: frames = guest address of an array of pvabi_u64 machine frames (at
 *   most PVABI_GDT_MAX_FRAMES); entries = number of 8-byte descriptors
 *   (<= PVABI_GDT_FIRST_RESERVED_ENTRY, <= 512 * number of frames).
 *   Every descriptor is validated (see PVABI_HC_UPDATE_DESCRIPTOR) and each
 *   frame takes the descriptor-table type, so it cannot be mapped writable.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_E2BIG; PVABI_EPERM (frame not
 *   owned); PVABI_EBUSY (frame mapped writable); PVABI_EINVAL (a descriptor).
 * On failure the old table stays, and no frame changes type.
 */

/**
 * PVABI_HC_UPDATE_DESCRIPTOR(maddr, desc): write one descriptor.
 * in: maddr = 8-aligned machine address inside a descriptor-table frame
 *   (or any owned frame without a type); desc = the 8-byte descriptor.
 *   Accepted: a null descriptor; code or data segments with DPL 3 whose
 *   limit does not reach the reserved range; nothing else (no DPL 0-2, no
 *   call, interrupt or trap gates, no TSS or LDT system descriptors).
 * status: PVABI_OK; PVABI_EINVAL (misaligned, descriptor refused);
 *   PVABI_EPERM (frame not owned); PVABI_ERANGE; PVABI_EBUSY (frame of
 *   another type). On failure the descriptor is unchanged.
 */

/**
 * PVABI_HC_SET_SEGMENT_BASE(which, base): set a segment base register.
 * in: which = PVABI_SEGBASE_FS, PVABI_SEGBASE_GS_KERNEL (used while the
 *   guest kernel runs) or PVABI_SEGBASE_GS_USER (used in guest user mode);
 *   base canonical.
 * status: PVABI_OK; PVABI_EINVAL (which, base). On failure nothing changes.
 */
#define PVABI_SEGBASE_FS 0
#define PVABI_SEGBASE_GS_USER 1
#define PVABI_SEGBASE_GS_KERNEL 2

/**
 * PVABI_HC_FPU_TASKSWITCH(set): the guest's view of CR0.TS.
 * in: set = 1 to set the flag (the next FPU or SSE instruction bounces #NM,
 *   vector 7, to the guest), 0 to clear it. The flag is the vCPU's; bouncing
 *   the #NM clears it, so the handler may use the FPU at once (with no
 *   handler for vector 7 the domain crashes). Each vCPU's x87 and SSE
 *   registers are its own, kept across preemption: a vCPU starts as after
 *   FNINIT, with MXCSR 0x1f80, every register zero and the flag clear.
 * status: PVABI_OK; PVABI_EINVAL (set not 0 or 1).
 */

/**
 * PVABI_HC_IRET(): return from a bounce or an upcall.
 * in: rsp points at a struct pvabi_iret_frame on the guest kernel stack.
 *   Its cs and ss must be ring-3 selectors; rflags is taken with IOPL 0 and
 *   the interrupt flag forced on; PVABI_IRET_UNMASK_EVENTS clears the vCPU's
 *   upcall mask as part of the return.
 * out: does not return on success: execution continues at rip with the
 *   frame's registers (rax, rcx, r11 included), in user mode if cs names
 *   user mode, with that mode's base pointer.
 * status: PVABI_EFAULT (frame unreadable); a frame with bad selectors is not
 *   returned to: the failsafe callback is entered instead.
 */
#define PVABI_IRET_UNMASK_EVENTS 1u
/* The return goes to guest user mode (with the user base pointer). */
#define PVABI_IRET_TO_USER 2u

struct pvabi_iret_frame {
  pvabi_u64 rax;
  pvabi_u64 r11;
  pvabi_u64 rcx;
  pvabi_u64 flags; /* PVABI_IRET_* */
  pvabi_u64 rip;
  pvabi_u64 cs;
  pvabi_u64 rflags;
  pvabi_u64 rsp;
  pvabi_u64 ss;
  pvabi_u64 _pad0;
};
PVABI_ASSERT_SIZE(pvabi_iret_frame, 80, 8);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, rax, 0);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, r11, 8);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, rcx, 16);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, flags, 24);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, rip, 32);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, cs, 40);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, rflags, 48);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, rsp, 56);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, ss, 64);
PVABI_ASSERT_OFFSET(pvabi_iret_frame, _pad0, 72);

/*
 * The frame on the guest kernel stack when a trap handler or the syscall
 * callback is entered (rsp points at it; it is 16-byte aligned). rcx and r11
 * hold the interrupted values here because the hypervisor used the
 * registers to return to the guest.
 */
struct pvabi_exception_frame {
  pvabi_u64 rcx;
  pvabi_u64 r11;
  pvabi_u64 error_code; /* 0 for vectors without one */
  pvabi_u64 rip;
  pvabi_u64 cs;
  pvabi_u64 rflags;
  pvabi_u64 rsp;
  pvabi_u64 ss;
  uint32_t vector; /* 0..255, or PVABI_VECTOR_SYSCALL */
  uint32_t flags;  /* PVABI_FRAME_* */
  uint32_t _pad0;
  uint32_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_exception_frame, 80, 8);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, rcx, 0);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, r11, 8);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, error_code, 16);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, rip, 24);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, cs, 32);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, rflags, 40);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, rsp, 48);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, ss, 56);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, vector, 64);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, flags, 68);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, _pad0, 72);
PVABI_ASSERT_OFFSET(pvabi_exception_frame, _pad1, 76);

#define PVABI_VECTOR_PAGE_FAULT 14u
#define PVABI_VECTOR_SYSCALL 256u
/* The bounce interrupted guest user mode (so the user base pointer was live). */
#define PVABI_FRAME_FROM_USER 1u
/* The vCPU's upcall mask was set before the bounce (restore it on return). */
#define PVABI_FRAME_EVENTS_WERE_MASKED 2u

/* The extended frame of a page fault: the faulting address leads. */
struct pvabi_page_fault_frame {
  pvabi_u64 fault_addr; /* CR2 */
  pvabi_u64 _pad0;
  struct pvabi_exception_frame frame;
};
PVABI_ASSERT_SIZE(pvabi_page_fault_frame, 96, 8);
PVABI_ASSERT_OFFSET(pvabi_page_fault_frame, fault_addr, 0);
PVABI_ASSERT_OFFSET(pvabi_page_fault_frame, _pad0, 8);
PVABI_ASSERT_OFFSET(pvabi_page_fault_frame, frame, 16);

/* The frame on the guest kernel stack when the event callback is entered. */
struct pvabi_event_upcall_frame {
  pvabi_u64 rcx;
  pvabi_u64 r11;
  pvabi_u64 rip;
  pvabi_u64 cs;
  pvabi_u64 rflags;
  pvabi_u64 rsp;
  pvabi_u64 ss;
  uint32_t flags; /* PVABI_FRAME_* */
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_event_upcall_frame, 64, 8);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, rcx, 0);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, r11, 8);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, rip, 16);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, cs, 24);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, rflags, 32);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, rsp, 40);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, ss, 48);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, flags, 56);
PVABI_ASSERT_OFFSET(pvabi_event_upcall_frame, _pad0, 60);

#endif /* PVABI_CPU_H */
