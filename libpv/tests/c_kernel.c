/*
 * A C kernel's use of libpv, for the abi suite: compiled as freestanding
 * C11 with kernel flags and linked with no libc (c_link_check.sh). It is
 * linked, never run.
 */
#include <libpv/libpv.h>
#ifdef LIBPV_TEST_NATIVE
#include <libpv/native.h>
#endif

/* The two functions a freestanding libpv may call. */
void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

static struct pvabi_mmu_update mmu_slots[64];
static struct pv_event_handler handlers[PVABI_EVTCHN_2L_PORTS];
static struct pvabi_multicall_entry calls[8];
static uint64_t payload[256];
static volatile uint64_t ticks;

static void on_timer(uint32_t port, void *arg) {
  (void)port;
  (void)arg;
  ++ticks;
}

static void halt(void) {
  for (;;) {
  }
}

static int start(const struct pvabi_start_info *si) {
#ifdef LIBPV_TEST_NATIVE
  struct pv_native_config c = {0xffff888000000000ull, 65536, 2000000000ull, 1, 0};
  (void)si;
  return pv_native_init(&c);
#else
  return pv_init(si);
#endif
}

void kernel_entry(const struct pvabi_start_info *si) {
  struct pv_mmu_queue q;
  struct pv_multicall mc;
  struct pvabi_trap_info traps[1];
  uint32_t port = 0;
  uint64_t sec;
  uint32_t nsec;

  if (start(si) != PVABI_OK) halt();
  pv_console_puts("hello from C\n");
  if (pv_mmu_queue_init(&q, mmu_slots, 64, PVABI_DOMID_SELF) != PVABI_OK) halt();
  if (pv_mmu_queue_set_pte(&q, pv_pfn_to_mfn(1) << PVABI_PAGE_SHIFT, 0) != PVABI_OK) halt();
  if (pv_mmu_pin_table(&q, 1, pv_pfn_to_mfn(2)) != PVABI_OK) pv_console_puts("pin failed\n");
  if (pv_multicall_init(&mc, calls, 8, payload, sizeof payload) != PVABI_OK) halt();
  if (pv_multicall_add_update_va_mapping(&mc, 0xffffffff80200000ull, 0, PVABI_UVMF_INVLPG) != PVABI_OK) halt();
  if (pv_multicall_flush(&mc) != PVABI_OK) pv_console_puts("multicall failed\n");
  if (pv_event_init(handlers, PVABI_EVTCHN_2L_PORTS) != PVABI_OK) halt();
  if (pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &port) == PVABI_OK &&
      pv_event_set_handler(port, on_timer, 0) == PVABI_OK && pv_event_unmask(port) != PVABI_OK) {
    halt();
  }
  if (pv_trap_entry(&traps[0], PVABI_VECTOR_PAGE_FAULT, 0, 1, (uint64_t)(uintptr_t)halt) != PVABI_OK) halt();
  if (pv_set_trap_table(traps, 1) != PVABI_OK) pv_console_puts("no trap table\n");
  if (pv_set_timer_after(0, 1000000) != PVABI_OK) pv_console_puts("no timer\n");
  pv_event_upcall(0);
  pv_time_wallclock(0, &sec, &nsec);
  if (pv_sched_shutdown(PVABI_SHUTDOWN_POWEROFF) != PVABI_OK) halt();
  halt();
}
