/*
 * libpv/event.h: event channels (pvabi/event.h): binding ports, sending,
 * masking, and taking events in the upcall.
 *
 * libpv keeps a handler per port in a dispatch table the caller provides.
 * The hypervisor enters the guest's event callback (registered with
 * pv_callback_register, libpv/trap.h) with a struct pvabi_event_upcall_frame
 * on the kernel stack. The porter's assembly stub saves the registers it
 * needs, calls pv_event_upcall(this_cpu), restores them and returns with
 * PVABI_HC_IRET (pv_iret_frame_from_upcall). pv_event_upcall scans pending
 * ports in the order pvabi/event.h prescribes (selector word, then pending
 * word, then bit) and calls each port's handler. Register the callback with
 * PVABI_CALLBACK_MASK_EVENTS, so handlers run with upcalls masked.
 *
 *     static struct pv_event_handler table[PVABI_EVTCHN_2L_PORTS];
 *     pv_event_init(table, PVABI_EVTCHN_2L_PORTS);
 *     uint32_t port;
 *     pv_evtchn_bind_virq(PVABI_VIRQ_TIMER, 0, &port);
 *     pv_event_set_handler(port, on_timer, NULL);
 *     pv_event_unmask(port);
 *
 * Once the queue layout is switched on (libpv/event_queue.h) the same
 * functions work on it; before that they use the 2-level bitmaps.
 */
#ifndef LIBPV_EVENT_H
#define LIBPV_EVENT_H

#include <libpv/api.h>

PV_BEGIN_DECLS

typedef void (*pv_event_fn)(uint32_t port, void *arg);

/* One port's entry in the dispatch table. */
struct pv_event_handler {
  pv_event_fn fn;
  void *arg;
};

/**
 * pv_event_init: use `table` (nr_ports entries, cleared here) to dispatch
 * events; ports >= nr_ports are cleared and dropped when they fire.
 * status: PVABI_OK; PVABI_EINVAL (table NULL, nr_ports 0).
 */
PV_NODISCARD int pv_event_init(struct pv_event_handler *table, uint32_t nr_ports);

/**
 * pv_event_set_handler: call fn(port, arg) when `port` fires (fn NULL: drop
 * its events). Does not unmask it.
 * status: PVABI_OK; PVABI_ERANGE (port 0 or past the table); PVABI_EINVAL (no table).
 */
PV_NODISCARD int pv_event_set_handler(uint32_t port, pv_event_fn fn, void *arg);

/**
 * pv_event_upcall: the body of the event callback for vCPU `vcpu`: takes
 * every pending, unmasked port (starting over while upcall_pending is set
 * again) and calls its handler.
 * out: returns how many ports were taken (with or without a handler).
 */
unsigned pv_event_upcall(uint32_t vcpu);

/** pv_event_mask: stop delivery of `port` (it can still become pending). */
void pv_event_mask(uint32_t port);

/**
 * pv_event_unmask: allow delivery of `port`; if it became pending while
 * masked, ask the hypervisor to deliver it (PVABI_EVTCHNOP_UNMASK).
 * status: PVABI_OK; PVABI_ERANGE (port outside the layout); that call's status.
 */
PV_NODISCARD int pv_event_unmask(uint32_t port);

/** pv_event_is_pending: nonzero if `port`'s pending bit is set. */
int pv_event_is_pending(uint32_t port);

/** pv_event_clear: clear `port`'s pending bit without handling it. */
void pv_event_clear(uint32_t port);

/**
 * pv_evtchn_alloc_unbound: a port that domain `remote_dom` may bind to.
 * out: *port.
 * status: as PVABI_EVTCHNOP_ALLOC_UNBOUND (PVABI_ESRCH, PVABI_EPERM, PVABI_ENOSPC).
 */
PV_NODISCARD int pv_evtchn_alloc_unbound(uint16_t remote_dom, uint32_t *port);

/**
 * pv_evtchn_bind_interdomain: connect a new local port to `remote_port`,
 * which `remote_dom` allocated for this domain.
 * out: *local_port. status: as PVABI_EVTCHNOP_BIND_INTERDOMAIN.
 */
PV_NODISCARD int pv_evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port,
                                            uint32_t *local_port);

/** pv_evtchn_bind_virq: bind virtual IRQ `virq` of `vcpu`. out: *port. status: as PVABI_EVTCHNOP_BIND_VIRQ. */
PV_NODISCARD int pv_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, uint32_t *port);

/** pv_evtchn_bind_ipi: a port that signals `vcpu` of this domain. out: *port. status: as PVABI_EVTCHNOP_BIND_IPI. */
PV_NODISCARD int pv_evtchn_bind_ipi(uint32_t vcpu, uint32_t *port);

/** pv_evtchn_bind_vcpu: deliver `port` to `vcpu` from now on. status: as PVABI_EVTCHNOP_BIND_VCPU. */
PV_NODISCARD int pv_evtchn_bind_vcpu(uint32_t port, uint32_t vcpu);

/**
 * pv_evtchn_close: close `port`; its handler is cleared too.
 * status: as PVABI_EVTCHNOP_CLOSE (PVABI_ERANGE).
 */
PV_NODISCARD int pv_evtchn_close(uint32_t port);

/** pv_evtchn_send: raise `port`'s peer (or the port itself for an IPI). status: as PVABI_EVTCHNOP_SEND. */
PV_NODISCARD int pv_evtchn_send(uint32_t port);

/**
 * pv_evtchn_status: what a port is bound to.
 * in/out: st with dom and port set; the rest is filled in.
 * status: as PVABI_EVTCHNOP_STATUS.
 */
PV_NODISCARD int pv_evtchn_status(struct pvabi_evtchn_status *st);

PV_END_DECLS

#endif /* LIBPV_EVENT_H */
