/* peer: event delivery through the upcall, and waits with a deadline. */
#include "peer.h"

void peer_upcall_entry(void);
void peer_upcall(const struct pvabi_event_upcall_frame *f, struct pvabi_iret_frame *out, uint64_t rax);

/* Where upcall.S returns through: the PVABI_HC_IRET stub of the hypercall page. */
uint64_t peer_iret_stub;

static struct pv_event_handler handlers[PVABI_EVTCHN_2L_PORTS];
static uint32_t timer_port;

void peer_upcall(const struct pvabi_event_upcall_frame *f, struct pvabi_iret_frame *out, uint64_t rax) {
  (void)pv_event_upcall(0);
  pv_iret_frame_from_upcall(f, rax, out);
}

static void count(uint32_t port, void *counter) {
  (void)port;
  ++*(volatile uint32_t *)counter;
}

/* The timer only ends a block; the wait loop looks at the clock. */
static void timer_fired(uint32_t port, void *unused) {
  (void)port;
  (void)unused;
}

int peer_events_init(void) {
  peer_iret_stub = pv_start_info()->hypercall_page_va + PVABI_HC_IRET * PVABI_HYPERCALL_STUB_SIZE;
  int rc = pv_event_init(handlers, PVABI_EVTCHN_2L_PORTS);
  if (rc == PVABI_OK) rc = pv_callback_register(PVABI_CALLBACK_EVENT, (uint64_t)peer_upcall_entry, PVABI_CALLBACK_MASK_EVENTS);
  if (rc == PVABI_OK) rc = pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &timer_port);
  if (rc == PVABI_OK) rc = pv_event_set_handler(timer_port, timer_fired, 0);
  if (rc == PVABI_OK) rc = pv_event_unmask(timer_port);
  if (rc != PVABI_OK) return rc;
  /* Upcalls on: anything already pending is taken on the way back from the next hypercall. */
  __atomic_store_n(&pv_vcpu_info(0)->upcall_mask, 0, __ATOMIC_SEQ_CST);
  return pv_sched_yield();
}

int peer_count_events(uint32_t port, volatile uint32_t *counter) {
  const int rc = pv_event_set_handler(port, count, (void *)counter);
  return rc != PVABI_OK ? rc : pv_event_unmask(port);
}

uint64_t peer_deadline_ms(uint64_t ms) { return pv_time_system_ns(0) + ms * 1000000; }

int peer_wait_until(int (*ready)(void *arg), void *arg, uint64_t deadline) {
  if (ready(arg)) return PVABI_OK;
  (void)pv_set_timer(deadline);
  int rc = PVABI_OK;
  while (!ready(arg)) {
    if (pv_time_system_ns(0) >= deadline) {
      rc = PVABI_EAGAIN;
      break;
    }
    (void)pv_sched_block();
  }
  (void)pv_set_timer(0);
  return rc;
}

struct count_target {
  volatile uint32_t *counter;
  uint32_t target;
};

static int reached(void *arg) {
  const struct count_target *t = arg;
  return (int32_t)(*t->counter - t->target) >= 0;
}

int peer_wait_count(volatile uint32_t *counter, uint32_t target, uint64_t deadline) {
  struct count_target t = {counter, target};
  return peer_wait_until(reached, &t, deadline);
}

static int never(void *unused) {
  (void)unused;
  return 0;
}

void peer_sleep_ms(uint64_t ms) { (void)peer_wait_until(never, 0, peer_deadline_ms(ms)); }
