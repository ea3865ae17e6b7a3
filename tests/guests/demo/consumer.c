/*
 * A demo consumer: maps the ring the producer (domain 0 unless
 * `producer=ID`) offers it, answers work items until told to stop, then
 * unmaps the ring and closes its port.
 */
#include "work.h"

PVTEST_KERNEL_NOTES();

static struct peer_link link;
static uint16_t producer;

int pvtest_setup(void) {
  producer = (uint16_t)pvtest_arg_u64("producer", 0);
  const int rc = peer_events_init();
  return rc != PVABI_OK ? rc : peer_clocks_init();
}

PVTEST(take_the_ring) {
  peer_print_clocks("starting");
  PVTEST_REQUIRE_OK(peer_link_connect(&link, producer, sizeof(union work_slot), peer_deadline_ms(2000)));
  pvtest_printf("ring mapped: grant %u of domain %u, port %u", link.ref, producer, link.port);
}

static int has_request(void *ring) { return pv_ring_back_peek_request(ring) != 0; }

PVTEST(answer_work_until_stopped) {
  uint32_t items = 0;
  uint64_t rounds = 0;
  const uint64_t deadline = peer_deadline_ms(3000);
  for (int stop = 0; !stop;) {
    if (peer_wait_until(has_request, &link.ring, deadline) != PVABI_OK) PVTEST_ERROR("no stop after %u items", items);
    const union work_slot *s;
    while ((s = pv_ring_back_peek_request(&link.ring)) != 0) {
      const struct work_request q = s->req;
      pv_ring_back_pop_request(&link.ring);
      struct work_response r = {q.id, q.op, 0, 0};
      if (q.op == WORK_HASH) {
        r.result = work_hash(q.seed, q.rounds);
        rounds += q.rounds;
        if (++items % 15 == 0) peer_print_clocks("working");
      }
      stop = stop || q.op == WORK_STOP;
      ((union work_slot *)pv_ring_back_response_slot(&link.ring))->rsp = r;
    }
    if (pv_ring_back_push(&link.ring)) PVTEST_EXPECT_STATUS(peer_link_notify(&link), PVABI_OK);
  }
  pvtest_printf("%u work items answered (%lu hash rounds), %u ring events", items, rounds, link.events);
}

PVTEST(give_the_ring_back) {
  PVTEST_EXPECT_STATUS(peer_link_unmap(&link), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_evtchn_close(link.port), PVABI_OK);
  peer_print_clocks("done");
}
