/*
 * Event channels between two domains, booted together from this one image:
 *   role=server peer=<client's id>   and   role=client peer=<server's id>
 * The server offers two ports (data and control); the client finds and
 * binds them. Proves: alloc_unbound/bind_interdomain and their statuses,
 * STATUS on unbound, inter-domain and free ports, 1000 round trips taken
 * in the upcall (upcall.S, returning through PVABI_HC_IRET) while blocked,
 * a masked port holding its event (seen by poll, not delivered) until
 * unmask, close then send (ERANGE on the closed port; the peer's port
 * offered again and rebound), and ERANGE for ports never allocated.
 */
#include "peer.h"

PVTEST_KERNEL_NOTES();

#define ROUND_TRIPS 1000
#define NEVER_ALLOCATED 4000u

static int server;
static uint16_t peer;
static uint32_t port, ctl;          /* this domain's ends */
static uint32_t server_port;        /* the server's data port (the client rebinds to it) */
static volatile uint32_t got, ctl_got;
static uint32_t awaited, ctl_awaited; /* events each counter has been waited for */

static int await_data(void) { return peer_wait_count(&got, ++awaited, peer_deadline_ms(1000)); }
static int await_ctl(void) { return peer_wait_count(&ctl_got, ++ctl_awaited, peer_deadline_ms(1000)); }

static struct pvabi_evtchn_status status_of(uint32_t p) {
  struct pvabi_evtchn_status st = {PVABI_DOMID_SELF, 0, p, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_evtchn_status(&st), PVABI_OK);
  return st;
}

int pvtest_setup(void) {
  const char *role = pvtest_arg("role");
  peer = (uint16_t)pvtest_arg_u64("peer", PVABI_DOMID_SELF);
  if (role == 0 || peer == PVABI_DOMID_SELF) {
    pvtest_printf("needs role=server|client and peer=<domain id>");
    return 1;
  }
  server = role[0] == 's';
  return peer_events_init();
}

PVTEST(ports_never_allocated_are_refused) {
  PVTEST_EXPECT_STATUS(pv_evtchn_send(NEVER_ALLOCATED), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(pv_evtchn_close(NEVER_ALLOCATED), PVABI_ERANGE);
  PVTEST_EXPECT_EQ(status_of(NEVER_ALLOCATED).state, PVABI_EVTCHN_STATE_FREE);
  struct pvabi_evtchn_status past = {PVABI_DOMID_SELF, 0, PVABI_EVTCHN_2L_PORTS, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_evtchn_status(&past), PVABI_ERANGE);
  uint32_t p = 0;
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(peer, NEVER_ALLOCATED, &p), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(pv_evtchn_alloc_unbound(PVABI_DOMID_SELF - 1, &p), PVABI_ESRCH);
}

PVTEST(unbound_port_reports_who_may_bind_it) {
  uint32_t p = 0;
  PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(PVABI_DOMID_SELF, &p));
  const struct pvabi_evtchn_status st = status_of(p);
  PVTEST_EXPECT_EQ(st.state, PVABI_EVTCHN_STATE_UNBOUND);
  PVTEST_EXPECT_EQ(st.remote_dom, pvtest_domid());
  PVTEST_EXPECT_EQ(st.remote_port, 0);
  PVTEST_EXPECT_STATUS(pv_evtchn_close(p), PVABI_OK);
  PVTEST_EXPECT_EQ(status_of(p).state, PVABI_EVTCHN_STATE_FREE);
}

PVTEST(connect) {
  const uint64_t deadline = peer_deadline_ms(1000);
  uint32_t remote_ctl = 0;
  if (server) {
    /* Counted from the start: an event on a port without a handler is dropped. */
    PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(peer, &port));
    PVTEST_REQUIRE_OK(peer_count_events(port, &got));
    PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(peer, &ctl));
    PVTEST_REQUIRE_OK(peer_count_events(ctl, &ctl_got));
    PVTEST_REQUIRE_OK(peer_wait_port_state(port, PVABI_EVTCHN_STATE_INTERDOMAIN, deadline));
    PVTEST_REQUIRE_OK(peer_wait_port_state(ctl, PVABI_EVTCHN_STATE_INTERDOMAIN, deadline));
    server_port = port;
  } else {
    PVTEST_REQUIRE_OK(peer_bind_offered(peer, 1, deadline, &port, &server_port));
    PVTEST_REQUIRE_OK(peer_count_events(port, &got));
    PVTEST_REQUIRE_OK(peer_bind_offered(peer, server_port + 1, deadline, &ctl, &remote_ctl));
    PVTEST_REQUIRE_OK(peer_count_events(ctl, &ctl_got));
    /* Bound now: not offered any more. */
    uint32_t again = 0;
    PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(peer, server_port, &again), PVABI_EPERM);
  }
  const struct pvabi_evtchn_status st = status_of(port);
  PVTEST_EXPECT_EQ(st.state, PVABI_EVTCHN_STATE_INTERDOMAIN);
  PVTEST_EXPECT_EQ(st.remote_dom, peer);
  PVTEST_EXPECT_EQ(st.vcpu, 0);
  if (!server) PVTEST_EXPECT_EQ(st.remote_port, server_port);
  if (!server) PVTEST_EXPECT_EQ(status_of(ctl).remote_port, remote_ctl);
}

/* The client pings, the server pongs; each side blocks until the upcall has counted the event. */
PVTEST(ping_pong_1000_round_trips) {
  const uint64_t start = pv_time_system_ns(0);
  uint32_t trips = 0;
  for (uint32_t i = 1; i <= ROUND_TRIPS; ++i) {
    if (!server && pv_evtchn_send(port) != PVABI_OK) break;
    if (await_data() != PVABI_OK) break;
    if (server && pv_evtchn_send(port) != PVABI_OK) break;
    trips = i;
  }
  PVTEST_EXPECT_EQ(trips, ROUND_TRIPS);
  PVTEST_EXPECT_EQ(got, ROUND_TRIPS);
  const uint64_t ns = pv_time_system_ns(0) - start;
  pvtest_printf("%u round trips in %lu us (%lu ns each)", trips, ns / 1000, trips ? ns / trips : 0);
}

/*
 * The holder masks its data port and tells the other side to send. The
 * event stays pending: poll sees it, the upcall does not take it; unmask
 * delivers it at once.
 */
static void hold_one_event(int holding) {
  if (!holding) {
    if (await_ctl() != PVABI_OK) PVTEST_ERROR("the holder never asked for the event");
    PVTEST_EXPECT_STATUS(pv_evtchn_send(port), PVABI_OK);
    return;
  }
  uint32_t p = port;
  pv_event_mask(port);
  PVTEST_EXPECT_STATUS(pv_sched_poll(&p, 1, peer_deadline_ms(5)), PVABI_EAGAIN);
  const uint32_t before = got;
  PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_sched_poll(&p, 1, peer_deadline_ms(1000)), PVABI_OK);
  PVTEST_CHECK(pv_event_is_pending(port));
  PVTEST_EXPECT_STATUS(pv_sched_yield(), PVABI_OK); /* upcalls are on, and still nothing is taken */
  PVTEST_EXPECT_EQ(got, before);
  PVTEST_EXPECT_STATUS(pv_event_unmask(port), PVABI_OK);
  PVTEST_EXPECT_EQ(got, before + 1); /* taken on the way back from UNMASK */
  PVTEST_CHECK(!pv_event_is_pending(port));
  awaited = got;
}

PVTEST(masked_port_holds_its_event_until_unmask) {
  hold_one_event(server);
  hold_one_event(!server);
}

PVTEST(close_then_send) {
  if (!server) {
    PVTEST_EXPECT_STATUS(pv_evtchn_close(port), PVABI_OK);
    PVTEST_EXPECT_EQ(status_of(port).state, PVABI_EVTCHN_STATE_FREE);
    PVTEST_EXPECT_STATUS(pv_evtchn_send(port), PVABI_ERANGE);
    PVTEST_EXPECT_STATUS(pv_evtchn_close(port), PVABI_ERANGE);
    PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
    if (await_ctl() != PVABI_OK) PVTEST_ERROR("the server never looked at its port");
    /* The server's port was offered to this domain again: bind it back. */
    PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(peer, server_port, &port), PVABI_OK);
    PVTEST_REQUIRE_OK(peer_count_events(port, &got));
    PVTEST_EXPECT_STATUS(pv_evtchn_send(port), PVABI_OK);
    return;
  }
  if (await_ctl() != PVABI_OK) PVTEST_ERROR("the client never closed its port");
  struct pvabi_evtchn_status st = status_of(port);
  PVTEST_EXPECT_EQ(st.state, PVABI_EVTCHN_STATE_UNBOUND);
  PVTEST_EXPECT_EQ(st.remote_dom, peer);
  PVTEST_EXPECT_EQ(st.remote_port, 0);
  /* Unbound: the send is accepted and goes nowhere. */
  PVTEST_EXPECT_STATUS(pv_evtchn_send(port), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
  PVTEST_EXPECT_STATUS(await_data(), PVABI_OK); /* the client's send on the rebound port */
  PVTEST_EXPECT_EQ(status_of(port).state, PVABI_EVTCHN_STATE_INTERDOMAIN);
}

PVTEST(close_both_ends) {
  PVTEST_EXPECT_STATUS(pv_evtchn_close(port), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_evtchn_close(ctl), PVABI_OK);
  PVTEST_EXPECT_EQ(status_of(port).state, PVABI_EVTCHN_STATE_FREE);
  PVTEST_EXPECT_EQ(status_of(ctl).state, PVABI_EVTCHN_STATE_FREE);
}
