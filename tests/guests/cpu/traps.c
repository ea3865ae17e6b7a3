/*
 * Trap bounces: #UD, #BP, #DE, #GP from privileged instructions, a software
 * `int $0x80` the trap table's DPL allows and `int $n` it forbids reach the
 * guest's handlers with the documented frame (vector, error code, rip, cs,
 * ss, rsp, rcx and r11 of the interrupted code), and the handler's iret
 * returns past the instruction with every register intact. A refused
 * set_trap_table (reserved-range or non-canonical handler, NMI, bad flags or
 * selector, too many entries, bad pointer) leaves the old table in force.
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define VECTOR_DE 0u
#define VECTOR_BP 3u
#define VECTOR_UD 6u
#define VECTOR_GP 13u
#define VECTOR_SOFT 0x80u      /* DPL 3: int n allowed */
#define VECTOR_KERNEL_ONLY 0x81u /* DPL 0: int n gives #GP */
#define VECTOR_NO_HANDLER 0x82u
#define VECTOR_NEVER_INSTALLED 0x85u

/* Set by the raising code just before the instruction: where it is, where
 * to go on, and the stack pointer it ran with. */
uint64_t fault_rip, resume_rip, fault_rsp;

/* What the last bounce delivered. */
static struct {
  unsigned count;
  struct pvabi_exception_frame frame;
  uint64_t entry_rsp;
} seen;

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  const struct pvabi_exception_frame *f = entry_rsp;
  (void)kind;
  ++seen.count;
  seen.frame = *f;
  seen.entry_rsp = (uint64_t)entry_rsp;
  pv_iret_frame_from_exception(f, regs->rax, out);
  /* A fault points at the instruction: skip it. A trap points past it already. */
  if (f->rip == fault_rip) out->rip = resume_rip;
}

static void reset_seen(void) {
  seen.count = 0;
  seen.frame.vector = ~0u;
}

/* Runs `insn` with fault_rip/resume_rip/fault_rsp set around it. */
#define RAISE(insn)                                                            \
  __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, fault_rip(%%rip)\n\t" \
                       "leaq 2f(%%rip), %%rax\n\tmovq %%rax, resume_rip(%%rip)\n\t" \
                       "movq %%rsp, fault_rsp(%%rip)\n\t"                      \
                       "1: " insn "\n2:"                                        \
                       :                                                        \
                       :                                                        \
                       : "rax", "rcx", "rdx", "memory", "cc")

static struct pvabi_trap_info table[8];
static unsigned table_len;

static int add_trap(uint32_t vector, unsigned dpl, void (*stub)(void)) {
  return pv_trap_entry(&table[table_len++], vector, dpl, 0, (uint64_t)stub);
}

int pvtest_setup(void) {
  table_len = 0;
  if (add_trap(VECTOR_DE, 0, cpu_exception_entry) != PVABI_OK || add_trap(VECTOR_BP, 3, cpu_exception_entry) != PVABI_OK ||
      add_trap(VECTOR_UD, 0, cpu_exception_entry) != PVABI_OK || add_trap(VECTOR_GP, 0, cpu_exception_entry) != PVABI_OK ||
      add_trap(VECTOR_SOFT, 3, cpu_exception_entry) != PVABI_OK ||
      add_trap(VECTOR_KERNEL_ONLY, 0, cpu_exception_entry) != PVABI_OK) {
    return 1;
  }
  return pv_set_trap_table(table, table_len) == PVABI_OK ? 0 : 1;
}

/* The frame fields every bounce from the guest kernel shares. */
static void check_kernel_frame(uint32_t vector, uint64_t rip, uint64_t error_code) {
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_EQ(seen.frame.vector, vector);
  PVTEST_EXPECT_EQ(seen.frame.rip, rip);
  PVTEST_EXPECT_EQ(seen.frame.error_code, error_code);
  PVTEST_EXPECT_EQ(seen.frame.cs, PVABI_FLAT_CS64);
  PVTEST_EXPECT_EQ(seen.frame.ss, PVABI_FLAT_SS);
  PVTEST_EXPECT_EQ(seen.frame.rsp, fault_rsp);
  PVTEST_EXPECT_EQ(seen.frame.flags & PVABI_FRAME_FROM_USER, 0);
  PVTEST_EXPECT_EQ(seen.frame._pad0 | seen.frame._pad1, 0);
  /* The frame sits just below the interrupted stack, 16-byte aligned. */
  PVTEST_EXPECT_EQ(seen.entry_rsp, (fault_rsp & ~15ull) - sizeof(struct pvabi_exception_frame));
  PVTEST_CHECK((seen.frame.rflags & (1u << 9)) != 0); /* IF: the guest's view is always on */
}

PVTEST(ud2_bounces_invalid_opcode) {
  reset_seen();
  RAISE("ud2");
  check_kernel_frame(VECTOR_UD, fault_rip, 0);
}

PVTEST(int3_bounces_breakpoint_past_the_instruction) {
  reset_seen();
  RAISE("int3");
  check_kernel_frame(VECTOR_BP, resume_rip, 0);
}

PVTEST(divide_by_zero_bounces_divide_error) {
  reset_seen();
  RAISE("xorl %%ecx, %%ecx\n\tmovl $7, %%eax\n\txorl %%edx, %%edx\n\tleaq 3f(%%rip), %%rax\n\tmovq %%rax, fault_rip(%%rip)\n\t"
        "movl $7, %%eax\n3: divl %%ecx");
  check_kernel_frame(VECTOR_DE, fault_rip, 0);
}

PVTEST(cli_is_privileged_in_ring_3) {
  reset_seen();
  RAISE("cli");
  check_kernel_frame(VECTOR_GP, fault_rip, 0);
}

PVTEST(reading_cr3_is_privileged_in_ring_3) {
  reset_seen();
  RAISE("movq %%cr3, %%rax");
  check_kernel_frame(VECTOR_GP, fault_rip, 0);
}

PVTEST(int_0x80_with_dpl_3_reaches_its_handler) {
  reset_seen();
  RAISE("int $0x80");
  check_kernel_frame(VECTOR_SOFT, resume_rip, 0);
}

/* The error code of this #GP is not checked: QEMU's is unreliable here. */
PVTEST(int_n_with_dpl_0_is_a_general_protection_fault) {
  reset_seen();
  RAISE("int $0x81");
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_GP);
  PVTEST_EXPECT_EQ(seen.frame.rip, fault_rip);
}

PVTEST(int_n_without_a_handler_is_a_general_protection_fault) {
  reset_seen();
  RAISE("int $0x82");
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_GP);
  PVTEST_EXPECT_EQ(seen.frame.rip, fault_rip);
}

/* Every general register, rcx and r11 included, comes back from the bounce. */
uint64_t regs_want[15] = {0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888,
                          0x9999, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xffff};
uint64_t regs_got[15];

PVTEST(registers_survive_a_bounce) {
  reset_seen();
  __asm__ __volatile__(
      "pushq %%rbp\n\t"
      "movq %%rsp, fault_rsp(%%rip)\n\t"
      "leaq 2f(%%rip), %%rax\n\tmovq %%rax, resume_rip(%%rip)\n\t"
      "leaq 3f(%%rip), %%rax\n\tmovq %%rax, fault_rip(%%rip)\n\t"
      "leaq regs_want(%%rip), %%rdi\n\t"
      "movq 0(%%rdi), %%rax\n\tmovq 8(%%rdi), %%rbx\n\tmovq 16(%%rdi), %%rcx\n\tmovq 24(%%rdi), %%rdx\n\t"
      "movq 32(%%rdi), %%rsi\n\tmovq 48(%%rdi), %%rbp\n\tmovq 56(%%rdi), %%r8\n\tmovq 64(%%rdi), %%r9\n\t"
      "movq 72(%%rdi), %%r10\n\tmovq 80(%%rdi), %%r11\n\tmovq 88(%%rdi), %%r12\n\tmovq 96(%%rdi), %%r13\n\t"
      "movq 104(%%rdi), %%r14\n\tmovq 112(%%rdi), %%r15\n\tmovq 40(%%rdi), %%rdi\n\t"
      "3: int3\n2:\n\t"
      "pushq %%rdi\n\t"
      "leaq regs_got(%%rip), %%rdi\n\t"
      "movq %%rax, 0(%%rdi)\n\tmovq %%rbx, 8(%%rdi)\n\tmovq %%rcx, 16(%%rdi)\n\tmovq %%rdx, 24(%%rdi)\n\t"
      "movq %%rsi, 32(%%rdi)\n\tmovq %%rbp, 48(%%rdi)\n\tmovq %%r8, 56(%%rdi)\n\tmovq %%r9, 64(%%rdi)\n\t"
      "movq %%r10, 72(%%rdi)\n\tmovq %%r11, 80(%%rdi)\n\tmovq %%r12, 88(%%rdi)\n\tmovq %%r13, 96(%%rdi)\n\t"
      "movq %%r14, 104(%%rdi)\n\tmovq %%r15, 112(%%rdi)\n\tpopq %%rax\n\tmovq %%rax, 40(%%rdi)\n\t"
      "popq %%rbp"
      :
      :
      : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc");
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_BP);
  PVTEST_EXPECT_EQ(seen.frame.rcx, regs_want[2]);
  PVTEST_EXPECT_EQ(seen.frame.r11, regs_want[10]);
  for (unsigned i = 0; i < 15; ++i) {
    PVTEST_CHECK_MSG(regs_got[i] == regs_want[i], "register %u: 0x%lx, want 0x%lx", i, regs_got[i], regs_want[i]);
  }
}

/* A refused table must leave the old one whole: #UD and int $0x80 still
 * reach their handlers, and vector 0x85 of the refused table does not. */
static void check_old_table_in_force(void) {
  reset_seen();
  RAISE("ud2");
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_UD);
  reset_seen();
  RAISE("int $0x80");
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_SOFT);
  reset_seen();
  RAISE("int $0x85");
  PVTEST_EXPECT_EQ(seen.frame.vector, VECTOR_GP);
}

/* A table of a good 0x85 entry followed by `bad`. */
static int64_t set_table_ending_with(struct pvabi_trap_info bad) {
  static struct pvabi_trap_info t[2];
  t[0] = (struct pvabi_trap_info){VECTOR_NEVER_INSTALLED, 3, PVABI_FLAT_CS64, 0, (uint64_t)cpu_exception_entry};
  t[1] = bad;
  return pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, (uint64_t)t, 2);
}

PVTEST(set_trap_table_refuses_bad_entries_and_keeps_the_old_table) {
  const uint64_t good = (uint64_t)cpu_exception_entry;
  const struct pvabi_trap_info reserved = {VECTOR_UD, 0, PVABI_FLAT_CS64, 0, PVABI_HV_VIRT_START + 0x1000};
  const struct pvabi_trap_info non_canonical = {VECTOR_UD, 0, PVABI_FLAT_CS64, 0, 0x0000800000000000ull};
  const struct pvabi_trap_info nmi = {2, 0, PVABI_FLAT_CS64, 0, good};
  const struct pvabi_trap_info bad_flags = {VECTOR_UD, 8, PVABI_FLAT_CS64, 0, good};
  const struct pvabi_trap_info ring0_cs = {VECTOR_UD, 0, 0x08, 0, good};
  const struct pvabi_trap_info pad = {VECTOR_UD, 0, PVABI_FLAT_CS64, 1, good};
  PVTEST_EXPECT_STATUS(set_table_ending_with(reserved), PVABI_EINVAL);
  check_old_table_in_force();
  PVTEST_EXPECT_STATUS(set_table_ending_with(non_canonical), PVABI_EINVAL);
  check_old_table_in_force();
  PVTEST_EXPECT_STATUS(set_table_ending_with(nmi), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(set_table_ending_with(bad_flags), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(set_table_ending_with(ring0_cs), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(set_table_ending_with(pad), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, (uint64_t)table, 257), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_SET_TRAP_TABLE, PVABI_HV_VIRT_START, 1), PVABI_EFAULT);
  check_old_table_in_force();
}

PVTEST(libpv_refuses_what_the_hypervisor_would) {
  struct pvabi_trap_info e = {0};
  PVTEST_EXPECT_STATUS(pv_trap_entry(&e, VECTOR_UD, 0, 0, PVABI_HV_VIRT_START + 0x1000), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_trap_entry(&e, VECTOR_UD, 0, 0, 0x0000800000000000ull), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(pv_trap_entry(&e, 2, 0, 0, (uint64_t)cpu_exception_entry), PVABI_EINVAL);
  PVTEST_EXPECT_EQ(e.address, 0);
}
