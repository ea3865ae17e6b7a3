/*
 * The benign half of the cross-domain hostile pair (cross_domain.h), run
 * with `attacker=<its domain id>`: sets up ports (one offered to itself,
 * a pair bound to each other, one offered to the attacker), grants (its
 * directory read-only to the attacker, a secret page to a third domain
 * id) and a page of data, waits for the attacker to finish, and proves
 * all of it is exactly as it left it: port states and peers, no stray
 * events, grant entries with no reading/writing flag left behind, page
 * contents, and that the ports and grants still work.
 */
#include "../domains/peer.h"
#include "cross_domain.h"
#include "hostile.h"

PVTEST_KERNEL_NOTES();

static uint16_t attacker;
static struct cross_domain_directory want; /* what the directory page must still hold */
static volatile struct cross_domain_directory *directory;
static volatile uint64_t *secret;
static struct pvabi_grant_entry *grants;
static volatile uint32_t done_events, offered_events, loop_a_events, loop_b_events;

int pvtest_setup(void) {
  attacker = (uint16_t)pvtest_arg_u64("attacker", PVABI_DOMID_SELF);
  if (attacker == PVABI_DOMID_SELF) {
    pvtest_printf("needs attacker=<domain id>");
    return 1;
  }
  return peer_events_init();
}

static uint64_t mapped_frame(const volatile void *va) {
  return (hostile_read_entry(hostile_entry_maddr((uint64_t)va, 1)) & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT;
}

static struct pvabi_evtchn_status status_of(uint32_t port) {
  struct pvabi_evtchn_status st = {PVABI_DOMID_SELF, 0, port, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_evtchn_status(&st), PVABI_OK);
  return st;
}

PVTEST(victim_sets_up_ports_grants_and_pages) {
  struct cross_domain_directory *d = &want;
  d->magic = CROSS_DOMAIN_MAGIC;
  d->other_dom = (uint16_t)((attacker > pvtest_domid() ? attacker : pvtest_domid()) + 1);
  secret = peer_page(&d->secret_mfn);
  directory = peer_page(&d->directory_mfn);
  if (secret == 0 || directory == 0) PVTEST_ERROR("no free pages");
  for (unsigned i = 0; i < 512; ++i) secret[i] = cross_domain_secret_word(i);

  PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(PVABI_DOMID_SELF, &d->offered_elsewhere));
  PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(PVABI_DOMID_SELF, &d->loop_a));
  PVTEST_REQUIRE_OK(pv_evtchn_bind_interdomain(PVABI_DOMID_SELF, d->loop_a, &d->loop_b));
  PVTEST_REQUIRE_OK(peer_count_events(d->offered_elsewhere, &offered_events));
  PVTEST_REQUIRE_OK(peer_count_events(d->loop_a, &loop_a_events));
  PVTEST_REQUIRE_OK(peer_count_events(d->loop_b, &loop_b_events));

  PVTEST_REQUIRE_OK(peer_grant(d->other_dom, d->secret_mfn, 0, &d->other_ref));
  PVTEST_REQUIRE_OK(peer_grant(attacker, d->directory_mfn, 1, &d->ro_ref));
  grants = peer_grant_table();
  d->grant_table_mfn = mapped_frame(grants);
  d->root_mfn = hostile_root_mfn();
  d->l1_mfn = hostile_entry_maddr((uint64_t)secret, 1) >> PVABI_PAGE_SHIFT;

  /* The port the attacker waits for comes last: when it binds, the rest is there. */
  PVTEST_REQUIRE_OK(pv_evtchn_alloc_unbound(attacker, &d->done));
  PVTEST_REQUIRE_OK(peer_count_events(d->done, &done_events));
  *(struct cross_domain_directory *)directory = *d;
  pvtest_printf("ports: offered to itself %u, pair %u-%u, to the attacker %u; refs %u (read-only) and %u (to %u)",
                d->offered_elsewhere, d->loop_a, d->loop_b, d->done, d->ro_ref, d->other_ref, d->other_dom);
}

PVTEST(victim_waits_for_the_attacker) {
  PVTEST_REQUIRE_OK(peer_wait_count(&done_events, 1, peer_deadline_ms(3000)));
}

PVTEST(victim_ports_are_unchanged) {
  const struct pvabi_evtchn_status offered = status_of(want.offered_elsewhere);
  PVTEST_EXPECT_EQ(offered.state, PVABI_EVTCHN_STATE_UNBOUND);
  PVTEST_EXPECT_EQ(offered.remote_dom, pvtest_domid());
  const struct pvabi_evtchn_status a = status_of(want.loop_a), b = status_of(want.loop_b);
  PVTEST_EXPECT_EQ(a.state, PVABI_EVTCHN_STATE_INTERDOMAIN);
  PVTEST_EXPECT_EQ(a.remote_dom, pvtest_domid());
  PVTEST_EXPECT_EQ(a.remote_port, want.loop_b);
  PVTEST_EXPECT_EQ(b.state, PVABI_EVTCHN_STATE_INTERDOMAIN);
  PVTEST_EXPECT_EQ(b.remote_port, want.loop_a);
  const struct pvabi_evtchn_status done = status_of(want.done);
  PVTEST_EXPECT_EQ(done.state, PVABI_EVTCHN_STATE_INTERDOMAIN);
  PVTEST_EXPECT_EQ(done.remote_dom, attacker);
  /* Nothing the attacker did reached these ports. */
  PVTEST_EXPECT_EQ(offered_events, 0);
  PVTEST_EXPECT_EQ(loop_a_events, 0);
  PVTEST_EXPECT_EQ(loop_b_events, 0);
  PVTEST_EXPECT_EQ(done_events, 1);
  /* And the pair still works. */
  PVTEST_EXPECT_STATUS(pv_evtchn_send(want.loop_a), PVABI_OK);
  PVTEST_EXPECT_STATUS(peer_wait_count(&loop_b_events, 1, peer_deadline_ms(500)), PVABI_OK);
  PVTEST_EXPECT_EQ(loop_a_events, 0);
}

PVTEST(victim_grants_are_unchanged) {
  PVTEST_EXPECT_EQ(grants[want.other_ref].flags, PVABI_GTF_PERMIT_ACCESS);
  PVTEST_EXPECT_EQ(grants[want.other_ref].domid, want.other_dom);
  PVTEST_EXPECT_EQ(grants[want.other_ref].frame, want.secret_mfn);
  /* The attacker's read-only map is gone, and with it the reading flag. */
  PVTEST_EXPECT_EQ(grants[want.ro_ref].flags, PVABI_GTF_PERMIT_ACCESS | PVABI_GTF_READONLY);
  PVTEST_EXPECT_EQ(grants[want.ro_ref].domid, attacker);
  PVTEST_EXPECT_EQ(grants[want.ro_ref].frame, want.directory_mfn);
  PVTEST_EXPECT_EQ(grants[0].flags, 0);
  PVTEST_EXPECT_EQ(mapped_frame(grants), want.grant_table_mfn);
  /* Neither is held: both revoke. */
  PVTEST_EXPECT_STATUS(pv_grant_entry_revoke(&grants[want.other_ref]), PVABI_OK);
  PVTEST_EXPECT_STATUS(pv_grant_entry_revoke(&grants[want.ro_ref]), PVABI_OK);
}

PVTEST(victim_pages_are_unchanged) {
  unsigned wrong = 0;
  for (unsigned i = 0; i < 512; ++i) wrong += secret[i] != cross_domain_secret_word(i);
  PVTEST_EXPECT_EQ(wrong, 0);
  const volatile uint8_t *now = (const volatile uint8_t *)directory;
  const uint8_t *then = (const uint8_t *)&want;
  wrong = 0;
  for (unsigned i = 0; i < sizeof want; ++i) wrong += now[i] != then[i];
  for (unsigned i = sizeof want; i < PVABI_PAGE_SIZE; ++i) wrong += now[i] != 0;
  PVTEST_EXPECT_EQ(wrong, 0);
  PVTEST_EXPECT_EQ(mapped_frame(secret), want.secret_mfn);
  PVTEST_EXPECT_EQ(hostile_root_mfn(), want.root_mfn);
  secret[7] = 7; /* still writable, still ours */
  PVTEST_EXPECT_EQ(secret[7], 7);
}
