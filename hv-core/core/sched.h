// hv-core/core/sched.h: the scheduler, the one-shot timers, and
// PVABI_HC_SCHED_OP / PVABI_HC_SET_TIMER_OP (pvabi/sched.h).
//
// Policy: Borrowed Virtual Time (Duda and Cheriton, SOSP 1999; the Xen
// paper's scheduler), without warp. Each vCPU has a virtual time that
// advances by the ns it runs times kDefaultWeight / its domain's weight
// (every vCPU of a domain carries the domain's weight). The runnable vCPU
// with the lowest virtual time runs next, for one slice (1 ms unless
// sched_set_slice_ns() says otherwise). The system's virtual time is the
// lowest of any runnable vCPU and never goes back; a vCPU that becomes
// runnable (woken, unpaused, brought up) is raised to at least that less one
// slice's worth. So a sleeper neither hoards credit nor waits behind busy
// vCPUs: one within its share runs at the next decision, which is what warp
// buys in the paper, without its extra parameters. The run queue and the
// timers are intrusive pairing heaps (sched_heap.h): O(log n) a decision,
// no allocation, nothing scans all domains.
//
// One physical CPU runs the core. The platform's loop:
//
//     for (;;) {
//       sched_run_timers(hypervisor_time_ns());
//       Vcpu* v = sched_pick_next();
//       if (v == nullptr) { idle until sched_next_timer_deadline(); continue; }
//       const uint64_t ran = run v for up to sched_slice_ns();
//       sched_account(*v, ran);
//     }
//
// Blocking (SCHEDOP_BLOCK, SCHEDOP_POLL) marks the vCPU blocked and returns
// PVABI_OK; the loop does not pick it again until it is woken. A bare-metal
// arch switches away on that return. On the host platform guest code is a
// host function that called hypercall(): the call returns at once and the
// "blocked" vCPU is simply not picked. For the same reason SHUTDOWN returns
// PVABI_OK there, and a POLL that ends by its timeout reports PVABI_EAGAIN
// through sched_poll_result() (the arch puts it in rax on resume).
#ifndef HV_CORE_CORE_SCHED_H
#define HV_CORE_CORE_SCHED_H

#include "hypercall.h"
#include "sched_heap.h"

namespace hv {

class Domain;

inline constexpr uint32_t kDefaultWeight = 256;
inline constexpr uint64_t kDefaultSliceNs = 1000000;

// A heap node that knows its vCPU (the node comes first, so the heap's
// HeapNode* converts back).
struct SchedNode {
  HeapNode node;
  Vcpu* vcpu = nullptr;
};

struct DomainSched {
  uint32_t weight = kDefaultWeight;
  uint32_t pollers = 0;  // vCPUs blocked in SCHEDOP_POLL
};

struct VcpuSched {
  SchedNode run;           // in the run queue while runnable and not running
  SchedNode timer;         // the PVABI_HC_SET_TIMER_OP one-shot timer
  SchedNode poll_timeout;  // a SCHEDOP_POLL timeout
  uint64_t vtime = 0;      // virtual time
  bool blocked = false;    // in SCHEDOP_BLOCK or SCHEDOP_POLL
  bool polling = false;
  bool yielded = false;
  int64_t poll_result = PVABI_OK;
  bool poll_unreported = false;  // a poll that blocked has not had its result taken
  uint32_t poll_count = 0;
  uint32_t poll_ports[PVABI_SCHED_POLL_MAX] = {};
};

int64_t hc_sched_op(Vcpu& v, const HypercallArgs& args);
int64_t hc_set_timer_op(Vcpu& v, const HypercallArgs& args);

// Lifecycle hooks, called by domain.cc. Creation brings vCPU 0 up
// (pvabi/shared.h); the domain runs once its pause count drops to zero.
// Destruction may see a partially created domain; destroying the domain of
// the running vCPU ends its turn (do not sched_account it).
void sched_domain_created(Domain& d);
void sched_domain_destroyed(Domain& d);

// The platform loop (see above). sched_pick_next() accounts a vCPU still
// running as having run 0 ns; nullptr means idle.
[[nodiscard]] Vcpu* sched_pick_next();
void sched_account(Vcpu& v, uint64_t ran_ns);
[[nodiscard]] Vcpu* sched_current();
// The loop's shortcut after an entry that did not end the turn: true when
// sched_account(v, ran_ns) then sched_pick_next() would pick `v` again with
// no timer due now (v current and runnable, not yielded, inside its slice,
// and queued vCPUs strictly later in virtual time). The loop may then
// resume v as is and charge the whole turn when it does account. Reads the
// time only when a timer is armed.
[[nodiscard]] bool sched_would_keep(const Vcpu& v, uint64_t ran_ns);
[[nodiscard]] uint64_t sched_slice_ns();
void sched_set_slice_ns(uint64_t ns);

// Up, not blocked, its domain not paused, shut down or dying.
[[nodiscard]] bool sched_runnable(const Vcpu& v);
// An event is pending for `v` (upcall_pending was set): a vCPU blocked in
// SCHEDOP_BLOCK runs again. A polling vCPU waits for its own ports.
void sched_wake(Vcpu& v);
// Port `port` of `d` became pending: vCPUs polling on it run again.
void sched_port_pending(Domain& d, uint32_t port);
void sched_block(Vcpu& v);
// PVABI_OK, or PVABI_EAGAIN when the vCPU's last poll ended by its timeout.
[[nodiscard]] int64_t sched_poll_result(const Vcpu& v);
// For a bare-metal arch resuming v: true, once, after a poll that blocked
// has ended, with its result in *result (the poll hypercall's return value).
[[nodiscard]] bool sched_take_poll_result(Vcpu& v, int64_t* result);

// For PVABI_VCPUOP_UP / DOWN: sets v.up and moves the vCPU in or out of the
// run queue (run state OFFLINE while down).
void sched_vcpu_up(Vcpu& v);
void sched_vcpu_down(Vcpu& v);

// Pauses nest; domain_unpause needs pause_count > 0 (callers check first:
// PVABI_DOMCTL_UNPAUSE answers EINVAL).
void domain_pause(Domain& d);
void domain_unpause(Domain& d);
// Stops the domain for good (SCHEDOP_SHUTDOWN; reason PVABI_SHUTDOWN_*):
// tells the other privileged domains (PVABI_VIRQ_DOM_EXC) and flushes its
// console.
void domain_shutdown(Domain& d, uint32_t reason);

// One-shot timer: `deadline` in the domain's system time (0 cancels; a
// deadline passed fires now). When it fires, PVABI_VIRQ_TIMER is raised on
// `v`, which wakes it if the port is bound and unmasked.
void sched_set_timer(Vcpu& v, uint64_t deadline);
// The earliest armed timer or poll timeout, in hypervisor time
// (time.h); ~0 when none is armed.
[[nodiscard]] uint64_t sched_next_timer_deadline();
// Fires every timer due at hypervisor time `now_ns`.
void sched_run_timers(uint64_t now_ns);

}  // namespace hv

#endif  // HV_CORE_CORE_SCHED_H
