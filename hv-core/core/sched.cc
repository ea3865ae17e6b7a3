#include "sched.h"

#include "console.h"
#include "domain.h"
#include "event_channel.h"
#include "guest_access.h"
#include "time.h"

namespace hv {
namespace {

constexpr uint64_t kNever = ~uint64_t{0};

MinHeap g_run_queue;  // runnable vCPUs other than the current one, by virtual time
MinHeap g_timers;     // armed timers and poll timeouts, by hypervisor time
Vcpu* g_current = nullptr;
uint64_t g_slice_ns = kDefaultSliceNs;
uint64_t g_vtime_floor = 0;  // the system's virtual time: never goes back

static_assert(offsetof(SchedNode, node) == 0, "a HeapNode* is its SchedNode*");
Vcpu& owner(HeapNode* n) { return *reinterpret_cast<SchedNode*>(n)->vcpu; }

uint32_t weight_of(const Domain& d) { return d.sched.weight == 0 ? kDefaultWeight : d.sched.weight; }

// `ns` of running in v's virtual time, without overflow for any ns.
uint64_t virtual_ns(const Vcpu& v, uint64_t ns) {
  const uint64_t w = weight_of(*v.domain);
  return ns / w * kDefaultWeight + ns % w * kDefaultWeight / w;
}

uint32_t wanted_runstate(const Vcpu& v) {
  const Domain& d = *v.domain;
  if (!v.up || d.pause_count > 0 || d.shut_down || d.dying) return PVABI_RUNSTATE_OFFLINE;
  if (v.sched.blocked) return PVABI_RUNSTATE_BLOCKED;
  return g_current == &v ? PVABI_RUNSTATE_RUNNING : PVABI_RUNSTATE_RUNNABLE;
}

void advance_floor() {
  uint64_t low = kNever;
  if (g_current != nullptr && sched_runnable(*g_current)) low = g_current->sched.vtime;
  if (!g_run_queue.empty() && g_run_queue.top()->key < low) low = g_run_queue.top()->key;
  if (low != kNever && low > g_vtime_floor) g_vtime_floor = low;
}

void enqueue(Vcpu& v) { g_run_queue.insert(&v.sched.run.node, v.sched.vtime); }

void disarm(HeapNode* n) {
  if (n->queued) g_timers.remove(n);
}

// Brings the run queue and the run state in line with sched_runnable();
// called after anything it reads changed.
void refresh(Vcpu& v) {
  HeapNode* n = &v.sched.run.node;
  const bool runnable = sched_runnable(v);
  if (!runnable && n->queued) g_run_queue.remove(n);
  if (runnable && !n->queued && g_current != &v) {
    // Becoming runnable: see the banner of sched.h.
    const uint64_t credit = virtual_ns(v, g_slice_ns);
    const uint64_t earliest = g_vtime_floor > credit ? g_vtime_floor - credit : 0;
    if (v.sched.vtime < earliest) v.sched.vtime = earliest;
    enqueue(v);
  }
  runstate_change(v, wanted_runstate(v));
}

template <typename F>
void for_each_vcpu(Domain& d, F&& f) {
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    if (d.vcpus[i] != nullptr) f(*d.vcpus[i]);
  }
}

void end_poll(Vcpu& v, int64_t result) {
  if (!v.sched.polling) return;
  v.sched.polling = false;
  v.sched.blocked = false;
  v.sched.poll_result = result;
  --v.domain->sched.pollers;
  disarm(&v.sched.poll_timeout.node);
  refresh(v);
}

bool polls_on(const Vcpu& v, uint32_t port) {
  for (uint32_t i = 0; i < v.sched.poll_count; ++i) {
    if (v.sched.poll_ports[i] == port) return true;
  }
  return false;
}

void fire_timer(Vcpu& v) { raise_virq(*v.domain, PVABI_VIRQ_TIMER, v.id); }

// SCHEDOP_BLOCK: unmask and block as one step, so an event that arrived
// since the guest last looked is not slept through.
int64_t block_op(Vcpu& v) {
  pvabi_vcpu_info& info = v.info();
  __atomic_store_n(&info.upcall_mask, uint8_t{0}, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&info.upcall_pending, __ATOMIC_SEQ_CST) != 0) return PVABI_OK;
  sched_block(v);
  return PVABI_OK;
}

int64_t shutdown_op(Vcpu& v, Gva arg) {
  pvabi_sched_shutdown s;
  if (const Status st = read_guest(v, arg, &s); st != Status::kOk) return raw(st);
  if (s._pad0 != 0 || s.reason > PVABI_SHUTDOWN_WATCHDOG) return PVABI_EINVAL;
  domain_shutdown(*v.domain, s.reason);
  return PVABI_OK;
}

void start_poll(Vcpu& v, const uint32_t* ports, uint32_t count, uint64_t timeout) {
  end_poll(v, PVABI_OK);
  copy_bytes(v.sched.poll_ports, ports, count * sizeof *ports);
  v.sched.poll_count = count;
  v.sched.polling = true;
  v.sched.blocked = true;
  v.sched.poll_result = PVABI_OK;
  v.sched.poll_unreported = true;
  ++v.domain->sched.pollers;
  if (timeout != 0) g_timers.insert(&v.sched.poll_timeout.node, to_hypervisor_time(v, timeout));
  refresh(v);
}

int64_t poll_op(Vcpu& v, Gva arg) {
  pvabi_sched_poll p;
  if (const Status s = read_guest(v, arg, &p); s != Status::kOk) return raw(s);
  if (p._pad0 != 0 || p.count == 0) return PVABI_EINVAL;
  if (p.count > PVABI_SCHED_POLL_MAX) return PVABI_E2BIG;
  uint32_t ports[PVABI_SCHED_POLL_MAX];
  if (const Status s = copy_from_guest(v, Gva{p.ports}, ports, p.count * sizeof *ports); s != Status::kOk) {
    return raw(s);
  }
  Domain& d = *v.domain;
  for (uint32_t i = 0; i < p.count; ++i) {
    if (!event_port_allocated(d, ports[i])) return PVABI_ERANGE;
  }
  for (uint32_t i = 0; i < p.count; ++i) {
    if (event_port_pending(d, ports[i])) return PVABI_OK;
  }
  if (p.timeout != 0 && p.timeout <= system_time_ns(v)) return PVABI_EAGAIN;
  start_poll(v, ports, p.count, p.timeout);
  return PVABI_OK;
}

}  // namespace

bool sched_runnable(const Vcpu& v) {
  const Domain& d = *v.domain;
  return v.up && !v.sched.blocked && d.pause_count == 0 && !d.shut_down && !d.dying;
}

void sched_domain_created(Domain& d) {
  for_each_vcpu(d, [](Vcpu& v) {
    v.sched.run.vcpu = v.sched.timer.vcpu = v.sched.poll_timeout.vcpu = &v;
  });
  d.vcpus[0]->up = true;
  for_each_vcpu(d, [](Vcpu& v) { refresh(v); });
}

void sched_domain_destroyed(Domain& d) {
  for_each_vcpu(d, [](Vcpu& v) {
    if (v.sched.run.node.queued) g_run_queue.remove(&v.sched.run.node);
    disarm(&v.sched.timer.node);
    disarm(&v.sched.poll_timeout.node);
    v.sched.polling = false;
    if (g_current == &v) g_current = nullptr;
  });
  d.sched.pollers = 0;
}

Vcpu* sched_pick_next() {
  if (g_current != nullptr) sched_account(*g_current, 0);
  HeapNode* n = g_run_queue.pop();
  if (n == nullptr) return nullptr;
  Vcpu& v = owner(n);
  g_current = &v;
  if (v.sched.vtime > g_vtime_floor) g_vtime_floor = v.sched.vtime;  // the lowest runnable one
  runstate_change(v, PVABI_RUNSTATE_RUNNING);
  update_vcpu_time(v);
  return &v;
}

void sched_account(Vcpu& v, uint64_t ran_ns) {
  HV_CHECK(g_current == &v);
  g_current = nullptr;
  v.sched.vtime += virtual_ns(v, ran_ns);
  if (v.sched.yielded) {
    // Behind the first runnable vCPU: equal keys run in queue order.
    v.sched.yielded = false;
    if (!g_run_queue.empty() && g_run_queue.top()->key > v.sched.vtime) v.sched.vtime = g_run_queue.top()->key;
  }
  if (sched_runnable(v)) enqueue(v);
  runstate_change(v, wanted_runstate(v));
  advance_floor();
}

Vcpu* sched_current() { return g_current; }

bool sched_would_keep(const Vcpu& v, uint64_t ran_ns) {
  if (g_current != &v || v.sched.yielded || ran_ns >= g_slice_ns || !sched_runnable(v)) return false;
  if (!g_timers.empty() && g_timers.top()->key <= hypervisor_time_ns()) return false;
  // Equal keys run in queue order, and accounting queues v last.
  return g_run_queue.empty() || v.sched.vtime + virtual_ns(v, ran_ns) < g_run_queue.top()->key;
}

uint64_t sched_slice_ns() { return g_slice_ns; }

void sched_set_slice_ns(uint64_t ns) {
  HV_CHECK(ns > 0);
  g_slice_ns = ns;
}

void sched_wake(Vcpu& v) {
  if (!v.sched.blocked || v.sched.polling) return;
  v.sched.blocked = false;
  refresh(v);
}

void sched_port_pending(Domain& d, uint32_t port) {
  if (d.sched.pollers == 0) return;
  for_each_vcpu(d, [port](Vcpu& v) {
    if (v.sched.polling && polls_on(v, port)) end_poll(v, PVABI_OK);
  });
}

void sched_block(Vcpu& v) {
  v.sched.blocked = true;
  refresh(v);
}

int64_t sched_poll_result(const Vcpu& v) { return v.sched.poll_result; }

bool sched_take_poll_result(Vcpu& v, int64_t* result) {
  if (v.sched.polling || !v.sched.poll_unreported) return false;
  v.sched.poll_unreported = false;
  *result = v.sched.poll_result;
  return true;
}

void sched_vcpu_up(Vcpu& v) {
  v.up = true;
  refresh(v);
}

void sched_vcpu_down(Vcpu& v) {
  v.up = false;
  refresh(v);
}

void domain_pause(Domain& d) {
  ++d.pause_count;
  for_each_vcpu(d, [](Vcpu& v) { refresh(v); });
}

void domain_unpause(Domain& d) {
  HV_CHECK(d.pause_count > 0);
  --d.pause_count;
  for_each_vcpu(d, [](Vcpu& v) { refresh(v); });
}

void domain_shutdown(Domain& d, uint32_t reason) {
  d.shut_down = true;
  d.shutdown_reason = reason;
  for_each_vcpu(d, [](Vcpu& v) {
    disarm(&v.sched.timer.node);
    end_poll(v, PVABI_OK);
    refresh(v);
  });
  for_each_domain([&d](Domain& other) {
    if (other.privileged && &other != &d && !other.dying) raise_virq(other, PVABI_VIRQ_DOM_EXC, 0);
  });
  console_flush(d);
}

void sched_set_timer(Vcpu& v, uint64_t deadline) {
  disarm(&v.sched.timer.node);
  if (deadline == 0) return;
  const uint64_t at = to_hypervisor_time(v, deadline);
  if (at <= hypervisor_time_ns()) return fire_timer(v);
  g_timers.insert(&v.sched.timer.node, at);
}

uint64_t sched_next_timer_deadline() { return g_timers.empty() ? kNever : g_timers.top()->key; }

void sched_run_timers(uint64_t now_ns) {
  while (!g_timers.empty() && g_timers.top()->key <= now_ns) {
    HeapNode* n = g_timers.pop();
    Vcpu& v = owner(n);
    if (n == &v.sched.timer.node) {
      fire_timer(v);
    } else {
      end_poll(v, PVABI_EAGAIN);
    }
  }
}

int64_t hc_sched_op(Vcpu& v, const HypercallArgs& a) {
  const Gva arg{a.a[1]};
  switch (a.a[0]) {
    case PVABI_SCHEDOP_YIELD:
      v.sched.yielded = true;
      return PVABI_OK;
    case PVABI_SCHEDOP_BLOCK: return block_op(v);
    case PVABI_SCHEDOP_SHUTDOWN: return shutdown_op(v, arg);
    case PVABI_SCHEDOP_POLL: return poll_op(v, arg);
    default: return PVABI_ENOSYS;
  }
}

int64_t hc_set_timer_op(Vcpu& v, const HypercallArgs& a) {
  sched_set_timer(v, a.a[0]);
  return PVABI_OK;
}

}  // namespace hv
