/*
 * Guest user mode and system calls: the kernel builds user page tables that
 * map only the user program and its stack (NEW_USER_BASEPTR), registers the
 * syscall callback and its kernel stack, and irets to user mode
 * (PVABI_IRET_TO_USER). The user program makes system calls with six
 * arguments; the callback sees the user's registers in the documented frame
 * on the kernel stack and its iret brings the result back. A hypercall
 * number from user mode is only a system call to the guest kernel, a user
 * read of kernel memory is a page fault bounced with from_user set, and a
 * user `int n` reaches its handler only if the trap table's DPL is 3.
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define SYS_ADD 1
#define SYS_REPORT 2
#define SYS_EXIT 3
#define USER_GAVE_UP 0xbad0u /* exit code when something unexpected happened */
#define SKIPPED_READ 0xdeadu /* rax after the kernel skipped the user's read */

/* user_code.S */
uint64_t cpu_enter_user(const struct pvabi_iret_frame *to_user);
void cpu_user_returned(void);
extern const uint8_t user_program[], user_after_add[], user_after_hypercall[], user_read_kernel[],
    user_read_kernel_end[], user_after_int80[], user_int81[];
uint64_t user_return_rsp;

/* Read by user_code.S: a shutdown request the user passes along, and a word
 * only the kernel's tables map. */
struct pvabi_sched_shutdown user_shutdown_request = {PVABI_SHUTDOWN_POWEROFF, 0};
uint64_t kernel_secret = 0x5ec2e7;

static uint8_t user_stack[PVABI_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t kernel_stack[4 * PVABI_PAGE_SIZE] __attribute__((aligned(4096)));
/* The user page tables: L4, L3, L2, L1. */
static uint64_t user_tables[4][512] __attribute__((aligned(4096)));

#define MAX_CALLS 16
static struct {
  unsigned calls;
  struct pvabi_exception_frame frames[MAX_CALLS];
  struct cpu_regs regs[MAX_CALLS];
  uint64_t entry_rsp[MAX_CALLS];
  unsigned reports;
  uint64_t report[MAX_CALLS][2];
  unsigned soft_interrupts;
  struct pvabi_exception_frame soft[2];
  unsigned faults;
  struct pv_page_fault fault;
  uint64_t fault_entry_rsp;
  uint64_t exit_code;
} seen;

/* Back to cpu_enter_user's caller in kernel mode, returning `code`. */
static void leave_user(uint64_t code, struct pvabi_iret_frame *out) {
  *out = (struct pvabi_iret_frame){0};
  out->rax = code;
  out->rip = (uint64_t)cpu_user_returned;
  out->cs = PVABI_FLAT_CS64;
  out->rflags = 0x202;
  out->rsp = user_return_rsp;
  out->ss = PVABI_FLAT_SS;
  seen.exit_code = code;
}

static void on_syscall(const struct pvabi_exception_frame *f, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  const unsigned i = seen.calls++;
  if (i < MAX_CALLS) {
    seen.frames[i] = *f;
    seen.regs[i] = *regs;
    seen.entry_rsp[i] = (uint64_t)f;
  }
  if ((f->flags & PVABI_FRAME_FROM_USER) == 0 || f->vector != PVABI_VECTOR_SYSCALL || i >= MAX_CALLS) {
    leave_user(USER_GAVE_UP, out);
    return;
  }
  uint64_t result = 0;
  switch (regs->rax) {
    case SYS_ADD: result = regs->rdi + regs->rsi + regs->rdx + regs->r10 + regs->r8 + regs->r9; break;
    case SYS_REPORT:
      if (seen.reports < MAX_CALLS) {
        seen.report[seen.reports][0] = regs->rdi;
        seen.report[seen.reports][1] = regs->rsi;
        ++seen.reports;
      }
      break;
    case SYS_EXIT: leave_user(regs->rdi, out); return;
    default: result = (uint64_t)PVABI_ENOSYS; break; /* what a kernel answers to an unknown call */
  }
  pv_iret_frame_from_exception(f, result, out);
}

/* int $0x80 from user mode, and the #GP of int $0x81 (skipped). */
static void on_soft_interrupt(const struct pvabi_exception_frame *f, struct cpu_regs *regs,
                              struct pvabi_iret_frame *out) {
  const unsigned i = seen.soft_interrupts++;
  if (i < 2) seen.soft[i] = *f;
  pv_iret_frame_from_exception(f, regs->rax, out);
  if (f->vector == 13 && f->rip == (uint64_t)user_int81) out->rip += 2;
  else if (f->vector != 0x80 || i >= 2) leave_user(USER_GAVE_UP + 2, out);
}

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  const struct pvabi_exception_frame *f = entry_rsp;
  if (kind == CPU_KIND_EXCEPTION && f->vector != PVABI_VECTOR_SYSCALL) {
    on_soft_interrupt(f, regs, out);
    return;
  }
  if (kind == CPU_KIND_EXCEPTION) {
    on_syscall(entry_rsp, regs, out);
    return;
  }
  const struct pvabi_page_fault_frame *pf = entry_rsp;
  ++seen.faults;
  seen.fault_entry_rsp = (uint64_t)entry_rsp;
  if (pv_page_fault_decode(entry_rsp, &seen.fault) != PVABI_OK || !seen.fault.from_user ||
      pf->frame.rip != (uint64_t)user_read_kernel) {
    leave_user(USER_GAVE_UP + 1, out);
    return;
  }
  pv_iret_frame_from_exception(&pf->frame, SKIPPED_READ, out);
  out->rip = (uint64_t)user_read_kernel_end;
}

/* Entry `index` of table `t` at level `level` (4..1) for address va. */
static unsigned table_index(uint64_t va, unsigned level) { return (unsigned)(va >> (12 + 9 * (level - 1))) & 511; }

static int64_t build_user_tables(uint64_t *l4_mfn) {
  const uint64_t code = (uint64_t)user_program, stack = (uint64_t)user_stack;
  for (unsigned level = 4; level > 1; --level) {
    if (table_index(code, level) != table_index(stack, level)) return PVABI_ERANGE; /* one L1 must do */
  }
  for (unsigned t = 0; t < 4; ++t) {
    for (unsigned e = 0; e < 512; ++e) user_tables[t][e] = 0;
  }
  const uint64_t table_flags = PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE;
  for (unsigned t = 0; t < 3; ++t) {
    user_tables[t][table_index(code, 4 - t)] = pv_virt_to_mfn(user_tables[t + 1]) << 12 | table_flags;
  }
  user_tables[3][table_index(code, 1)] = pv_virt_to_mfn(user_program) << 12 | PVABI_PTE_PRESENT;
  user_tables[3][table_index(stack, 1)] = pv_virt_to_mfn(user_stack) << 12 | table_flags;
  /* Page tables are read-only to the guest before they are validated. */
  for (unsigned t = 0; t < 4; ++t) {
    const int64_t s = pv_mmu_update_va_mapping(NULL, (uint64_t)user_tables[t],
                                               pv_virt_to_mfn(user_tables[t]) << 12 | PVABI_PTE_PRESENT,
                                               PVABI_UVMF_INVLPG);
    if (s != PVABI_OK) return s;
  }
  *l4_mfn = pv_virt_to_mfn(user_tables[0]);
  const int64_t s = pv_mmu_pin_table(NULL, 4, *l4_mfn);
  return s != PVABI_OK ? s : pv_mmu_set_baseptr(NULL, *l4_mfn, 1);
}

int pvtest_setup(void) {
  static struct pvabi_trap_info t[4];
  uint64_t l4;
  int64_t s = build_user_tables(&l4);
  if (s != PVABI_OK) {
    pvtest_printf("user tables: %s", pvtest_status_name(s));
    return 1;
  }
  if (pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 0, (uint64_t)cpu_page_fault_entry) != PVABI_OK ||
      pv_trap_entry(&t[1], 13, 0, 0, (uint64_t)cpu_exception_entry) != PVABI_OK ||
      pv_trap_entry(&t[2], 0x80, 3, 0, (uint64_t)cpu_exception_entry) != PVABI_OK ||
      pv_trap_entry(&t[3], 0x81, 1, 0, (uint64_t)cpu_exception_entry) != PVABI_OK || pv_set_trap_table(t, 4) != PVABI_OK ||
      pv_stack_switch(PVABI_FLAT_SS, (uint64_t)kernel_stack + sizeof kernel_stack) != PVABI_OK ||
      pv_callback_register(PVABI_CALLBACK_SYSCALL, (uint64_t)cpu_exception_entry, 0) != PVABI_OK) {
    return 1;
  }
  static struct pvabi_iret_frame to_user;
  to_user = guest_user_entry_frame((uint64_t)user_program, (uint64_t)user_stack + sizeof user_stack);
  (void)cpu_enter_user(&to_user);
  return 0;
}

PVTEST(user_mode_ran_to_its_exit_call) {
  PVTEST_EXPECT_EQ(seen.exit_code, 42);
  PVTEST_EXPECT_EQ(seen.calls, 6);
  PVTEST_EXPECT_EQ(seen.reports, 3);
}

PVTEST(the_syscall_callback_sees_the_users_registers_and_frame) {
  const struct pvabi_exception_frame *f = &seen.frames[0];
  const struct cpu_regs *r = &seen.regs[0];
  const uint64_t kernel_top = (uint64_t)kernel_stack + sizeof kernel_stack;
  if (seen.calls == 0) PVTEST_ERROR("no system call arrived");
  PVTEST_EXPECT_EQ(r->rax, SYS_ADD);
  PVTEST_EXPECT_EQ(r->rdi, 1);
  PVTEST_EXPECT_EQ(r->rsi, 20);
  PVTEST_EXPECT_EQ(r->rdx, 300);
  PVTEST_EXPECT_EQ(r->r10, 4000);
  PVTEST_EXPECT_EQ(r->r8, 50000);
  PVTEST_EXPECT_EQ(r->r9, 600000);
  PVTEST_EXPECT_EQ(r->rbx, 0x5a5a5a5a);
  PVTEST_EXPECT_EQ(f->vector, PVABI_VECTOR_SYSCALL);
  PVTEST_EXPECT_EQ(f->error_code, 0);
  PVTEST_EXPECT_EQ(f->flags & PVABI_FRAME_FROM_USER, PVABI_FRAME_FROM_USER);
  PVTEST_EXPECT_EQ(f->rip, (uint64_t)user_after_add);
  PVTEST_EXPECT_EQ(f->rcx, (uint64_t)user_after_add); /* syscall put the return rip there */
  PVTEST_EXPECT_EQ(f->cs, PVABI_FLAT_CS64);
  PVTEST_EXPECT_EQ(f->ss, PVABI_FLAT_SS);
  PVTEST_EXPECT_EQ(f->rsp, (uint64_t)user_stack + sizeof user_stack);
  PVTEST_EXPECT_EQ(f->_pad0 | f->_pad1, 0);
  /* On the registered kernel stack, at its top. */
  PVTEST_EXPECT_EQ(seen.entry_rsp[0], kernel_top - sizeof(struct pvabi_exception_frame));
}

PVTEST(the_user_sees_the_result_and_its_registers) {
  PVTEST_EXPECT_EQ(seen.report[0][0], 1 + 20 + 300 + 4000 + 50000 + 600000);
  PVTEST_EXPECT_EQ(seen.report[0][1], 0x5a5a5a5a);
}

PVTEST(a_hypercall_from_user_mode_is_a_system_call) {
  PVTEST_EXPECT_EQ(seen.regs[2].rax, PVABI_HC_SCHED_OP);
  PVTEST_EXPECT_EQ(seen.regs[2].rdi, PVABI_SCHEDOP_SHUTDOWN);
  PVTEST_EXPECT_EQ(seen.frames[2].rip, (uint64_t)user_after_hypercall);
  PVTEST_EXPECT_EQ(seen.report[1][0], (uint64_t)PVABI_ENOSYS); /* the guest kernel's answer */
}

PVTEST(user_mode_cannot_read_kernel_memory) {
  PVTEST_EXPECT_EQ(seen.faults, 1);
  PVTEST_EXPECT_EQ(seen.fault.address, (uint64_t)&kernel_secret);
  PVTEST_EXPECT_EQ(seen.fault.rip, (uint64_t)user_read_kernel);
  PVTEST_EXPECT_EQ(seen.fault.from_user, 1);
  PVTEST_EXPECT_EQ(seen.fault.present, 0);
  PVTEST_EXPECT_EQ(seen.fault.write, 0);
  PVTEST_EXPECT_EQ(seen.fault_entry_rsp,
                   (uint64_t)kernel_stack + sizeof kernel_stack - sizeof(struct pvabi_page_fault_frame));
  PVTEST_EXPECT_EQ(seen.report[2][0], SKIPPED_READ);
  PVTEST_EXPECT_EQ(seen.report[2][1], 1);
}

PVTEST(user_int_n_follows_the_trap_tables_dpl) {
  PVTEST_EXPECT_EQ(seen.soft_interrupts, 2);
  PVTEST_EXPECT_EQ(seen.soft[0].vector, 0x80);
  PVTEST_EXPECT_EQ(seen.soft[0].rip, (uint64_t)user_after_int80);
  PVTEST_EXPECT_EQ(seen.soft[0].flags & PVABI_FRAME_FROM_USER, PVABI_FRAME_FROM_USER);
  PVTEST_EXPECT_EQ(seen.soft[0].rsp, (uint64_t)user_stack + sizeof user_stack);
  PVTEST_EXPECT_EQ(seen.soft[1].vector, 13);
  PVTEST_EXPECT_EQ(seen.soft[1].rip, (uint64_t)user_int81);
  PVTEST_EXPECT_EQ(seen.soft[1].flags & PVABI_FRAME_FROM_USER, PVABI_FRAME_FROM_USER);
}

PVTEST(the_kernel_runs_on_its_own_tables_again) {
  PVTEST_EXPECT_EQ(kernel_secret, 0x5ec2e7);
  PVTEST_CHECK(pvtest_start_info()->nr_pages > 0);
}
