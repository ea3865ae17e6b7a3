/*
 * The smallest pvabi guest kernel: the ELF notes the domain builder reads,
 * and an entry point that says hello on its console and powers the domain
 * off, both through the hypercall page.
 * The build sets ABI_VERSION (and FEATURES_WORD0, to ask for features) so
 * the same source gives images the builder must accept and ones it must
 * refuse; PRIVILEGED_INSTRUCTION makes one that tries to halt the CPU,
 * TOUCH_HYPERVISOR one that writes into the hypervisor's reserved range, and
 * SPIN_ITERATIONS one that computes without yielding before it powers off.
 */
#include "guest_kernel.h"

PVABI_GUEST_NOTE(abi_version_note, PVABI_ELFNOTE_ABI_VERSION, ABI_VERSION);
#ifdef FEATURES_WORD0
PVABI_GUEST_NOTE(features_note, PVABI_ELFNOTE_FEATURES, FEATURES_WORD0);
#endif

typedef int64_t (*hypercall2)(uint64_t op, uint64_t arg);
typedef int64_t (*hypercall3)(uint64_t op, uint64_t arg, uint64_t len);

static const char hello[] = "hello from ring 3\n";

static uint64_t stub(const struct pvabi_start_info *si, unsigned nr) {
  return si->hypercall_page_va + nr * PVABI_HYPERCALL_STUB_SIZE;
}

/* Entered with rsi = start info (pvabi/shared.h). */
__attribute__((noreturn, force_align_arg_pointer)) void _start(uint64_t unused, const struct pvabi_start_info *si) {
  static struct pvabi_sched_shutdown poweroff = {PVABI_SHUTDOWN_POWEROFF, 0};
  const hypercall3 console_io = (hypercall3)stub(si, PVABI_HC_CONSOLE_IO);
  const hypercall2 sched_op = (hypercall2)stub(si, PVABI_HC_SCHED_OP);
  (void)unused;
  console_io(PVABI_CONSOLE_WRITE, (uint64_t)hello, sizeof hello - 1);
#ifdef SPIN_ITERATIONS
  /* Busy, never yielding: only the hypervisor's timer lets others run. */
  for (volatile uint64_t i = 0; i < SPIN_ITERATIONS; ++i) {
  }
  static const char done[] = "done spinning\n";
  console_io(PVABI_CONSOLE_WRITE, (uint64_t)done, sizeof done - 1);
#endif
#ifdef TOUCH_HYPERVISOR
  /* The hypervisor's mappings in the reserved slots are supervisor-only:
   * a write to them from the guest kernel is a page fault. */
  *(volatile uint64_t *)0xffff808000100000ull = 1;
#endif
#ifdef PRIVILEGED_INSTRUCTION
  /* A de-privileged kernel cannot halt the CPU: #GP, and with no trap table
   * registered the hypervisor ends this domain, and only this one. */
  __asm__ volatile("hlt");
#endif
  sched_op(PVABI_SCHEDOP_SHUTDOWN, (uint64_t)&poweroff);
  for (;;) {
  }
}
