/*
 * The hostile half of the cross-domain pair (cross_domain.h), run with
 * `victim=<its domain id>`. With the victim's directory in hand it tries
 * to reach the victim's state every way the ABI offers, and each attempt
 * gets its documented status and changes nothing:
 *   ports: binding ports offered to someone else, already bound, or never
 *     allocated; sending on, closing, unmasking or moving port numbers that
 *     are the victim's but not its own (event.h);
 *   grants: mapping references not granted to it, past the table, or a
 *     read-only grant writable; copies reaching past a page or through
 *     grants not its own; unmapping twice or with a handle never returned;
 *     a domain id that does not exist (grant.h);
 *   frames: every frame the M2P shows owned by someone else, and the
 *     victim's own data page, L1, L4 and grant table frame named
 *     directly, refused by every MMU operation (mmu.h, EPERM).
 * The victim checks afterwards that its side is intact.
 */
#include "../domains/peer.h"
#include "cross_domain.h"
#include "hostile.h"

PVTEST_KERNEL_NOTES();

#define BAD_DOMAIN 0x1234u /* no such domain (below PVABI_DOMID_SELF) */
#define NEVER_ALLOCATED 60u

static uint16_t victim;
static struct cross_domain_directory dir;
static uint32_t done_port; /* this domain's end of the victim's done port */
static void *slot;         /* where grants get mapped: nothing is mapped there otherwise */
static volatile uint64_t *scratch;
static uint64_t scratch_mfn;

int pvtest_setup(void) {
  victim = (uint16_t)pvtest_arg_u64("victim", PVABI_DOMID_SELF);
  if (victim == PVABI_DOMID_SELF) {
    pvtest_printf("needs victim=<domain id>");
    return 1;
  }
  const int rc = peer_events_init();
  if (rc != PVABI_OK) return rc;
  slot = peer_map_slot();
  scratch = peer_page(&scratch_mfn);
  return slot == 0 || scratch == 0 ? 1 : hostile_install_traps();
}

static int slot_is_empty(void) {
  uint64_t ignored;
  return hostile_read_entry(hostile_entry_maddr((uint64_t)slot, 1)) == 0 &&
         hostile_probe_read((uint64_t)slot, &ignored) == HOSTILE_FAULTED;
}

static int64_t map(uint16_t dom, uint32_t ref, uint32_t flags, uint32_t *handle) {
  struct pvabi_gnttab_map_grant_ref op = {(uint64_t)slot, flags, ref, dom, 0, 0, 0, 0, 0};
  const int64_t rc = pv_hypercall3(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_MAP_GRANT_REF, (uint64_t)&op, 1);
  if (handle != 0) *handle = op.handle;
  return rc != PVABI_OK ? rc : op.status;
}

static int64_t unmap(uint64_t va, uint32_t handle) {
  struct pvabi_gnttab_unmap_grant_ref op = {va, handle, 0};
  const int64_t rc = pv_hypercall3(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_UNMAP_GRANT_REF, (uint64_t)&op, 1);
  return rc != PVABI_OK ? rc : op.status;
}

static int64_t copy(struct pvabi_gnttab_copy op) {
  const int64_t rc = pv_hypercall3(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_COPY, (uint64_t)&op, 1);
  return rc != PVABI_OK ? rc : op.status;
}

static struct pvabi_gnttab_copy_ptr granted(uint16_t dom, uint32_t ref, uint16_t offset) {
  return (struct pvabi_gnttab_copy_ptr){0, ref, dom, offset};
}

static struct pvabi_gnttab_copy_ptr own(uint64_t mfn, uint16_t offset) {
  return (struct pvabi_gnttab_copy_ptr){mfn, 0, 0, offset};
}

static struct pvabi_gnttab_copy from_grant(struct pvabi_gnttab_copy_ptr src, struct pvabi_gnttab_copy_ptr dst,
                                           uint16_t len) {
  return (struct pvabi_gnttab_copy){src, dst, len, PVABI_GNTCOPY_SOURCE_GREF, 0};
}

static struct pvabi_gnttab_copy to_grant(struct pvabi_gnttab_copy_ptr src, struct pvabi_gnttab_copy_ptr dst,
                                         uint16_t len) {
  return (struct pvabi_gnttab_copy){src, dst, len, PVABI_GNTCOPY_DEST_GREF, 0};
}

static int64_t evtchn_port_op(uint32_t cmd, uint32_t port) {
  struct pvabi_evtchn_port p = {port, 0};
  return pv_hypercall2(PVABI_HC_EVENT_CHANNEL_OP, cmd, (uint64_t)&p);
}

static uint32_t own_port_state(uint32_t port) {
  struct pvabi_evtchn_status st = {PVABI_DOMID_SELF, 0, port, 0, 0, 0, 0};
  return pv_evtchn_status(&st) == PVABI_OK ? st.state : ~0u;
}

PVTEST(attacker_finds_the_victims_directory) {
  const uint64_t deadline = peer_deadline_ms(2000);
  PVTEST_REQUIRE_OK(peer_bind_offered(victim, 1, deadline, &done_port, 0));
  struct pvabi_gnttab_map_grant_ref op;
  PVTEST_REQUIRE_OK(peer_map_offered(victim, 1, PVABI_GNTMAP_READONLY, slot, deadline, &op));
  dir = *(const struct cross_domain_directory *)slot;
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, op.handle), PVABI_OK);
  PVTEST_CHECK(slot_is_empty());
  if (dir.magic != CROSS_DOMAIN_MAGIC || dir.ro_ref != op.ref) PVTEST_ERROR("the directory is not the victim's");
}

PVTEST(ports_offered_to_others_or_bound_cannot_be_bound) {
  uint32_t p = 0;
  const uint32_t next_free = own_port_state(done_port + 1);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, dir.offered_elsewhere, &p), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, dir.loop_a, &p), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, dir.loop_b, &p), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, dir.done, &p), PVABI_EPERM); /* this domain's already */
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, NEVER_ALLOCATED, &p), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(victim, PVABI_EVTCHN_2L_PORTS + 5, &p), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(pv_evtchn_bind_interdomain(BAD_DOMAIN, dir.offered_elsewhere, &p), PVABI_ESRCH);
  PVTEST_EXPECT_EQ(own_port_state(done_port + 1), next_free); /* no port was taken for the failures */
  /* The victim's table is the victim's: allocating in it or reading it needs privilege. */
  struct pvabi_evtchn_alloc_unbound alloc = {victim, PVABI_DOMID_SELF, 0};
  PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_ALLOC_UNBOUND, (uint64_t)&alloc),
                       PVABI_EPERM);
  struct pvabi_evtchn_status st = {victim, 0, dir.loop_a, 0, 0, 0, 0};
  PVTEST_EXPECT_STATUS(pv_evtchn_status(&st), PVABI_EPERM);
}

PVTEST(the_victims_port_numbers_name_nothing_here) {
  const uint32_t theirs[] = {dir.offered_elsewhere, dir.loop_a, dir.loop_b, dir.done, NEVER_ALLOCATED};
  unsigned tried = 0;
  for (unsigned i = 0; i < sizeof theirs / sizeof theirs[0]; ++i) {
    const uint32_t p = theirs[i];
    if (own_port_state(p) != PVABI_EVTCHN_STATE_FREE) continue; /* the same number is one of ours */
    PVTEST_EXPECT_STATUS(evtchn_port_op(PVABI_EVTCHNOP_SEND, p), PVABI_ERANGE);
    PVTEST_EXPECT_STATUS(evtchn_port_op(PVABI_EVTCHNOP_UNMASK, p), PVABI_ERANGE);
    PVTEST_EXPECT_STATUS(evtchn_port_op(PVABI_EVTCHNOP_CLOSE, p), PVABI_ERANGE);
    struct pvabi_evtchn_port_vcpu to = {p, 0};
    PVTEST_EXPECT_STATUS(pv_hypercall2(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_VCPU, (uint64_t)&to),
                         PVABI_ERANGE);
    PVTEST_EXPECT_EQ(own_port_state(p), PVABI_EVTCHN_STATE_FREE);
    ++tried;
  }
  PVTEST_CHECK(tried >= 3);
}

PVTEST(grants_not_offered_to_it_cannot_be_mapped) {
  PVTEST_EXPECT_STATUS(map(victim, dir.other_ref, PVABI_GNTMAP_READONLY, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(map(victim, dir.other_ref, 0, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(map(victim, 0, PVABI_GNTMAP_READONLY, 0), PVABI_EPERM); /* an empty entry */
  PVTEST_EXPECT_STATUS(map(victim, dir.ro_ref, 0, 0), PVABI_EPERM);            /* read-only, asked writable */
  PVTEST_EXPECT_STATUS(map(victim, PVABI_GNTTAB_ENTRIES_PER_FRAME, PVABI_GNTMAP_READONLY, 0), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(map(victim, 0xffffffffu, PVABI_GNTMAP_READONLY, 0), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(map(BAD_DOMAIN, dir.ro_ref, PVABI_GNTMAP_READONLY, 0), PVABI_ESRCH);
  PVTEST_EXPECT_STATUS(map(dir.other_dom, dir.ro_ref, PVABI_GNTMAP_READONLY, 0), PVABI_ESRCH);
  PVTEST_CHECK(slot_is_empty());
}

PVTEST(grant_copies_stay_inside_what_was_granted) {
  for (unsigned i = 0; i < 512; ++i) scratch[i] = 0;
  /* Allowed: the first word of the read-only grant, the directory's magic. */
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.ro_ref, 0), own(scratch_mfn, 0), 8)), PVABI_OK);
  PVTEST_EXPECT_EQ(scratch[0], CROSS_DOMAIN_MAGIC);
  scratch[0] = 0;
  /* Past the end of a page, on either side. */
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.ro_ref, 4000), own(scratch_mfn, 0), 200)), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.ro_ref, 0), own(scratch_mfn, 4090), 16)), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.ro_ref, 0), own(scratch_mfn, 0), 4097)), PVABI_EINVAL);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.ro_ref, 4096), own(scratch_mfn, 0), 1)), PVABI_EINVAL);
  /* Grants that are not this domain's to read or write. */
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, dir.other_ref, 0), own(scratch_mfn, 0), 8)), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, 0, 0), own(scratch_mfn, 0), 8)), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(copy(to_grant(own(scratch_mfn, 0), granted(victim, dir.ro_ref, 64), 8)), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(copy(to_grant(own(scratch_mfn, 0), granted(victim, dir.other_ref, 0), 8)), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(victim, 9999, 0), own(scratch_mfn, 0), 8)), PVABI_ERANGE);
  PVTEST_EXPECT_STATUS(copy(from_grant(granted(BAD_DOMAIN, dir.ro_ref, 0), own(scratch_mfn, 0), 8)), PVABI_ESRCH);
  /* The victim's frames named as if they were this domain's. */
  const struct pvabi_gnttab_copy steal = {own(dir.secret_mfn, 0), own(scratch_mfn, 0), 8, 0, 0};
  PVTEST_EXPECT_STATUS(copy(steal), PVABI_EPERM);
  const struct pvabi_gnttab_copy smash = {own(scratch_mfn, 0), own(dir.secret_mfn, 0), 8, 0, 0};
  PVTEST_EXPECT_STATUS(copy(smash), PVABI_EPERM);
  unsigned written = 0;
  for (unsigned i = 0; i < 512; ++i) written += scratch[i] != 0;
  PVTEST_EXPECT_EQ(written, 0);
}

PVTEST(handles_unmap_once_and_only_when_returned) {
  uint32_t handle = 0;
  PVTEST_REQUIRE_OK(map(victim, dir.ro_ref, PVABI_GNTMAP_READONLY, &handle));
  PVTEST_EXPECT_STATUS(unmap((uint64_t)scratch, handle), PVABI_EINVAL); /* not where it is mapped */
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, handle + 1), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, 12345), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, 0xffffffffu), PVABI_ENOENT);
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, handle), PVABI_OK);
  PVTEST_EXPECT_STATUS(unmap((uint64_t)slot, handle), PVABI_ENOENT);
  PVTEST_CHECK(slot_is_empty());
  PVTEST_CHECK(hostile_probe_write((uint64_t)scratch, 1) == HOSTILE_OK); /* the scratch page is untouched */
}

/* Every MMU operation that names `mfn` is refused with EPERM, and the L1
 * entry used for the attempts keeps its value. */
static void expect_frame_refused(uint64_t mfn) {
  const uint64_t entry = hostile_entry_maddr((uint64_t)scratch, 1);
  const uint64_t before = hostile_read_entry(entry);
  const uint64_t maddr = mfn << PVABI_PAGE_SHIFT;
  PVTEST_EXPECT_STATUS(hostile_uvm((uint64_t)scratch, hostile_pte(mfn, 0), PVABI_UVMF_INVLPG), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_uvm((uint64_t)scratch, hostile_pte(mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG),
                       PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_pt_write(entry, hostile_pte(mfn, 0)), PVABI_EPERM);
  PVTEST_EXPECT_EQ(hostile_read_entry(entry), before);
  PVTEST_EXPECT_STATUS(hostile_pt_write(maddr + 8, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_mmu_update(maddr | PVABI_MMU_MACHPHYS_UPDATE, 0), PVABI_EPERM);
  for (uint32_t cmd = PVABI_MMUEXT_PIN_L1_TABLE; cmd <= PVABI_MMUEXT_UNPIN_TABLE; ++cmd) {
    PVTEST_EXPECT_STATUS(hostile_mmuext(cmd, mfn, 0), PVABI_EPERM);
  }
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_NEW_BASEPTR, mfn, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_CLEAR_PAGE, mfn, 0), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_COPY_PAGE, mfn, scratch_mfn), PVABI_EPERM);
  PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_COPY_PAGE, scratch_mfn, mfn), PVABI_EPERM);
}

PVTEST(the_victims_named_frames_cannot_be_mapped) {
  const uint64_t named[] = {dir.secret_mfn, dir.directory_mfn, dir.l1_mfn, dir.root_mfn, dir.grant_table_mfn};
  for (unsigned i = 0; i < sizeof named / sizeof named[0]; ++i) {
    PVTEST_CHECK(hostile_mfn_to_pfn(named[i]) == PV_INVALID_FRAME); /* not ours, so the test means something */
    expect_frame_refused(named[i]);
  }
}

static const volatile uint64_t *const m2p = (const volatile uint64_t *)PVABI_M2P_VIRT_START;

/* A frame of this domain: in its p2m, or its shared info page. */
static int own_frame(uint64_t mfn) {
  const uint64_t pfn = m2p[mfn];
  return (pfn < pvtest_start_info()->nr_pages && pv_pfn_to_mfn(pfn) == mfn) ||
         mfn == pvtest_start_info()->shared_info_maddr >> PVABI_PAGE_SHIFT;
}

PVTEST(frames_the_m2p_shows_owned_by_others_are_refused) {
  static struct pvabi_limits limits;
  PVTEST_REQUIRE_OK(pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_LIMITS, (uint64_t)&limits));
  const uint64_t end = limits.m2p_entries < limits.max_machine_frame ? limits.m2p_entries : limits.max_machine_frame;
  unsigned foreign = 0, victims_found = 0;
  for (uint64_t mfn = 0; mfn < end; ++mfn) {
    if (m2p[mfn] == PVABI_M2P_INVALID || own_frame(mfn)) continue;
    victims_found += mfn == dir.secret_mfn || mfn == dir.directory_mfn || mfn == dir.root_mfn;
    /* Mapping is refused for every one; the whole list of operations for a sample. */
    if (foreign++ % 16 == 0) {
      expect_frame_refused(mfn);
    } else {
      PVTEST_EXPECT_STATUS(hostile_uvm((uint64_t)scratch, hostile_pte(mfn, 0), PVABI_UVMF_INVLPG), PVABI_EPERM);
      PVTEST_EXPECT_STATUS(hostile_mmuext(PVABI_MMUEXT_PIN_L1_TABLE, mfn, 0), PVABI_EPERM);
    }
  }
  pvtest_printf("%u frames owned by others refused", foreign);
  PVTEST_EXPECT_EQ(victims_found, 3);
  PVTEST_CHECK(hostile_probe_write((uint64_t)scratch, 1) == HOSTILE_OK);
}

PVTEST(attacker_reports_done) { PVTEST_EXPECT_STATUS(pv_evtchn_send(done_port), PVABI_OK); }
