/*
 * The benchmark guest: ticks per operation (the TSC, which under QEMU's
 * -icount advances one tick per instruction), the same source on hv-core and
 * on bare hardware. Each figure is the median of RUNS runs; it prints
 *   BENCH <name> <ticks per operation, one decimal>
 * and the host side (bench/qemu_bench.py) pairs the two environments' lines.
 */
#include "bench_env.h"
#include "user_syscalls.h"

#include "../../tests/guests/kernels/cmdline.h"
#include "../../tests/guests/kernels/console_line.h"

#define RUNS 5
#define WINDOW_VA 0xffffffffa0000000ull /* a 2 MiB window of the kernel's L2 the benchmarks remap */
#define PTE_RW (PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_USER)

static int is_role(const char *role) { return cmdline_is(env_cmdline(), "role", role); }

static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << PVABI_PAGE_SHIFT) | flags; }

/* ---- reporting ---- */

static void sort(uint64_t *v, int n) {
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && v[j - 1] > v[j]; --j) {
      const uint64_t t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  }
}

/* "BENCH name 12.3": a figure in tenths. */
static void print_tenths(const char *name, uint64_t tenths) {
  console_printf("BENCH %s %lu.%lu", name, tenths / 10, tenths % 10);
}

/* Ticks per operation of the median run. */
static void report(const char *name, uint64_t runs[RUNS], uint64_t ops_per_run) {
  sort(runs, RUNS);
  print_tenths(name, (runs[RUNS / 2] * 10 + ops_per_run / 2) / ops_per_run);
}

static void note(const char *what) { console_printf("%s", what); }

/* The loop and its 3-tick overhead are part of every figure, as in the anchors. */
#define MEASURE(name, iterations, ops_per_iteration, body)   \
  do {                                                       \
    uint64_t runs_[RUNS];                                    \
    for (int r_ = 0; r_ < RUNS; ++r_) {                      \
      const uint64_t t0_ = pv_rdtsc();                       \
      for (uint64_t i = 0; i < (iterations); ++i) {          \
        body;                                                \
      }                                                      \
      runs_[r_] = pv_rdtsc() - t0_;                          \
    }                                                        \
    report(name, runs_, (uint64_t)(iterations) * (ops_per_iteration)); \
  } while (0)

/* ---- page tables, walked from the root through libpv's frame translations ---- */

static uint64_t *table_at(uint64_t entry) {
  return (uint64_t *)pv_pfn_to_virt(pv_mfn_to_pfn((entry & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT));
}

/* The machine address of the level-2 entry that maps `va`. */
static uint64_t l2_entry_maddr(uint64_t va) {
  const uint64_t *l4 = env_root_table();
  const uint64_t *l3 = table_at(l4[table_slot(va, 4)]);
  const uint64_t l2_entry = l3[table_slot(va, 3)];
  return (l2_entry & PVABI_PTE_FRAME_MASK) + 8 * table_slot(va, 2);
}

struct window {
  uint64_t l1_mfn;
  uint64_t frame[2]; /* two scratch frames the window's entries alternate between */
};

static struct pvabi_mmu_update queue_slots[512];

/* A fresh L1 table under WINDOW_VA: on hv-core it is made read-only and
 * pinned first (validation), natively both are no-ops of libpv. */
static int make_window(struct window *w, uint64_t first_pfn) {
  struct pv_mmu_queue q;
  if (pv_mmu_queue_init(&q, queue_slots, 512, PVABI_DOMID_SELF) != PVABI_OK) return -1;
  uint64_t *l1 = pv_pfn_to_virt(first_pfn);
  for (int i = 0; i < 512; ++i) l1[i] = 0;
  w->l1_mfn = pv_pfn_to_mfn(first_pfn);
  w->frame[0] = pv_pfn_to_mfn(first_pfn + 1);
  w->frame[1] = pv_pfn_to_mfn(first_pfn + 2);
  if (env_is_pv() &&
      pv_mmu_update_va_mapping(0, (uint64_t)l1, pte(w->l1_mfn, PVABI_PTE_PRESENT | PVABI_PTE_USER),
                               PVABI_UVMF_INVLPG) != PVABI_OK) {
    return -1;
  }
  if (pv_mmu_pin_table(0, 1, w->l1_mfn) != PVABI_OK) return -1;
  if (pv_mmu_queue_set_pte(&q, l2_entry_maddr(WINDOW_VA), pte(w->l1_mfn, PTE_RW)) != PVABI_OK) return -1;
  return pv_mmu_queue_flush(&q) == PVABI_OK ? 0 : -1;
}

/* ---- the figures ---- */

static void bench_hypercalls(void) {
  MEASURE("null_hypercall", 1000, 1, (void)pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0));
  static struct pvabi_multicall_entry calls[32];
  for (int i = 0; i < 32; ++i) {
    calls[i].op = PVABI_HC_VERSION;
    calls[i].args[0] = PVABI_VERSION_OP_GET;
  }
  static uint32_t done;
  MEASURE("multicall_per_entry", 200, 32, (void)pv_hypercall3(PVABI_HC_MULTICALL, (uint64_t)calls, 32, (uint64_t)&done));
  MEASURE("yield", 500, 1, (void)pv_sched_yield());
}

static void bench_mmu(const struct window *w) {
  MEASURE("update_va_mapping", 1000, 1,
          (void)pv_mmu_update_va_mapping(0, WINDOW_VA, pte(w->frame[i & 1], PTE_RW), PVABI_UVMF_INVLPG));
  static const unsigned sizes[] = {1, 8, 64, 512};
  static const char *const names[] = {"pte_batch_1", "pte_batch_8", "pte_batch_64", "pte_batch_512"};
  struct pv_mmu_queue q;
  if (pv_mmu_queue_init(&q, queue_slots, 512, PVABI_DOMID_SELF) != PVABI_OK) return;
  const uint64_t l1 = w->l1_mfn << PVABI_PAGE_SHIFT;
  for (int s = 0; s < 4; ++s) {
    const unsigned n = sizes[s];
    /* Every batch changes the frame of each entry it writes: no fast path. */
    MEASURE(names[s], 4096 / n + 20, n, {
      for (unsigned e = 0; e < n; ++e) (void)pv_mmu_queue_set_pte(&q, l1 + 8 * e, pte(w->frame[i & 1], PTE_RW));
      (void)pv_mmu_queue_flush(&q);
    });
  }
}

/* A copy of the current top-level table, pinned: switching between the two
 * is a process switch's page-table half. */
static void bench_process_switch(uint64_t pfn) {
  uint64_t *copy = pv_pfn_to_virt(pfn);
  const uint64_t *root = env_root_table();
  for (int i = 0; i < 512; ++i) copy[i] = (i >= PVABI_L4_FIRST_RESERVED_SLOT && i < PVABI_L4_FIRST_RESERVED_SLOT + PVABI_L4_RESERVED_SLOTS && env_is_pv()) ? 0 : root[i];
  const uint64_t copy_mfn = pv_pfn_to_mfn(pfn);
  const uint64_t root_mfn = pv_pfn_to_mfn(pv_virt_to_pfn(root));
  if (env_is_pv() && pv_mmu_update_va_mapping(0, (uint64_t)copy, pte(copy_mfn, PVABI_PTE_PRESENT | PVABI_PTE_USER),
                                              PVABI_UVMF_INVLPG) != PVABI_OK) {
    note("process_switch: cannot make the copy read-only");
    return;
  }
  if (pv_mmu_pin_table(0, 4, copy_mfn) != PVABI_OK) {
    note("process_switch: cannot pin the copy");
    return;
  }
  MEASURE("process_switch", 500, 2, {
    (void)pv_mmu_set_baseptr(0, copy_mfn, 0);
    (void)pv_mmu_set_baseptr(0, root_mfn, 0);
  });
}

static void bench_time(void) { MEASURE("time_read", 1000, 1, (void)pv_time_system_ns(0)); }

/* Macro workloads: PV/native ratios are formed on the host. */
static void bench_macro(const struct window *w) {
  struct pv_mmu_queue q;
  if (pv_mmu_queue_init(&q, queue_slots, 512, PVABI_DOMID_SELF) != PVABI_OK) return;
  const uint64_t l1 = w->l1_mfn << PVABI_PAGE_SHIFT;
  /* fork/exit's page-table work: populate a 2 MiB address space, touch it, tear it down. */
  MEASURE("macro_address_space", 20, 1, {
    for (unsigned e = 0; e < 512; ++e) (void)pv_mmu_queue_set_pte(&q, l1 + 8 * e, pte(w->frame[e & 1], PTE_RW));
    (void)pv_mmu_queue_flush(&q);
    (void)pv_mmu_update_va_mapping(0, WINDOW_VA, pte(w->frame[0], PTE_RW), PVABI_UVMF_TLB_FLUSH);
    for (unsigned p = 0; p < 512; p += 8) *(volatile uint64_t *)(WINDOW_VA + p * 4096) = p;
    for (unsigned e = 0; e < 512; ++e) (void)pv_mmu_queue_set_pte(&q, l1 + 8 * e, 0);
    (void)pv_mmu_queue_flush(&q);
  });
  /* Pure computation: what the hypervisor costs a guest that makes no calls. */
  static uint64_t data[4096];
  MEASURE("macro_compute", 4, 1, {
    uint64_t h = 1469598103934665603ull;
    for (int round = 0; round < 16; ++round) {
      for (int k = 0; k < 4096; ++k) {
        h = (h ^ data[k]) * 1099511628211ull;
        data[k] = h;
      }
    }
  });
}

/* Exceptions taken and returned from: #UD, and a page fault on a
 * non-present window entry, each handler skipping the instruction. */
static void bench_bounces(void) {
  if (env_install_skip_handlers() != 0) {
    note("bounces: cannot install the handlers");
    return;
  }
  const uint64_t hole = WINDOW_VA + 511 * 4096ull;
  if (pv_mmu_update_va_mapping(0, hole, 0, PVABI_UVMF_INVLPG) != PVABI_OK) {
    note("bounces: cannot unmap the faulting page");
    return;
  }
  MEASURE("trap_bounce", 500, 1, __asm__ volatile("ud2"));
  MEASURE("page_fault_bounce", 500, 1, {
    uint64_t at = hole;
    __asm__ volatile("movq (%0), %0" : "+a"(at) : : "memory");
  });
}

/* A null system call from user mode and its return to user mode: the
 * user program times BENCH_USER_SYSCALLS of them per run. */
static void bench_guest_syscall(void) {
  if (env_user_mode_init() != 0) {
    note("guest_syscall: cannot set up user mode");
    return;
  }
  uint64_t runs[RUNS];
  for (int r = 0; r < RUNS; ++r) runs[r] = env_run_user();
  report("guest_syscall", runs, BENCH_USER_SYSCALLS);
}

/* ---- two domains: the event round trip ---- */

#define ROUND_TRIPS 200

/* Waits for `port`, then clears it: the poll needs no upcall. */
static void wait_for(uint32_t port) {
  while (!pv_event_is_pending(port)) (void)pv_sched_poll(&port, 1, 0);
  pv_event_clear(port);
}

/* The echo domain (id 1) offers a port to domain 0 and answers each event
 * with one, RUNS * ROUND_TRIPS times. */
static void echo(void) {
  uint32_t port;
  if (pv_evtchn_alloc_unbound(0, &port) != PVABI_OK) {
    note("echo: cannot allocate a port");
    return;
  }
  for (int n = 0; n < RUNS * ROUND_TRIPS; ++n) {
    wait_for(port);
    (void)pv_evtchn_send(port);
  }
}

/* Domain 0 binds to the echo's first port (1), yielding until it exists. */
static void bench_event_round_trip(void) {
  uint32_t port = 0;
  int tries = 0;
  while (pv_evtchn_bind_interdomain(1, 1, &port) != PVABI_OK) {
    if (++tries == 1000) {
      note("event_round_trip: no echo domain");
      return;
    }
    (void)pv_sched_yield();
  }
  MEASURE("event_round_trip", ROUND_TRIPS, 1, {
    (void)pv_evtchn_send(port);
    wait_for(port);
  });
}

/* ---- wake-up latency among busy domains (the paper's 128-domain run) ---- */

#define WAKES 16
#define WAKE_PERIOD_NS 7000000ull /* 7 ms: no multiple of the 1 ms slice */

/* Busy until system time `stop_ns`. */
static void spin_until(uint64_t stop_ns) {
  while (pv_time_system_ns(0) < stop_ns) {
    for (volatile int i = 0; i < 1000; ++i) {
    }
  }
}

/* Timer events WAKES times, WAKE_PERIOD_NS apart: how long after each
 * deadline the domain saw its event, idle (polling, so blocked) or busy
 * (spinning and checking the pending bit, as a loaded domain would).
 * Reported in microseconds: the median, and the worst as *_max. */
static void wake_latency(int busy) {
  uint32_t port;
  if (pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &port) != PVABI_OK) {
    note("wake latency: cannot bind the timer");
    return;
  }
  uint64_t late[WAKES];
  uint64_t deadline = pv_time_system_ns(0) + WAKE_PERIOD_NS;
  for (int n = 0; n < WAKES; ++n, deadline += WAKE_PERIOD_NS) {
    (void)pv_set_timer(deadline);
    if (busy) {
      while (!pv_event_is_pending(port)) {
        for (volatile int i = 0; i < 100; ++i) {
        }
      }
    } else {
      while (!pv_event_is_pending(port)) (void)pv_sched_poll(&port, 1, 0);
    }
    const uint64_t now = pv_time_system_ns(0);
    pv_event_clear(port);
    late[n] = now > deadline ? now - deadline : 0;
  }
  sort(late, WAKES);
  print_tenths(busy ? "wake_latency_busy_us" : "wake_latency_idle_us", late[WAKES / 2] / 100);
  print_tenths(busy ? "wake_latency_busy_us_max" : "wake_latency_idle_us_max", late[WAKES - 1] / 100);
}

void bench_main(void) {
  if (is_role("spin")) {
    spin_until(cmdline_u64(env_cmdline(), "stop_ms", 100) * 1000000ull);
    return;
  }
  if (is_role("idle-waker")) {
    wake_latency(0);
    return;
  }
  if (is_role("busy-waker")) {
    wake_latency(1);
    return;
  }
  if (env_is_pv() && is_role("echo")) {
    echo();
    return;
  }
  note(env_is_pv() ? "benchmarks on hv-core (pv)" : "benchmarks on bare hardware (native)");
  const uint64_t pfn = env_first_free_pfn();
  if (env_free_frames() < 4) {
    note("not enough free frames");
    return;
  }
  struct window w;
  if (make_window(&w, pfn) != 0) {
    note("cannot set up the benchmark window");
    return;
  }
  if (env_is_pv()) {
    if (is_role("ping")) bench_event_round_trip();
    bench_hypercalls();
  }
  bench_time();
  bench_mmu(&w);
  bench_process_switch(pfn + 3);
  bench_macro(&w);
  bench_bounces();
  bench_guest_syscall();
  note("benchmarks done");
}
