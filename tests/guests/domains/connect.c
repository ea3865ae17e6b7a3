/* peer: finding the ports and grants a peer offers; pages, grants and ring links. */
#include "peer.h"

/* How far to look: past what any of these kernels allocates. */
#define SCAN_PORTS 64
#define SCAN_REFS 64

static uint64_t next_pfn;

void *peer_page(uint64_t *mfn) {
  const struct pvabi_start_info *si = pv_start_info();
  if (next_pfn == 0) next_pfn = si->first_free_pfn;
  if (next_pfn >= si->nr_pages) return 0;
  const uint64_t pfn = next_pfn++;
  uint8_t *p = pv_pfn_to_virt(pfn);
  for (uint32_t i = 0; i < PVABI_PAGE_SIZE; ++i) p[i] = 0;
  if (mfn != 0) *mfn = pv_pfn_to_mfn(pfn);
  return p;
}

void *peer_map_slot(void) {
  void *va = peer_page(0);
  if (va == 0 || pv_mmu_update_va_mapping(0, (uint64_t)va, 0, PVABI_UVMF_INVLPG) != PVABI_OK) return 0;
  return va;
}

static struct pvabi_grant_entry *grant_table;
static uint32_t next_ref = 1; /* 0 stays unused: it reads as "no grant" in requests */

struct pvabi_grant_entry *peer_grant_table(void) {
  if (grant_table != 0) return grant_table;
  uint64_t frame = 0;
  void *va = peer_map_slot();
  if (va == 0 || pv_grant_setup_table(1, &frame) != PVABI_OK) return 0;
  const uint64_t pte = (frame << PVABI_PAGE_SHIFT) | PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_USER;
  if (pv_mmu_update_va_mapping(0, (uint64_t)va, pte, PVABI_UVMF_INVLPG) != PVABI_OK) return 0;
  grant_table = va;
  return grant_table;
}

int peer_grant(uint16_t remote, uint64_t mfn, int readonly, uint32_t *ref) {
  struct pvabi_grant_entry *t = peer_grant_table();
  if (t == 0) return PVABI_ENOMEM;
  if (next_ref >= PVABI_GNTTAB_ENTRIES_PER_FRAME) return PVABI_ENOSPC;
  *ref = next_ref++;
  pv_grant_entry_set(&t[*ref], remote, (uint32_t)mfn, readonly);
  return PVABI_OK;
}

int peer_bind_offered(uint16_t remote, uint32_t first, uint64_t deadline, uint32_t *local, uint32_t *remote_port) {
  for (;;) {
    for (uint32_t p = first; p < SCAN_PORTS; ++p) {
      const int rc = pv_evtchn_bind_interdomain(remote, p, local);
      if (rc == PVABI_OK && remote_port != 0) *remote_port = p;
      if (rc != PVABI_ERANGE && rc != PVABI_EPERM) return rc;
    }
    if (pv_time_system_ns(0) >= deadline) return PVABI_EAGAIN;
    (void)pv_sched_yield();
  }
}

int peer_wait_port_state(uint32_t port, uint32_t state, uint64_t deadline) {
  for (;;) {
    struct pvabi_evtchn_status st = {PVABI_DOMID_SELF, 0, port, 0, 0, 0, 0};
    const int rc = pv_evtchn_status(&st);
    if (rc != PVABI_OK) return rc;
    if (st.state == state) return PVABI_OK;
    if (pv_time_system_ns(0) >= deadline) return PVABI_EAGAIN;
    (void)pv_sched_yield();
  }
}

int peer_map_offered(uint16_t remote, uint32_t first, uint32_t flags, void *va, uint64_t deadline,
                     struct pvabi_gnttab_map_grant_ref *op) {
  for (;;) {
    for (uint32_t ref = first; ref < SCAN_REFS; ++ref) {
      *op = (struct pvabi_gnttab_map_grant_ref){(uint64_t)va, flags, ref, remote, 0, 0, 0, 0, 0};
      const int rc = pv_grant_map(op, 1);
      if (rc == PVABI_ERANGE) break; /* past the end of the peer's table, perhaps not set up yet */
      if (rc != PVABI_EPERM) return rc;
    }
    if (pv_time_system_ns(0) >= deadline) return PVABI_EAGAIN;
    (void)pv_sched_yield();
  }
}

int peer_link_offer(struct peer_link *l, uint16_t remote, uint32_t slot_size) {
  uint64_t mfn = 0;
  l->remote = remote;
  l->events = 0;
  l->handle = 0;
  l->page = peer_page(&mfn);
  if (l->page == 0) return PVABI_ENOMEM;
  int rc = pv_ring_front_init(&l->ring, l->page, PVABI_PAGE_SIZE, slot_size);
  /* The ring first, then the port: a back end that bound the port finds the ring granted. */
  if (rc == PVABI_OK) rc = peer_grant(remote, mfn, 0, &l->ref);
  if (rc == PVABI_OK) rc = pv_evtchn_alloc_unbound(remote, &l->port);
  if (rc == PVABI_OK) rc = peer_count_events(l->port, &l->events);
  return rc;
}

int peer_link_wait_connected(struct peer_link *l, uint64_t deadline) {
  return peer_wait_port_state(l->port, PVABI_EVTCHN_STATE_INTERDOMAIN, deadline);
}

int peer_link_connect(struct peer_link *l, uint16_t remote, uint32_t slot_size, uint64_t deadline) {
  struct pvabi_gnttab_map_grant_ref op;
  l->remote = remote;
  l->events = 0;
  l->page = peer_map_slot();
  if (l->page == 0) return PVABI_ENOMEM;
  int rc = peer_bind_offered(remote, 1, deadline, &l->port, 0);
  if (rc == PVABI_OK) rc = peer_count_events(l->port, &l->events);
  if (rc == PVABI_OK) rc = peer_map_offered(remote, 1, 0, l->page, deadline, &op);
  if (rc != PVABI_OK) return rc;
  l->ref = op.ref;
  l->handle = op.handle;
  return pv_ring_back_attach(&l->ring, l->page, PVABI_PAGE_SIZE, slot_size);
}

int peer_link_unmap(struct peer_link *l) {
  struct pvabi_gnttab_unmap_grant_ref op = {(uint64_t)l->page, l->handle, 0};
  return pv_grant_unmap(&op, 1);
}

int peer_link_notify(struct peer_link *l) { return pv_evtchn_send(l->port); }
