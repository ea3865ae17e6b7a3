// Ports, handlers and the upcall (libpv/event.h), on whichever layout the
// domain uses.
#include <libpv/event.h>

#include "call.h"
#include "event_layout.h"
#include "state.h"

namespace libpv {

void dispatch(uint32_t port) {
  const State& s = state();
  if (port >= s.nr_handlers) return;
  const pv_event_handler h = s.handlers[port];
  if (h.fn != nullptr) h.fn(port, h.arg);
}

int unmask_hypercall(uint32_t port) {
  pvabi_evtchn_port arg{port, 0};
  return op_on(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_UNMASK, &arg);
}

namespace {

bool queued() { return state().layout == EventLayout::kQueue; }

template <typename T>
int evtchn_op(uint32_t cmd, T* arg) {
  return op_on(PVABI_HC_EVENT_CHANNEL_OP, cmd, arg);
}

}  // namespace
}  // namespace libpv

using namespace libpv;

extern "C" int pv_event_init(pv_event_handler* table, uint32_t nr_ports) {
  if (table == nullptr || nr_ports == 0) return PVABI_EINVAL;
  for (uint32_t i = 0; i < nr_ports; ++i) table[i] = pv_event_handler{nullptr, nullptr};
  State& s = state();
  s.handlers = table;
  s.nr_handlers = nr_ports;
  return PVABI_OK;
}

extern "C" int pv_event_set_handler(uint32_t port, pv_event_fn fn, void* arg) {
  State& s = state();
  if (s.handlers == nullptr) return PVABI_EINVAL;
  if (port == PVABI_EVTCHN_PORT_INVALID || port >= s.nr_handlers) return PVABI_ERANGE;
  s.handlers[port] = pv_event_handler{fn, arg};
  return PVABI_OK;
}

extern "C" unsigned pv_event_upcall(uint32_t vcpu) {
  return queued() ? queue::upcall(vcpu) : two_level::upcall(vcpu);
}

extern "C" void pv_event_mask(uint32_t port) {
  if (queued()) {
    queue::mask(port);
  } else {
    two_level::mask(port);
  }
}

extern "C" int pv_event_unmask(uint32_t port) {
  return queued() ? queue::unmask(port) : two_level::unmask(port);
}

extern "C" int pv_event_is_pending(uint32_t port) {
  return queued() ? queue::pending(port) : two_level::pending(port);
}

extern "C" void pv_event_clear(uint32_t port) {
  if (queued()) {
    queue::clear(port);
  } else {
    two_level::clear(port);
  }
}

extern "C" int pv_evtchn_alloc_unbound(uint16_t remote_dom, uint32_t* port) {
  pvabi_evtchn_alloc_unbound arg{PVABI_DOMID_SELF, remote_dom, 0};
  const int rc = evtchn_op(PVABI_EVTCHNOP_ALLOC_UNBOUND, &arg);
  if (rc == PVABI_OK) *port = arg.port;
  return rc;
}

extern "C" int pv_evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port, uint32_t* local_port) {
  pvabi_evtchn_bind_interdomain arg{remote_dom, 0, remote_port, 0, 0};
  const int rc = evtchn_op(PVABI_EVTCHNOP_BIND_INTERDOMAIN, &arg);
  if (rc == PVABI_OK) *local_port = arg.local_port;
  return rc;
}

extern "C" int pv_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, uint32_t* port) {
  pvabi_evtchn_bind_virq arg{virq, vcpu, 0, 0};
  const int rc = evtchn_op(PVABI_EVTCHNOP_BIND_VIRQ, &arg);
  if (rc == PVABI_OK) *port = arg.port;
  return rc;
}

extern "C" int pv_evtchn_bind_ipi(uint32_t vcpu, uint32_t* port) {
  pvabi_evtchn_bind_ipi arg{vcpu, 0};
  const int rc = evtchn_op(PVABI_EVTCHNOP_BIND_IPI, &arg);
  if (rc == PVABI_OK) *port = arg.port;
  return rc;
}

extern "C" int pv_evtchn_bind_vcpu(uint32_t port, uint32_t vcpu) {
  pvabi_evtchn_port_vcpu arg{port, vcpu};
  return evtchn_op(PVABI_EVTCHNOP_BIND_VCPU, &arg);
}

extern "C" int pv_evtchn_close(uint32_t port) {
  pvabi_evtchn_port arg{port, 0};
  const int rc = evtchn_op(PVABI_EVTCHNOP_CLOSE, &arg);
  if (rc == PVABI_OK && port < state().nr_handlers) state().handlers[port] = pv_event_handler{nullptr, nullptr};
  return rc;
}

extern "C" int pv_evtchn_send(uint32_t port) {
  pvabi_evtchn_port arg{port, 0};
  return evtchn_op(PVABI_EVTCHNOP_SEND, &arg);
}

extern "C" int pv_evtchn_status(pvabi_evtchn_status* st) { return evtchn_op(PVABI_EVTCHNOP_STATUS, st); }
