/*
 * A split driver's ring between two domains, booted together from this
 * one image:   role=front peer=<back end's id>   and   role=back peer=<front end's id>
 * The front end grants a ring page and offers two ports (ring and
 * control); the back end finds them, maps the ring (MAP_GRANT_REF) and
 * serves requests on it, notified both ways over the ring's port. Proves:
 * 300 requests whose payloads, in read-only granted pages, the back end
 * reads with GRANT_COPY and checksums; a read-only grant refused as a
 * writable map (EPERM) and mapped read-only; revoking while mapped is
 * refused (EBUSY); unmap, then a second unmap of the handle (ENOENT); and
 * after the revoke, mapping the reference again fails (EPERM).
 */
#include "peer.h"

PVTEST_KERNEL_NOTES();

#define REQUESTS 300
#define DATA_PAGES 4
#define BATCH 16

enum { OP_CHECKSUM = 1, OP_MAP_READONLY = 2, OP_STOP = 3 };

struct ring_request {
  uint32_t id;
  uint16_t op;
  uint16_t len;
  uint32_t gref;   /* the page holding the payload */
  uint16_t offset; /* of the payload in it */
  uint16_t _pad0;
  uint64_t checksum; /* of the payload, as the front end computed it */
};

struct ring_response {
  uint32_t id;
  int32_t status;
  uint64_t checksum; /* of the payload, as the back end read it */
  uint64_t _pad0;
};

union ring_slot {
  struct ring_request req;
  struct ring_response rsp;
};
_Static_assert(sizeof(union ring_slot) == 24, "a slot is 24 bytes on both ends");

static int front;
static uint16_t peer;
static struct peer_link link;
static uint32_t ctl;
static volatile uint32_t ctl_got;
static uint32_t ctl_awaited;

static int await_ctl(void) { return peer_wait_count(&ctl_got, ++ctl_awaited, peer_deadline_ms(1000)); }

int pvtest_setup(void) {
  const char *role = pvtest_arg("role");
  peer = (uint16_t)pvtest_arg_u64("peer", PVABI_DOMID_SELF);
  if (role == 0 || peer == PVABI_DOMID_SELF) {
    pvtest_printf("needs role=front|back and peer=<domain id>");
    return 1;
  }
  front = role[0] == 'f';
  return peer_events_init();
}

PVTEST(connect) {
  const uint64_t deadline = peer_deadline_ms(1000);
  if (front) {
    PVTEST_REQUIRE_OK(peer_link_offer(&link, peer, sizeof(union ring_slot)));
    PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(peer, &ctl));
    PVTEST_REQUIRE_OK(peer_count_events(ctl, &ctl_got));
    PVTEST_REQUIRE_OK(peer_link_wait_connected(&link, deadline));
    PVTEST_REQUIRE_OK(peer_wait_port_state(ctl, PVABI_EVTCHN_STATE_INTERDOMAIN, deadline));
    return;
  }
  PVTEST_REQUIRE_OK(peer_link_connect(&link, peer, sizeof(union ring_slot), deadline));
  PVTEST_REQUIRE_OK(peer_bind_offered(peer, 1, deadline, &ctl, 0));
  PVTEST_REQUIRE_OK(peer_count_events(ctl, &ctl_got));
  PVTEST_EXPECT_EQ(link.ring.shared->slots, pvabi_ring_slots_for(PVABI_PAGE_SIZE, sizeof(union ring_slot)));
}

/* ---- the front end ---- */

static uint32_t data_ref[DATA_PAGES];
static uint8_t *data_page[DATA_PAGES];

static int fill_data_pages(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull ^ pv_time_system_ns(0);
  for (int i = 0; i < DATA_PAGES; ++i) {
    uint64_t mfn = 0;
    data_page[i] = peer_page(&mfn);
    if (data_page[i] == 0) return PVABI_ENOMEM;
    for (int b = 0; b < PVABI_PAGE_SIZE; ++b) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      data_page[i][b] = (uint8_t)x;
    }
    const int rc = peer_grant(peer, mfn, 1, &data_ref[i]);
    if (rc != PVABI_OK) return rc;
  }
  return PVABI_OK;
}

/*
 * Request i < REQUESTS: a slice of a data page, of every length from 1
 * byte to a whole page; then a read-only map of a data page; then stop.
 */
static struct ring_request request(uint32_t i) {
  struct ring_request r = {i, OP_CHECKSUM, PVABI_PAGE_SIZE, data_ref[i % DATA_PAGES], 0, 0, 0};
  if (i > 0 && i < REQUESTS) {
    r.offset = (uint16_t)((i * 397u) % PVABI_PAGE_SIZE);
    r.len = (uint16_t)(1 + (i * 61u) % (PVABI_PAGE_SIZE - r.offset));
  }
  if (i == REQUESTS) r.op = OP_MAP_READONLY;
  if (i > REQUESTS) return (struct ring_request){i, OP_STOP, 0, 0, 0, 0, 0};
  r.checksum = peer_checksum(data_page[i % DATA_PAGES] + r.offset, r.len);
  return r;
}

static int has_response(void *ring) { return pv_ring_front_peek_response(ring) != 0; }

static void submit_and_check(void) {
  uint32_t sent = 0, answered = 0, bad = 0, bytes = 0;
  const uint32_t total = REQUESTS + 2; /* the checksums, a read-only map, stop */
  const uint64_t deadline = peer_deadline_ms(1500);
  while (answered < total) {
    union ring_slot *s;
    /* A few at a time, so that both ends sleep and notify often. */
    while (sent < total && sent - answered < BATCH && (s = pv_ring_front_request_slot(&link.ring)) != 0) {
      s->req = request(sent++);
    }
    if (pv_ring_front_push(&link.ring)) PVTEST_EXPECT_STATUS(peer_link_notify(&link), PVABI_OK);
    if (peer_wait_until(has_response, &link.ring, deadline) != PVABI_OK) {
      PVTEST_ERROR("%u of %u requests answered before the deadline", answered, total);
    }
    const union ring_slot *r;
    while ((r = pv_ring_front_peek_response(&link.ring)) != 0) {
      const struct ring_request want = request(answered);
      const int32_t want_status = want.op == OP_MAP_READONLY ? PVABI_EPERM : PVABI_OK;
      if (r->rsp.id != answered || r->rsp.status != want_status || r->rsp.checksum != want.checksum) {
        if (bad++ < 4) {
          PVTEST_CHECK_MSG(0, "response %u: id %u, status %s, checksum %lx (want %lx)", answered, r->rsp.id,
                           pvtest_status_name(r->rsp.status), r->rsp.checksum, want.checksum);
        }
      }
      pv_ring_front_pop_response(&link.ring);
      if (want.op == OP_CHECKSUM) bytes += want.len;
      ++answered;
    }
  }
  PVTEST_EXPECT_EQ(bad, 0);
  pvtest_printf("%u requests answered, %u payload bytes checked, %u ring events", answered, bytes, link.events);
}

/* ---- the back end ---- */

static uint8_t *buffer;
static uint64_t buffer_mfn;
static uint32_t payload_bytes;
static uint32_t readonly_ref; /* a read-only grant a request named */

static int has_request(void *ring) { return pv_ring_back_peek_request(ring) != 0; }

/* A read-only grant: refused as a writable map, mapped read-only. Returns the writable map's status. */
static int32_t map_readonly(const struct ring_request *q, uint64_t *checksum) {
  static void *va;
  if (va == 0) va = peer_map_slot();
  readonly_ref = q->gref;
  struct pvabi_gnttab_map_grant_ref op = {(uint64_t)va, 0, q->gref, peer, 0, 0, 0, 0, 0};
  const int32_t writable = (int32_t)pv_grant_map(&op, 1);
  PVTEST_EXPECT_STATUS(writable, PVABI_EPERM);
  op = (struct pvabi_gnttab_map_grant_ref){(uint64_t)va, PVABI_GNTMAP_READONLY, q->gref, peer, 0, 0, 0, 0, 0};
  if (!PVTEST_EXPECT_STATUS(pv_grant_map(&op, 1), PVABI_OK)) return PVABI_EINVAL;
  *checksum = peer_checksum(va, q->len);
  struct pvabi_gnttab_unmap_grant_ref un = {(uint64_t)va, op.handle, 0};
  PVTEST_EXPECT_STATUS(pv_grant_unmap(&un, 1), PVABI_OK);
  return writable;
}

static struct ring_response serve(const struct ring_request *q) {
  struct ring_response r = {q->id, PVABI_OK, 0, 0};
  if (q->op == OP_MAP_READONLY) {
    r.status = map_readonly(q, &r.checksum);
  } else if (q->op == OP_CHECKSUM) {
    struct pvabi_gnttab_copy c = {{0, q->gref, peer, q->offset}, {buffer_mfn, 0, 0, 0}, q->len,
                                  PVABI_GNTCOPY_SOURCE_GREF, 0};
    r.status = pv_grant_copy(&c, 1);
    r.checksum = peer_checksum(buffer, q->len);
    if (r.checksum != q->checksum && r.status == PVABI_OK) r.status = PVABI_EINVAL;
    payload_bytes += q->len;
  }
  return r;
}

static void serve_until_stop(void) {
  buffer = peer_page(&buffer_mfn);
  if (buffer == 0) PVTEST_ERROR("no page for the copies");
  uint32_t served = 0, failed = 0;
  const uint64_t deadline = peer_deadline_ms(1500);
  for (int stop = 0; !stop;) {
    if (peer_wait_until(has_request, &link.ring, deadline) != PVABI_OK) {
      PVTEST_ERROR("%u requests served, then none came before the deadline", served);
    }
    const union ring_slot *s;
    while ((s = pv_ring_back_peek_request(&link.ring)) != 0) {
      const struct ring_request q = s->req;
      pv_ring_back_pop_request(&link.ring);
      const struct ring_response r = serve(&q);
      if (q.op == OP_CHECKSUM && r.status != PVABI_OK) ++failed;
      stop = stop || q.op == OP_STOP;
      union ring_slot *out = pv_ring_back_response_slot(&link.ring);
      out->rsp = r;
      ++served;
    }
    if (pv_ring_back_push(&link.ring)) PVTEST_EXPECT_STATUS(peer_link_notify(&link), PVABI_OK);
  }
  PVTEST_EXPECT_EQ(failed, 0);
  pvtest_printf("%u requests served, %u payload bytes copied and checksummed, %u ring events", served,
                payload_bytes, link.events);
}

PVTEST(requests_with_checksummed_payloads) {
  if (!front) {
    serve_until_stop();
    return;
  }
  PVTEST_REQUIRE_OK(fill_data_pages());
  submit_and_check();
}

/*
 * The front end cannot revoke the ring while it is mapped; the back end
 * unmaps (a second unmap finds no handle); the revoke then succeeds, and
 * the reference no longer maps.
 */
PVTEST(unmap_revoke_and_map_again) {
  if (front) {
    struct pvabi_grant_entry *ring_entry = &peer_grant_table()[link.ref];
    PVTEST_EXPECT_STATUS(pv_grant_entry_revoke(ring_entry), PVABI_EBUSY);
    PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
    if (await_ctl() != PVABI_OK) PVTEST_ERROR("the back end never unmapped the ring");
    PVTEST_CHECK((ring_entry->flags & (PVABI_GTF_READING | PVABI_GTF_WRITING)) == 0);
    PVTEST_EXPECT_STATUS(pv_grant_entry_revoke(ring_entry), PVABI_OK);
    PVTEST_EXPECT_EQ(ring_entry->flags, 0);
    PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
    if (await_ctl() != PVABI_OK) PVTEST_ERROR("the back end never tried the revoked grant");
    return;
  }
  if (await_ctl() != PVABI_OK) PVTEST_ERROR("the front end never tried to revoke");
  PVTEST_EXPECT_STATUS(peer_link_unmap(&link), PVABI_OK);
  PVTEST_EXPECT_STATUS(peer_link_unmap(&link), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
  if (await_ctl() != PVABI_OK) PVTEST_ERROR("the front end never revoked the ring");
  struct pvabi_gnttab_map_grant_ref op = {(uint64_t)link.page, 0, link.ref, peer, 0, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_grant_map(&op, 1), PVABI_EPERM);
  /* Nothing was mapped: the slot takes another grant. */
  op = (struct pvabi_gnttab_map_grant_ref){(uint64_t)link.page, PVABI_GNTMAP_READONLY, readonly_ref, peer, 0, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_grant_map(&op, 1), PVABI_OK);
  struct pvabi_gnttab_unmap_grant_ref un = {(uint64_t)link.page, op.handle, 0};
  PVTEST_EXPECT_STATUS(pv_grant_unmap(&un, 1), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_evtchn_send(ctl), PVABI_OK);
}

PVTEST(close_ports) {
  PVTEST_EXPECT_STATUS(pv_evtchn_close(link.port), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_evtchn_close(ctl), PVABI_OK);
}
