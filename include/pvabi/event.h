/*
 * pvabi/event.h: event channels, the paravirtual interrupt.
 *
 * A port is a numbered endpoint in a domain. Ports are bound to a virtual
 * IRQ (timer, console, ...), to an IPI between the domain's own vCPUs, or to
 * a port of another domain. Sending on a port sets its pending bit in the
 * receiver's shared info page and, unless the port is masked, its selector
 * bit and its vCPU's upcall_pending, then the vCPU takes the event callback
 * (unless its upcall_mask is set) and is woken if blocked.
 *
 * The 2-level layout (this header) serves PVABI_EVTCHN_2L_PORTS ports; the
 * queue layout (pvabi/event_queue.h) scales further.
 *
 * Memory ordering in the 2-level layout. The hypervisor, to raise port p:
 *   1. atomically set bit p of evtchn_pending; if it was set, stop;
 *   2. if bit p of evtchn_mask is set, stop (the port stays pending);
 *   3. atomically set bit p/64 of the vCPU's pending_sel;
 *   4. set upcall_pending = 1 (after 3 is visible), then interrupt the vCPU.
 * The guest, in its upcall:
 *   1. write upcall_pending = 0, then a full barrier;
 *   2. sel = atomic exchange(pending_sel, 0);
 *   3. for each bit w of sel: bits = evtchn_pending[w] & ~evtchn_mask[w];
 *      for each bit b: atomically clear bit b of evtchn_pending[w], then
 *      handle port w*64+b;
 *   4. if upcall_pending became 1 again, start over.
 * To unmask port p: atomically clear its mask bit, then, if its pending bit
 * is set, call PVABI_EVTCHNOP_UNMASK so the hypervisor runs steps 3-4.
 * All atomics are locked read-modify-write instructions on the whole 64-bit
 * word; plain stores suffice only for upcall_pending and upcall_mask.
 *
 *     struct pvabi_evtchn_send s = {port};
 *     pv_hypercall2(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, (uint64_t)&s);
 *
 * Every operation is PVABI_HC_EVENT_CHANNEL_OP(cmd, arg) with arg the guest
 * address of the command's struct; every command can also fail with
 * PVABI_EFAULT (arg unreadable or unwritable) and PVABI_EINVAL (a _pad
 * field not zero), changing nothing. An unknown cmd is PVABI_ENOSYS.
 */
#ifndef PVABI_EVENT_H
#define PVABI_EVENT_H

#include <pvabi/base.h>

#define PVABI_EVTCHN_2L_PORTS 4096
/* Port 0 is never allocated: it means "no port". */
#define PVABI_EVTCHN_PORT_INVALID 0u

/* Virtual IRQs, each bindable to one port per vCPU (global ones on vCPU 0). */
#define PVABI_VIRQ_TIMER 0   /* per vCPU: the one-shot timer fired */
#define PVABI_VIRQ_DEBUG 1   /* per vCPU: the hypervisor's debug key */
#define PVABI_VIRQ_CONSOLE 2 /* global: console input is pending */
#define PVABI_VIRQ_DOM_EXC 3 /* global, control domain: a domain shut down */
#define PVABI_VIRQ_COUNT 8

/**
 * PVABI_EVTCHNOP_ALLOC_UNBOUND: allocate a port that domain `remote_dom`
 * may bind to with BIND_INTERDOMAIN.
 * in: dom = PVABI_DOMID_SELF (or another domain, with privilege);
 *   remote_dom = a domain id (PVABI_DOMID_SELF means the caller).
 * out: port.
 * status: PVABI_OK; PVABI_ESRCH (no such dom); PVABI_EPERM; PVABI_ENOSPC
 *   (no free port).
 */
#define PVABI_EVTCHNOP_ALLOC_UNBOUND 0
struct pvabi_evtchn_alloc_unbound {
  uint16_t dom;
  uint16_t remote_dom;
  uint32_t port;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_alloc_unbound, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_alloc_unbound, dom, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_alloc_unbound, remote_dom, 2);
PVABI_ASSERT_OFFSET(pvabi_evtchn_alloc_unbound, port, 4);

/**
 * PVABI_EVTCHNOP_BIND_INTERDOMAIN: connect a new local port to an unbound
 * port that `remote_dom` allocated for the caller.
 * in: remote_dom, remote_port.
 * out: local_port, bound to vCPU 0.
 * status: PVABI_OK; PVABI_ESRCH (remote_dom); PVABI_ERANGE (remote_port not
 *   allocated); PVABI_EPERM (remote port not unbound, or not offered to the
 *   caller); PVABI_ENOSPC.
 */
#define PVABI_EVTCHNOP_BIND_INTERDOMAIN 1
struct pvabi_evtchn_bind_interdomain {
  uint16_t remote_dom;
  uint16_t _pad0;
  uint32_t remote_port;
  uint32_t local_port;
  uint32_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_bind_interdomain, 16, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_interdomain, remote_dom, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_interdomain, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_interdomain, remote_port, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_interdomain, local_port, 8);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_interdomain, _pad1, 12);

/**
 * PVABI_EVTCHNOP_BIND_VIRQ: bind a virtual IRQ of vCPU `vcpu` to a new port.
 * in: virq < PVABI_VIRQ_COUNT; vcpu (0 for a global VIRQ).
 * out: port, delivered to `vcpu`.
 * status: PVABI_OK; PVABI_ERANGE (virq); PVABI_ESRCH (vcpu); PVABI_EINVAL
 *   (global virq on vcpu != 0); PVABI_EEXIST (already bound); PVABI_EPERM
 *   (PVABI_VIRQ_DOM_EXC outside the control domain); PVABI_ENOSPC.
 */
#define PVABI_EVTCHNOP_BIND_VIRQ 2
struct pvabi_evtchn_bind_virq {
  uint32_t virq;
  uint32_t vcpu;
  uint32_t port;
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_bind_virq, 16, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_virq, virq, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_virq, vcpu, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_virq, port, 8);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_virq, _pad0, 12);

/**
 * PVABI_EVTCHNOP_BIND_IPI: a port for signalling vCPU `vcpu` of this domain.
 * in: vcpu. out: port.
 * status: PVABI_OK; PVABI_ESRCH (vcpu); PVABI_ENOSPC.
 */
#define PVABI_EVTCHNOP_BIND_IPI 3
struct pvabi_evtchn_bind_ipi {
  uint32_t vcpu;
  uint32_t port;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_bind_ipi, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_ipi, vcpu, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_bind_ipi, port, 4);

/**
 * PVABI_EVTCHNOP_CLOSE: close a port. An inter-domain peer's port becomes
 * unbound (offered to the caller again); a VIRQ or IPI binding goes away.
 * The port's pending bit is cleared and it may be reallocated.
 * in: port.
 * status: PVABI_OK; PVABI_ERANGE (port not allocated).
 */
#define PVABI_EVTCHNOP_CLOSE 4
/**
 * PVABI_EVTCHNOP_SEND: raise the port's peer (inter-domain), or the port
 * itself (IPI). Sending on an unbound or VIRQ port does nothing.
 * in: port.
 * status: PVABI_OK; PVABI_ERANGE (port not allocated); PVABI_EINVAL (port
 *   is a VIRQ port).
 */
#define PVABI_EVTCHNOP_SEND 5
/**
 * PVABI_EVTCHNOP_UNMASK: after the guest clears a port's mask bit, deliver
 * it if it is pending (steps 3-4 of the raise protocol above).
 * in: port.
 * status: PVABI_OK; PVABI_ERANGE.
 */
#define PVABI_EVTCHNOP_UNMASK 6
/**
 * PVABI_EVTCHNOP_BIND_VCPU: deliver the port to another vCPU of the domain.
 * in: port, vcpu. Only inter-domain and unbound ports move; VIRQ and IPI
 *   ports are tied to their vCPU.
 * status: PVABI_OK; PVABI_ERANGE (port); PVABI_ESRCH (vcpu); PVABI_EINVAL
 *   (a per-vCPU VIRQ or IPI port).
 */
#define PVABI_EVTCHNOP_BIND_VCPU 7
struct pvabi_evtchn_port_vcpu {
  uint32_t port;
  uint32_t vcpu;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_port_vcpu, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_port_vcpu, port, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_port_vcpu, vcpu, 4);

/* The argument of CLOSE, SEND and UNMASK. */
struct pvabi_evtchn_port {
  uint32_t port;
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_port, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_port, port, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_port, _pad0, 4);

/**
 * PVABI_EVTCHNOP_STATUS: what a port is bound to.
 * in: dom (PVABI_DOMID_SELF, or another with privilege), port.
 * out: state (PVABI_EVTCHN_STATE_*), vcpu, and for an inter-domain or
 *   unbound port remote_dom and remote_port (unbound: remote_port 0), for a
 *   VIRQ port remote_port = the virq.
 * status: PVABI_OK; PVABI_ESRCH; PVABI_EPERM; PVABI_ERANGE (port past the
 *   last allocatable one; a free port reports PVABI_EVTCHN_STATE_FREE).
 */
#define PVABI_EVTCHNOP_STATUS 8
struct pvabi_evtchn_status {
  uint16_t dom;
  uint16_t remote_dom;
  uint32_t port;
  uint32_t state;
  uint32_t vcpu;
  uint32_t remote_port;
  uint32_t _pad0;
};
PVABI_ASSERT_SIZE(pvabi_evtchn_status, 24, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, dom, 0);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, remote_dom, 2);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, port, 4);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, state, 8);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, vcpu, 12);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, remote_port, 16);
PVABI_ASSERT_OFFSET(pvabi_evtchn_status, _pad0, 20);
#define PVABI_EVTCHN_STATE_FREE 0
#define PVABI_EVTCHN_STATE_UNBOUND 1
#define PVABI_EVTCHN_STATE_INTERDOMAIN 2
#define PVABI_EVTCHN_STATE_VIRQ 3
#define PVABI_EVTCHN_STATE_IPI 4

#endif /* PVABI_EVENT_H */
