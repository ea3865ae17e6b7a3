/*
 * peer: what guest kernels that work with other domains share (the
 * domains/ tests and the demo): taking events in the upcall, waiting for
 * them with a deadline, finding what another domain offers, sharing a ring
 * page, and printing the three clocks. Built on libpv and pvtest.
 *
 * There is no directory service between domains: a domain knows its peers'
 * ids (from module order, on its command line) and finds what a peer offers
 * it by trying: the peer's ports in turn until one binds, and the peer's
 * grant references in turn until one maps. A peer offers a domain its ring
 * first, so the lowest reference that maps is the ring.
 *
 *     PVTEST_REQUIRE_OK(peer_events_init());
 *     struct peer_link l;
 *     PVTEST_REQUIRE_OK(peer_link_offer(&l, backend, sizeof(union my_slot)));   // front end
 *     PVTEST_REQUIRE_OK(peer_link_wait_connected(&l, peer_deadline_ms(1000)));
 *     ...
 *     PVTEST_REQUIRE_OK(peer_link_connect(&l, frontend, sizeof(union my_slot), peer_deadline_ms(1000)));  // back end
 */
#ifndef PVABI_TESTS_GUESTS_DOMAINS_PEER_H
#define PVABI_TESTS_GUESTS_DOMAINS_PEER_H

#include "../pvtest/pvtest.h"

/* ---- events.c: the upcall and waiting ---- */

/*
 * Sets up event delivery: the dispatch table, the event callback (the stub
 * in upcall.S), a timer port that ends waits at their deadline, and
 * unmasks upcalls. Call once, before any other peer_* function.
 */
int peer_events_init(void);

/* Counts the events of `port` in *counter (from the upcall) and unmasks it. */
int peer_count_events(uint32_t port, volatile uint32_t *counter);

/* System time `ms` from now, in ns. */
uint64_t peer_deadline_ms(uint64_t ms);

/*
 * Sleeps (SCHEDOP_BLOCK, the upcall runs on wake-up) until ready(arg) is
 * nonzero or system time passes `deadline`.
 * status: PVABI_OK; PVABI_EAGAIN (deadline passed first).
 */
int peer_wait_until(int (*ready)(void *arg), void *arg, uint64_t deadline);

/* Sleeps `ms` milliseconds of system time (events are still taken). */
void peer_sleep_ms(uint64_t ms);

/* peer_wait_until *counter >= target. */
int peer_wait_count(volatile uint32_t *counter, uint32_t target, uint64_t deadline);

/* ---- connect.c: finding what a peer offers; pages and grants ---- */

/*
 * Binds the first port of domain `remote`, from port `first` up, that it
 * offers this domain, trying again after a yield until `deadline`.
 * out: *local, and *remote_port if not NULL.
 * status: PVABI_OK; PVABI_EAGAIN (nothing offered by the deadline); a
 *   bind failure other than "not allocated" (ERANGE) or "not ours" (EPERM).
 */
int peer_bind_offered(uint16_t remote, uint32_t first, uint64_t deadline, uint32_t *local, uint32_t *remote_port);

/*
 * Polls this domain's `port` (STATUS), yielding, until it is in `state`
 * (PVABI_EVTCHN_STATE_INTERDOMAIN: a peer bound it; _UNBOUND: the peer
 * closed its end). status: PVABI_OK; PVABI_EAGAIN; STATUS's failure.
 */
int peer_wait_port_state(uint32_t port, uint32_t state, uint64_t deadline);

/* The next unused page of this domain's memory, zeroed; *mfn its machine frame. NULL when none is left. */
void *peer_page(uint64_t *mfn);

/* An address with no page mapped (its L1 table exists): where to map a grant. NULL on failure. */
void *peer_map_slot(void);

/* This domain's grant table (one frame), set up and mapped on first use; NULL on failure. */
struct pvabi_grant_entry *peer_grant_table(void);

/* Grants frame `mfn` to `remote` at the next free reference. out: *ref. status: PVABI_OK; as peer_grant_table. */
int peer_grant(uint16_t remote, uint64_t mfn, int readonly, uint32_t *ref);

/*
 * Maps at `va` the first grant of `remote`, from reference `first` up, that
 * maps for this domain with `flags` (PVABI_GNTMAP_*), trying again after a
 * yield until `deadline`.
 * out: *op as the map left it (ref, handle, frame).
 * status: PVABI_OK; PVABI_EAGAIN; a map failure other than EPERM/ERANGE.
 */
int peer_map_offered(uint16_t remote, uint32_t first, uint32_t flags, void *va, uint64_t deadline,
                     struct pvabi_gnttab_map_grant_ref *op);

/* ---- connect.c: a ring page shared by a front end and a back end ---- */

struct peer_link {
  uint16_t remote;
  uint32_t port;            /* this end's event port */
  uint32_t ref;             /* the ring page's grant reference (the front end's table) */
  uint32_t handle;          /* back end: the map's handle */
  void *page;               /* the ring page, as this end sees it */
  struct pv_ring ring;
  volatile uint32_t events; /* events received on port */
};

/*
 * Front end: lays out a ring of `slot_size` slots in a fresh page, grants
 * it to `remote` and offers `remote` a port. status: PVABI_OK or the failing step's.
 */
int peer_link_offer(struct peer_link *l, uint16_t remote, uint32_t slot_size);

/* Front end: waits until the back end has bound the port. status: PVABI_OK; PVABI_EAGAIN. */
int peer_link_wait_connected(struct peer_link *l, uint64_t deadline);

/* Back end: binds the port `remote` offers, maps its ring and attaches. status: as the failing step. */
int peer_link_connect(struct peer_link *l, uint16_t remote, uint32_t slot_size, uint64_t deadline);

/* Back end: unmaps the ring page. status: as PVABI_GNTTABOP_UNMAP_GRANT_REF. */
int peer_link_unmap(struct peer_link *l);

/* Notifies the other end over the link's port. */
int peer_link_notify(struct peer_link *l);

/* ---- clocks.c: the three time sources ---- */

/* Registers the run-state area the "ran" time is read from. */
int peer_clocks_init(void);

/* One console line: `what`, then system time, this vCPU's run time and the wall clock. */
void peer_print_clocks(const char *what);

/* ---- the payload checksum both ends of a ring compute (64-bit FNV-1a) ---- */

static inline uint64_t peer_checksum(const void *data, uint32_t len) {
  const uint8_t *p = (const uint8_t *)data;
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < len; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

#endif
