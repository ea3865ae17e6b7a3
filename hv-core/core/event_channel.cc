#include "event_channel.h"

#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "invariants.h"

namespace hv {
namespace {

constexpr uint32_t kFirstTableSize = 64;
constexpr uint32_t kMaxArrayPages = PVABI_EVTQ_MAX_PORTS / PVABI_EVTQ_WORDS_PER_PAGE;
// Compare-and-swaps on a queue tail the guest holds BUSY before giving up.
constexpr unsigned kLinkAttempts = 4;
static_assert(kMaxVcpus <= 256, "EventPort keeps vCPU numbers in a byte");

}  // namespace

// The hypervisor's side of a port. The guest's pending and mask state lives
// in the shared info page (2-level) or in the port's event word (queue).
struct EventPort {
  uint8_t state = PVABI_EVTCHN_STATE_FREE;
  uint8_t vcpu = 0;  // where it is delivered
  uint8_t priority = PVABI_EVTQ_DEFAULT_PRIORITY;
  bool deferred = false;    // queue layout: raised before its event word or control block existed
  uint16_t remote_dom = 0;  // unbound: who may bind it; inter-domain: the peer's domain
  // Queue layout: the queue it was last linked on, kept after a close
  // because that queue's tail may still name the port.
  uint8_t linked_vcpu = 0;
  uint8_t linked_priority = 0;
  uint32_t remote_port = 0;  // inter-domain: the peer's port; VIRQ: the virq
};

struct QueueControl {
  Mfn frame = kNoFrame;  // kNoFrame: not registered
  uint32_t offset = 0;
  uint32_t tail[PVABI_EVTQ_PRIORITIES] = {};  // last port linked on each queue; 0: none
};

struct EventQueueState {
  Mfn array[kMaxArrayPages];
  uint32_t array_pages = 0;
  QueueControl control[kMaxVcpus];
};

namespace {

bool is_global_virq(uint32_t virq) { return virq == PVABI_VIRQ_CONSOLE || virq == PVABI_VIRQ_DOM_EXC; }

EventPort* allocated(const Domain& d, uint32_t port) {
  const DomainEvents& e = d.events;
  if (port >= e.capacity || e.ports[port].state == PVABI_EVTCHN_STATE_FREE) return nullptr;
  return &e.ports[port];
}

Vcpu& vcpu_of(Domain& d, const EventPort& e) {
  Vcpu* v = d.vcpu(e.vcpu);
  HV_CHECK(v != nullptr);
  return *v;
}

Domain& peer_of(const EventPort& e) {
  Domain* peer = domain_by_id(DomId{e.remote_dom});
  HV_CHECK(peer != nullptr);  // a domain's teardown unbinds its peers first
  return *peer;
}

// ---- The port table.

[[nodiscard]] bool grow_table(DomainEvents& e, uint32_t needed, uint32_t limit) {
  uint32_t size = e.capacity == 0 ? kFirstTableSize : e.capacity;
  while (size < needed) size *= 2;
  if (size > limit) size = limit;
  EventPort* table = create_array<EventPort>(size);
  if (table == nullptr) return false;
  for (uint32_t i = 0; i < e.capacity; ++i) table[i] = e.ports[i];
  destroy_array(e.ports, e.capacity);
  e.ports = table;
  e.capacity = size;
  return true;
}

// The lowest free port, the table grown to hold it. ENOSPC when the layout
// has no free port, and when there is no memory for a bigger table: the
// table is full either way.
[[nodiscard]] Result<uint32_t> free_port(Domain& d) {
  DomainEvents& e = d.events;
  uint32_t p = e.free_hint;
  while (p < e.capacity && e.ports[p].state != PVABI_EVTCHN_STATE_FREE) ++p;
  const uint32_t limit = event_port_limit(d);
  if (p >= limit || (p >= e.capacity && !grow_table(e, p + 1, limit))) {
    return Result<uint32_t>::error(Status::kNoSpace);
  }
  return Result<uint32_t>::ok(p);
}

// Takes the port free_port() found.
EventPort& claim(Domain& d, uint32_t port, uint8_t state, uint32_t vcpu) {
  EventPort& e = d.events.ports[port];
  HV_CHECK(e.state == PVABI_EVTCHN_STATE_FREE);
  e.state = state;
  e.vcpu = static_cast<uint8_t>(vcpu);
  e.priority = PVABI_EVTQ_DEFAULT_PRIORITY;
  e.deferred = false;
  e.remote_dom = 0;
  e.remote_port = 0;
  d.events.free_hint = port + 1;
  return e;
}

// Undoes the binding on the hypervisor's side and frees the port.
void unbind(Domain& d, uint32_t port) {
  EventPort& e = d.events.ports[port];
  if (e.state == PVABI_EVTCHN_STATE_INTERDOMAIN) {
    EventPort* theirs = allocated(peer_of(e), e.remote_port);
    HV_CHECK(theirs != nullptr && theirs->state == PVABI_EVTCHN_STATE_INTERDOMAIN &&
             theirs->remote_dom == d.id.value() && theirs->remote_port == port);
    theirs->state = PVABI_EVTCHN_STATE_UNBOUND;  // offered to this domain again
    theirs->remote_port = 0;
  } else if (e.state == PVABI_EVTCHN_STATE_VIRQ) {
    Vcpu* bound = d.vcpu(is_global_virq(e.remote_port) ? 0 : e.vcpu);
    HV_CHECK(bound != nullptr && bound->events.virq_port[e.remote_port] == port);
    bound->events.virq_port[e.remote_port] = 0;
  }
  e.state = PVABI_EVTCHN_STATE_FREE;
  e.deferred = false;
  e.remote_dom = 0;
  e.remote_port = 0;
  if (port < d.events.free_hint) d.events.free_hint = port;
}

// ---- Delivery, both layouts.

void note_pending(Domain& d, uint32_t port) {
  ++d.stats.events_delivered;
  sched_port_pending(d, port);
}

void mark_upcall_pending(Vcpu& v) {
  __atomic_store_n(&v.info().upcall_pending, uint8_t{1}, __ATOMIC_RELEASE);
  sched_wake(v);
}

// Steps 3 and 4 of the 2-level raise protocol (pvabi/event.h).
void signal_word(Vcpu& v, unsigned word) {
  __atomic_fetch_or(&v.info().pending_sel, uint64_t{1} << word, __ATOMIC_SEQ_CST);
  mark_upcall_pending(v);
}

uint64_t bit_of(pvabi::PortBit pb) { return uint64_t{1} << pb.bit; }

void raise_2l(Domain& d, uint32_t port, const EventPort& e) {
  pvabi_shared_info& sh = d.shared_info();
  const pvabi::PortBit pb = pvabi::port_bit(Port{port});
  if ((__atomic_fetch_or(&sh.evtchn_pending[pb.word], bit_of(pb), __ATOMIC_SEQ_CST) & bit_of(pb)) != 0) return;
  note_pending(d, port);
  if ((__atomic_load_n(&sh.evtchn_mask[pb.word], __ATOMIC_SEQ_CST) & bit_of(pb)) != 0) return;
  signal_word(vcpu_of(d, e), pb.word);
}

void unmask_2l(Domain& d, uint32_t port, const EventPort& e) {
  pvabi_shared_info& sh = d.shared_info();
  const pvabi::PortBit pb = pvabi::port_bit(Port{port});
  if ((__atomic_load_n(&sh.evtchn_mask[pb.word], __ATOMIC_SEQ_CST) & bit_of(pb)) == 0 &&
      (__atomic_load_n(&sh.evtchn_pending[pb.word], __ATOMIC_SEQ_CST) & bit_of(pb)) != 0) {
    signal_word(vcpu_of(d, e), pb.word);
  }
}

uint32_t* event_word(Domain& d, uint32_t port) {
  const EventQueueState& q = *d.events.queue;
  const uint32_t page = port / PVABI_EVTQ_WORDS_PER_PAGE;
  if (page >= q.array_pages) return nullptr;
  return reinterpret_cast<uint32_t*>(platform::frame_memory(q.array[page])) + port % PVABI_EVTQ_WORDS_PER_PAGE;
}

pvabi_evtq_control_block* control_block(Domain& d, uint32_t vcpu) {
  const QueueControl& c = d.events.queue->control[vcpu];
  if (c.frame == kNoFrame) return nullptr;
  return reinterpret_cast<pvabi_evtq_control_block*>(platform::frame_memory(c.frame) + c.offset);
}

// Points the old tail of a queue at `port`. False when the guest has
// unlinked that tail (the queue is empty, so `port` starts it), or held it
// BUSY through every attempt: then `port` starts a new chain at head, which
// the guest reads when it reaches the end of the old one.
bool set_link(uint32_t* tail_word, uint32_t port) {
  uint32_t w = __atomic_load_n(tail_word, __ATOMIC_SEQ_CST);
  for (unsigned attempt = 0; attempt < kLinkAttempts; ++attempt) {
    if ((w & PVABI_EVTQ_WORD_LINKED) == 0) return false;
    if ((w & PVABI_EVTQ_WORD_BUSY) != 0) {
      w = __atomic_load_n(tail_word, __ATOMIC_SEQ_CST);
      continue;
    }
    const uint32_t linked = (w & ~PVABI_EVTQ_WORD_LINK_MASK) | port;
    if (__atomic_compare_exchange_n(tail_word, &w, linked, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      return true;
    }
  }
  return false;
}

// The queue half of the raise protocol (pvabi/event_queue.h): a pending,
// unmasked, unlinked port goes to the tail of its queue.
void queue_link(Domain& d, uint32_t port, EventPort& e, uint32_t* word, pvabi_evtq_control_block* cb) {
  uint32_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
  do {
    if ((w & (PVABI_EVTQ_WORD_MASKED | PVABI_EVTQ_WORD_LINKED)) != 0 || (w & PVABI_EVTQ_WORD_PENDING) == 0) return;
  } while (!__atomic_compare_exchange_n(word, &w, (w | PVABI_EVTQ_WORD_LINKED) & ~PVABI_EVTQ_WORD_LINK_MASK, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  EventQueueState& q = *d.events.queue;
  // The guest unlinked the port, so the queue it was last on ends with it:
  // a tail that still names it means that queue is empty now.
  uint32_t& stale = q.control[e.linked_vcpu].tail[e.linked_priority];
  if (stale == port) stale = 0;
  uint32_t& tail = q.control[e.vcpu].tail[e.priority];
  uint32_t* tail_word = tail != 0 ? event_word(d, tail) : nullptr;
  HV_CHECK(tail == 0 || tail_word != nullptr);  // array pages stay until teardown
  if (tail_word == nullptr || !set_link(tail_word, port)) {
    __atomic_store_n(&cb->head[e.priority], port, __ATOMIC_RELEASE);
  }
  tail = port;
  e.linked_vcpu = e.vcpu;
  e.linked_priority = e.priority;
  __atomic_fetch_or(&cb->ready, 1u << e.priority, __ATOMIC_SEQ_CST);
  mark_upcall_pending(vcpu_of(d, e));
}

void raise_queued(Domain& d, uint32_t port, EventPort& e) {
  uint32_t* word = event_word(d, port);
  pvabi_evtq_control_block* cb = control_block(d, e.vcpu);
  if (word == nullptr || cb == nullptr) {
    if (!e.deferred) note_pending(d, port);
    e.deferred = true;
    return;
  }
  const bool counted = e.deferred;
  e.deferred = false;
  const uint32_t old = __atomic_fetch_or(word, PVABI_EVTQ_WORD_PENDING, __ATOMIC_SEQ_CST);
  if ((old & PVABI_EVTQ_WORD_PENDING) == 0 && !counted) note_pending(d, port);
  queue_link(d, port, e, word, cb);
}

void unmask_queued(Domain& d, uint32_t port, EventPort& e) {
  if (e.deferred) return raise_queued(d, port, e);
  uint32_t* word = event_word(d, port);
  pvabi_evtq_control_block* cb = control_block(d, e.vcpu);
  if (word != nullptr && cb != nullptr) queue_link(d, port, e, word, cb);
}

// Queues the deferred ports in [first, end) that now can be.
void retry_deferred(Domain& d, uint32_t first, uint32_t end) {
  const uint32_t last = end < d.events.capacity ? end : d.events.capacity;
  for (uint32_t p = first; p < last; ++p) {
    EventPort& e = d.events.ports[p];
    if (e.state != PVABI_EVTCHN_STATE_FREE && e.deferred) raise_queued(d, p, e);
  }
}

void raise_port(Domain& d, uint32_t port) {
  EventPort& e = d.events.ports[port];
  if (d.events.queue != nullptr) {
    raise_queued(d, port, e);
  } else {
    raise_2l(d, port, e);
  }
}

void clear_pending(Domain& d, uint32_t port) {
  if (d.events.queue != nullptr) {
    d.events.ports[port].deferred = false;
    if (uint32_t* word = event_word(d, port)) __atomic_fetch_and(word, ~PVABI_EVTQ_WORD_PENDING, __ATOMIC_SEQ_CST);
    return;
  }
  const pvabi::PortBit pb = pvabi::port_bit(Port{port});
  __atomic_fetch_and(&d.shared_info().evtchn_pending[pb.word], ~bit_of(pb), __ATOMIC_SEQ_CST);
}

// ---- Frames the queue layout holds.

// An owned frame, held with a general and a writable type reference: EPERM
// if not the domain's, EBUSY if it has another type (a page table).
[[nodiscard]] Status hold_frame(Domain& d, Mfn f) {
  FrameTable& ft = frame_table();
  if (!ft.in_range(f) || ft.info(f).owner != d.id.value()) return Status::kNotPermitted;
  HV_CHECK(ft.get_ref(d, f) == Status::kOk);
  if (ft.get_type(d, f, FrameType::kWritable) != Status::kOk) {
    ft.put_ref(f);
    return Status::kBusy;
  }
  return Status::kOk;
}

void release_frame(Domain& d, Mfn f) {
  frame_table().put_type(d, f);
  frame_table().put_ref(f);
}

// The 2-level pending bits, carried over when the domain switches layouts.
void adopt_2l_pending(Domain& d) {
  const pvabi_shared_info& sh = d.shared_info();
  const uint32_t end = d.events.capacity < PVABI_EVTCHN_2L_PORTS ? d.events.capacity : PVABI_EVTCHN_2L_PORTS;
  for (uint32_t p = 1; p < end; ++p) {
    const pvabi::PortBit pb = pvabi::port_bit(Port{p});
    if (d.events.ports[p].state != PVABI_EVTCHN_STATE_FREE && (sh.evtchn_pending[pb.word] & bit_of(pb)) != 0) {
      d.events.ports[p].deferred = true;
    }
  }
}

// ---- The commands: decode and validate, then perform (nothing can fail
// once the first change is made).

// The domain a remote_dom field names: PVABI_DOMID_SELF is the caller.
[[nodiscard]] Result<Domain*> remote_domain(Domain& caller, uint16_t id) {
  Domain* d = id == PVABI_DOMID_SELF ? &caller : domain_by_id(DomId{id});
  if (d == nullptr || d->dying) return Result<Domain*>::error(Status::kNoSuchDomain);
  return Result<Domain*>::ok(d);
}

[[nodiscard]] Status alloc_unbound(Domain& caller, pvabi_evtchn_alloc_unbound& a) {
  const Result<Domain*> owner = target_domain(caller, a.dom);
  if (!owner.is_ok()) return owner.status;
  const Result<Domain*> remote = remote_domain(caller, a.remote_dom);
  if (!remote.is_ok()) return remote.status;
  const Result<uint32_t> port = free_port(*owner.value);
  if (!port.is_ok()) return port.status;
  claim(*owner.value, port.value, PVABI_EVTCHN_STATE_UNBOUND, 0).remote_dom = remote.value->id.value();
  a.port = port.value;
  return Status::kOk;
}

[[nodiscard]] Status bind_interdomain(Domain& d, pvabi_evtchn_bind_interdomain& a) {
  if (a._pad0 != 0 || a._pad1 != 0) return Status::kInvalid;
  const Result<Domain*> remote = remote_domain(d, a.remote_dom);
  if (!remote.is_ok()) return remote.status;
  Domain& rd = *remote.value;
  const EventPort* offered = allocated(rd, a.remote_port);
  if (offered == nullptr) return Status::kOutOfRange;
  if (offered->state != PVABI_EVTCHN_STATE_UNBOUND || offered->remote_dom != d.id.value()) {
    return Status::kNotPermitted;
  }
  const Result<uint32_t> port = free_port(d);  // may move rd's table when rd is d
  if (!port.is_ok()) return port.status;
  EventPort& mine = claim(d, port.value, PVABI_EVTCHN_STATE_INTERDOMAIN, 0);
  mine.remote_dom = rd.id.value();
  mine.remote_port = a.remote_port;
  EventPort& theirs = rd.events.ports[a.remote_port];
  theirs.state = PVABI_EVTCHN_STATE_INTERDOMAIN;
  theirs.remote_port = port.value;
  a.local_port = port.value;
  return Status::kOk;
}

[[nodiscard]] Status bind_virq(Domain& d, pvabi_evtchn_bind_virq& a) {
  if (a._pad0 != 0) return Status::kInvalid;
  if (a.virq >= PVABI_VIRQ_COUNT) return Status::kOutOfRange;
  Vcpu* v = d.vcpu(a.vcpu);
  if (v == nullptr) return Status::kNoSuchDomain;
  if (is_global_virq(a.virq) && a.vcpu != 0) return Status::kInvalid;
  if (a.virq == PVABI_VIRQ_DOM_EXC && !d.privileged) return Status::kNotPermitted;
  if (v->events.virq_port[a.virq] != 0) return Status::kExists;
  const Result<uint32_t> port = free_port(d);
  if (!port.is_ok()) return port.status;
  claim(d, port.value, PVABI_EVTCHN_STATE_VIRQ, a.vcpu).remote_port = a.virq;
  v->events.virq_port[a.virq] = port.value;
  a.port = port.value;
  return Status::kOk;
}

[[nodiscard]] Status bind_ipi(Domain& d, pvabi_evtchn_bind_ipi& a) {
  if (d.vcpu(a.vcpu) == nullptr) return Status::kNoSuchDomain;
  const Result<uint32_t> port = free_port(d);
  if (!port.is_ok()) return port.status;
  claim(d, port.value, PVABI_EVTCHN_STATE_IPI, a.vcpu);
  a.port = port.value;
  return Status::kOk;
}

[[nodiscard]] Status close_port(Domain& d, uint32_t port) {
  if (allocated(d, port) == nullptr) return Status::kOutOfRange;
  clear_pending(d, port);
  unbind(d, port);
  return Status::kOk;
}

[[nodiscard]] Status send(Domain& d, uint32_t port) {
  const EventPort* e = allocated(d, port);
  if (e == nullptr) return Status::kOutOfRange;
  switch (e->state) {
    case PVABI_EVTCHN_STATE_VIRQ: return Status::kInvalid;
    case PVABI_EVTCHN_STATE_IPI: raise_port(d, port); break;
    case PVABI_EVTCHN_STATE_INTERDOMAIN: raise_port(peer_of(*e), e->remote_port); break;
    default: return Status::kOk;  // unbound: no one to reach
  }
  ++d.stats.events_sent;
  return Status::kOk;
}

[[nodiscard]] Status unmask(Domain& d, uint32_t port) {
  EventPort* e = allocated(d, port);
  if (e == nullptr) return Status::kOutOfRange;
  if (d.events.queue != nullptr) {
    unmask_queued(d, port, *e);
  } else {
    unmask_2l(d, port, *e);
  }
  return Status::kOk;
}

[[nodiscard]] Status bind_vcpu(Domain& d, const pvabi_evtchn_port_vcpu& a) {
  EventPort* e = allocated(d, a.port);
  if (e == nullptr) return Status::kOutOfRange;
  if (d.vcpu(a.vcpu) == nullptr) return Status::kNoSuchDomain;
  if (e->state == PVABI_EVTCHN_STATE_IPI || (e->state == PVABI_EVTCHN_STATE_VIRQ && !is_global_virq(e->remote_port))) {
    return Status::kInvalid;
  }
  e->vcpu = static_cast<uint8_t>(a.vcpu);
  // A queued event stays on the old vCPU's queue; a deferred one may now have a control block.
  if (d.events.queue != nullptr && e->deferred) raise_queued(d, a.port, *e);
  return Status::kOk;
}

[[nodiscard]] Status port_status(Domain& caller, pvabi_evtchn_status& a) {
  if (a._pad0 != 0) return Status::kInvalid;
  const Result<Domain*> t = target_domain(caller, a.dom);
  if (!t.is_ok()) return t.status;
  if (a.port >= event_port_limit(*t.value)) return Status::kOutOfRange;
  const EventPort* e = allocated(*t.value, a.port);
  const EventPort free_port_state{};
  if (e == nullptr) e = &free_port_state;
  a.state = e->state;
  a.vcpu = e->vcpu;
  a.remote_dom = e->remote_dom;  // 0 unless unbound or inter-domain
  a.remote_port = e->remote_port;
  return Status::kOk;
}

[[nodiscard]] Status init_control(Domain& d, pvabi_evtq_init_control& a) {
  if (a._pad0 != 0) return Status::kInvalid;
  if (d.vcpu(a.vcpu) == nullptr) return Status::kNoSuchDomain;
  if (d.events.queue != nullptr && d.events.queue->control[a.vcpu].frame != kNoFrame) return Status::kExists;
  if (a.offset % 8 != 0 || a.offset > PVABI_PAGE_SIZE - sizeof(pvabi_evtq_control_block)) return Status::kInvalid;
  const Mfn frame{a.control_frame};
  if (const Status s = hold_frame(d, frame); s != Status::kOk) return s;
  if (d.events.queue == nullptr) {
    d.events.queue = create<EventQueueState>();
    if (d.events.queue == nullptr) {
      release_frame(d, frame);
      return Status::kNoMemory;
    }
    adopt_2l_pending(d);
  }
  QueueControl& c = d.events.queue->control[a.vcpu];
  c.frame = frame;
  c.offset = a.offset;
  a.link_bits = PVABI_EVTQ_LINK_BITS;
  retry_deferred(d, 1, d.events.capacity);
  return Status::kOk;
}

[[nodiscard]] Status expand_array(Domain& d, const pvabi_evtq_expand_array& a) {
  EventQueueState* q = d.events.queue;
  if (q == nullptr) return Status::kInvalid;
  if (q->array_pages == kMaxArrayPages) return Status::kNoSpace;
  const Mfn frame{a.array_frame};
  if (const Status s = hold_frame(d, frame); s != Status::kOk) return s;
  const uint32_t first = q->array_pages * PVABI_EVTQ_WORDS_PER_PAGE;
  q->array[q->array_pages++] = frame;
  retry_deferred(d, first, first + PVABI_EVTQ_WORDS_PER_PAGE);
  return Status::kOk;
}

[[nodiscard]] Status set_priority(Domain& d, const pvabi_evtq_set_priority& a) {
  if (d.events.queue == nullptr) return Status::kInvalid;
  EventPort* e = allocated(d, a.port);
  if (e == nullptr || a.priority >= PVABI_EVTQ_PRIORITIES) return Status::kOutOfRange;
  e->priority = static_cast<uint8_t>(a.priority);
  return Status::kOk;
}

// ---- Argument handling.

// EFAULT unless all of [at, at + len) is mapped writable (len <= a page).
[[nodiscard]] Status check_writable(Vcpu& v, Gva at, size_t len) {
  if (const Result<Maddr> first = translate(v, at, true); !first.is_ok()) return first.status;
  return translate(v, at + (len - 1), true).status;
}

enum class ArgKind { kIn, kInOut };

// Runs `op` on the command's struct, read from guest address `at` and, for
// a command with outputs, written back. The write-back is checked first so
// that EFAULT, like every failure, leaves everything unchanged.
template <typename Arg, ArgKind kKind, typename Op>
int64_t with_arg(Vcpu& v, Gva at, Op&& op) {
  Arg arg;
  if (const Status s = read_guest(v, at, &arg); s != Status::kOk) return raw(s);
  if constexpr (kKind == ArgKind::kInOut) {
    if (const Status s = check_writable(v, at, sizeof arg); s != Status::kOk) return raw(s);
  }
  if (const Status s = op(arg); s != Status::kOk) return raw(s);
  if constexpr (kKind == ArgKind::kInOut) return raw(write_guest(v, at, arg));
  return PVABI_OK;
}

// CLOSE, SEND and UNMASK: a struct pvabi_evtchn_port.
template <typename Op>
int64_t with_port(Vcpu& v, Gva at, Op&& op) {
  return with_arg<pvabi_evtchn_port, ArgKind::kIn>(
      v, at, [&](pvabi_evtchn_port& p) { return p._pad0 != 0 ? Status::kInvalid : op(*v.domain, p.port); });
}

}  // namespace

int64_t hc_event_channel_op(Vcpu& v, const HypercallArgs& a) {
  Domain& d = *v.domain;
  const Gva at{a.a[1]};
  switch (a.a[0]) {
    case PVABI_EVTCHNOP_ALLOC_UNBOUND:
      return with_arg<pvabi_evtchn_alloc_unbound, ArgKind::kInOut>(v, at, [&](auto& x) { return alloc_unbound(d, x); });
    case PVABI_EVTCHNOP_BIND_INTERDOMAIN:
      return with_arg<pvabi_evtchn_bind_interdomain, ArgKind::kInOut>(v, at,
                                                                      [&](auto& x) { return bind_interdomain(d, x); });
    case PVABI_EVTCHNOP_BIND_VIRQ:
      return with_arg<pvabi_evtchn_bind_virq, ArgKind::kInOut>(v, at, [&](auto& x) { return bind_virq(d, x); });
    case PVABI_EVTCHNOP_BIND_IPI:
      return with_arg<pvabi_evtchn_bind_ipi, ArgKind::kInOut>(v, at, [&](auto& x) { return bind_ipi(d, x); });
    case PVABI_EVTCHNOP_CLOSE: return with_port(v, at, close_port);
    case PVABI_EVTCHNOP_SEND: return with_port(v, at, send);
    case PVABI_EVTCHNOP_UNMASK: return with_port(v, at, unmask);
    case PVABI_EVTCHNOP_BIND_VCPU:
      return with_arg<pvabi_evtchn_port_vcpu, ArgKind::kIn>(v, at, [&](auto& x) { return bind_vcpu(d, x); });
    case PVABI_EVTCHNOP_STATUS:
      return with_arg<pvabi_evtchn_status, ArgKind::kInOut>(v, at, [&](auto& x) { return port_status(d, x); });
    case PVABI_EVTCHNOP_INIT_CONTROL:
      return with_arg<pvabi_evtq_init_control, ArgKind::kInOut>(v, at, [&](auto& x) { return init_control(d, x); });
    case PVABI_EVTCHNOP_EXPAND_ARRAY:
      return with_arg<pvabi_evtq_expand_array, ArgKind::kIn>(v, at, [&](auto& x) { return expand_array(d, x); });
    case PVABI_EVTCHNOP_SET_PRIORITY:
      return with_arg<pvabi_evtq_set_priority, ArgKind::kIn>(v, at, [&](auto& x) { return set_priority(d, x); });
    default:
      return PVABI_ENOSYS;
  }
}

void raise_virq(Domain& d, uint32_t virq, uint32_t vcpu) {
  const Vcpu* v = d.vcpu(vcpu);
  if (virq >= PVABI_VIRQ_COUNT || v == nullptr) return;
  if (const uint32_t port = v->events.virq_port[virq]; port != 0) raise_port(d, port);
}

void event_channel_teardown(Domain& d) {
  DomainEvents& e = d.events;
  for (uint32_t p = 1; p < e.capacity; ++p) {
    if (e.ports[p].state != PVABI_EVTCHN_STATE_FREE) unbind(d, p);
  }
  if (EventQueueState* q = e.queue) {
    for (uint32_t i = 0; i < q->array_pages; ++i) release_frame(d, q->array[i]);
    for (const QueueControl& c : q->control) {
      if (c.frame != kNoFrame) release_frame(d, c.frame);
    }
    destroy(q);
  }
  destroy_array(e.ports, e.capacity);
  e = DomainEvents{};
}

void events_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context) {
  const EventQueueState* q = d.events.queue;
  if (q == nullptr) return;
  for (uint32_t i = 0; i < q->array_pages; ++i) visit(context, HeldReference{q->array[i], FrameType::kWritable});
  for (const QueueControl& c : q->control) {
    if (c.frame != kNoFrame) visit(context, HeldReference{c.frame, FrameType::kWritable});
  }
}

uint32_t event_port_limit(const Domain& d) {
  return d.events.queue != nullptr ? PVABI_EVTQ_MAX_PORTS : PVABI_EVTCHN_2L_PORTS;
}

bool event_port_allocated(const Domain& d, uint32_t port) { return allocated(d, port) != nullptr; }

bool event_port_pending(Domain& d, uint32_t port) {
  const EventPort* e = allocated(d, port);
  if (e == nullptr) return false;
  if (d.events.queue != nullptr) {
    const uint32_t* word = event_word(d, port);
    return e->deferred || (word != nullptr && (__atomic_load_n(word, __ATOMIC_SEQ_CST) & PVABI_EVTQ_WORD_PENDING) != 0);
  }
  const pvabi::PortBit pb = pvabi::port_bit(Port{port});
  return (__atomic_load_n(&d.shared_info().evtchn_pending[pb.word], __ATOMIC_SEQ_CST) & bit_of(pb)) != 0;
}

}  // namespace hv
