/*
 * The demo's producer: offers a ring (a granted page and an event port)
 * to each consumer (domains 1..3 unless `consumers=N first=ID` says
 * otherwise), hands out hash-chain work items in four waves, a few at a
 * time, checks every answer, stops the consumers and takes its rings
 * back, revoking each grant once its consumer has unmapped it and closed
 * its port.
 */
#include "work.h"

PVTEST_KERNEL_NOTES();

#define MAX_CONSUMERS 8
#define ITEMS_PER_CONSUMER 60
#define IN_FLIGHT 4
#define WAVES 4
#define PAUSE_MS 100

static struct peer_link links[MAX_CONSUMERS];
static uint32_t consumers;
static uint32_t answered[MAX_CONSUMERS];

int pvtest_setup(void) {
  consumers = (uint32_t)pvtest_arg_u64("consumers", 3);
  if (consumers == 0 || consumers > MAX_CONSUMERS) return 1;
  const int rc = peer_events_init();
  return rc != PVABI_OK ? rc : peer_clocks_init();
}

static uint16_t consumer_id(uint32_t i) { return (uint16_t)(pvtest_arg_u64("first", 1) + i); }

PVTEST(offer_a_ring_to_each_consumer) {
  peer_print_clocks("starting");
  for (uint32_t i = 0; i < consumers; ++i) {
    PVTEST_REQUIRE_OK(peer_link_offer(&links[i], consumer_id(i), sizeof(union work_slot)));
  }
  for (uint32_t i = 0; i < consumers; ++i) {
    PVTEST_REQUIRE_OK(peer_link_wait_connected(&links[i], peer_deadline_ms(2000)));
    pvtest_printf("domain %u took its ring: grant %u, port %u", consumer_id(i), links[i].ref, links[i].port);
  }
}

static struct work_request item(uint32_t consumer, uint32_t id) {
  if (id >= ITEMS_PER_CONSUMER) return (struct work_request){id, WORK_STOP, 0, 0, 0};
  return (struct work_request){id, WORK_HASH, 0x5eed0000ull + consumer * 1000 + id, 100 + (id * 37) % 500, 0};
}

static int any_response(void *unused) {
  (void)unused;
  for (uint32_t i = 0; i < consumers; ++i) {
    if (pv_ring_front_peek_response(&links[i].ring) != 0) return 1;
  }
  return 0;
}

static uint32_t sent[MAX_CONSUMERS];

/* Keeps up to IN_FLIGHT of the first `released` items on consumer i's ring. */
static void refill(uint32_t i, uint32_t released) {
  union work_slot *s;
  while (sent[i] < released && sent[i] - answered[i] < IN_FLIGHT &&
         (s = pv_ring_front_request_slot(&links[i].ring)) != 0) {
    s->req = item(i, sent[i]++);
  }
  if (pv_ring_front_push(&links[i].ring)) PVTEST_EXPECT_STATUS(peer_link_notify(&links[i]), PVABI_OK);
}

/* Takes consumer i's answers; returns how many were wrong. */
static uint32_t take_answers(uint32_t i) {
  uint32_t wrong = 0;
  const union work_slot *r;
  while ((r = pv_ring_front_peek_response(&links[i].ring)) != 0) {
    const struct work_request want = item(i, answered[i]);
    if (r->rsp.id != want.id || r->rsp.op != want.op ||
        (want.op == WORK_HASH && r->rsp.result != work_hash(want.seed, want.rounds))) {
      ++wrong;
    }
    pv_ring_front_pop_response(&links[i].ring);
    ++answered[i];
  }
  return wrong;
}

/* The work goes out in waves, a pause between them; the last wave ends with a stop. */
PVTEST(hand_out_work) {
  uint32_t wrong = 0;
  for (uint32_t wave = 1; wave <= WAVES; ++wave) {
    const uint32_t released = wave * ITEMS_PER_CONSUMER / WAVES + (wave == WAVES ? 1 : 0);
    const uint64_t deadline = peer_deadline_ms(2000);
    for (uint32_t i = 0; i < consumers; ++i) refill(i, released);
    for (uint32_t i = 0; i < consumers;) {
      if (answered[i] == released) {
        ++i;
        continue;
      }
      if (peer_wait_until(any_response, 0, deadline) != PVABI_OK) PVTEST_ERROR("wave %u went unanswered", wave);
      for (uint32_t j = 0; j < consumers; ++j) {
        wrong += take_answers(j);
        refill(j, released);
      }
    }
    peer_print_clocks("working");
    if (wave < WAVES) peer_sleep_ms(PAUSE_MS);
  }
  uint32_t checked = 0; /* answers to work items, the stops left out */
  for (uint32_t i = 0; i < consumers; ++i) checked += answered[i] - 1;
  PVTEST_EXPECT_EQ(wrong, 0);
  pvtest_printf("%u work items to %u consumers, %u answers checked, %u wrong", consumers * ITEMS_PER_CONSUMER,
                consumers, checked, wrong);
}

/* Each consumer unmaps its ring, then closes its port; then the grant can go. */
PVTEST(take_the_rings_back) {
  struct pvabi_grant_entry *table = peer_grant_table();
  for (uint32_t i = 0; i < consumers; ++i) {
    PVTEST_EXPECT_STATUS(peer_wait_port_state(links[i].port, PVABI_EVTCHN_STATE_UNBOUND, peer_deadline_ms(2000)),
                         PVABI_OK);
    PVTEST_EXPECT_STATUS(pv_grant_entry_revoke(&table[links[i].ref]), PVABI_OK);
    PVTEST_EXPECT_STATUS(pv_evtchn_close(links[i].port), PVABI_OK);
  }
  peer_print_clocks("done");
}
