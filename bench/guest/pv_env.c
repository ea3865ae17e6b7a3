/* The benchmark guest on hv-core: a guest kernel entered with start info. */
#include "../../tests/guests/kernels/guest_kernel.h"
#include "bench_env.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, PVABI_INTERFACE_VERSION);

static const struct pvabi_start_info *start_info;

int env_is_pv(void) { return 1; }
const uint64_t *env_root_table(void) { return (const uint64_t *)start_info->pt_base_va; }
uint64_t env_first_free_pfn(void) { return start_info->first_free_pfn; }
uint64_t env_free_frames(void) { return start_info->nr_pages - start_info->first_free_pfn; }
const char *env_cmdline(void) { return (const char *)start_info->cmdline; }

int env_install_skip_handlers(void) {
  static struct pvabi_trap_info table[2];
  if (pv_trap_entry(&table[0], 6, 0, 0, (uint64_t)bench_invalid_opcode_entry) != PVABI_OK ||
      pv_trap_entry(&table[1], PVABI_VECTOR_PAGE_FAULT, 0, 0, (uint64_t)bench_page_fault_entry) != PVABI_OK) {
    return -1;
  }
  return pv_set_trap_table(table, 2) == PVABI_OK ? 0 : -1;
}

/* ---- guest_syscall: guest user mode (pv_user.S) ---- */

void pv_syscall_entry(void);
uint64_t pv_enter_user(const struct pvabi_iret_frame *to_user);

/* User mode's own tables, L4 to L1, mapping the user program's page alone,
 * read-only: the separate user base pointer of an x86-64 PV kernel. */
static uint64_t user_tables[4][512] __attribute__((aligned(4096)));
/* Where the syscall callback runs: not the benchmark's own stack, which is live below it. */
static uint8_t syscall_stack[4096] __attribute__((aligned(16)));

static int build_user_tables(void) {
  const uint64_t code = (uint64_t)bench_user_syscalls;
  for (unsigned t = 0; t < 3; ++t) {
    user_tables[t][table_slot(code, 4 - (int)t)] = pv_virt_to_mfn(user_tables[t + 1]) << PVABI_PAGE_SHIFT | PVABI_PTE_PRESENT |
                                            PVABI_PTE_WRITABLE | PVABI_PTE_USER;
  }
  user_tables[3][table_slot(code, 1)] = pv_virt_to_mfn(bench_user_syscalls) << PVABI_PAGE_SHIFT | PVABI_PTE_PRESENT |
                                     PVABI_PTE_USER;
  /* Read-only to the guest before the hypervisor validates them. */
  for (unsigned t = 0; t < 4; ++t) {
    if (pv_mmu_update_va_mapping(0, (uint64_t)user_tables[t],
                                 pv_virt_to_mfn(user_tables[t]) << PVABI_PAGE_SHIFT | PVABI_PTE_PRESENT | PVABI_PTE_USER,
                                 PVABI_UVMF_INVLPG) != PVABI_OK) {
      return -1;
    }
  }
  const uint64_t l4 = pv_virt_to_mfn(user_tables[0]);
  if (pv_mmu_pin_table(0, 4, l4) != PVABI_OK) return -1;
  return pv_mmu_set_baseptr(0, l4, 1) == PVABI_OK ? 0 : -1;
}

int env_user_mode_init(void) {
  if (build_user_tables() != 0) return -1;
  if (pv_stack_switch(PVABI_FLAT_SS, (uint64_t)syscall_stack + sizeof syscall_stack) != PVABI_OK) return -1;
  return pv_callback_register(PVABI_CALLBACK_SYSCALL, (uint64_t)pv_syscall_entry, 0) == PVABI_OK ? 0 : -1;
}

uint64_t env_run_user(void) {
  static struct pvabi_iret_frame to_user;
  to_user = guest_user_entry_frame((uint64_t)bench_user_syscalls, 0); /* the user program uses no stack */
  return pv_enter_user(&to_user);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  (void)unused;
  start_info = si;
  if (pv_init(si) == PVABI_OK) bench_main();
  (void)pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF);
  for (;;) {
  }
}
