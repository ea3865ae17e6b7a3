#include "grant.h"

#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "invariants.h"
#include "page_table.h"
#include "version.h"

namespace hv {
namespace {

constexpr uint32_t kEntriesPerFrame = PVABI_GNTTAB_ENTRIES_PER_FRAME;
constexpr uint32_t kNoHandle = ~0u;
constexpr uint32_t kFirstMaptrackSize = 32;
// A granter rewriting its entry under us: give up after this many tries.
constexpr unsigned kMaxEntryRaces = 16;

// Flags and domid are one 32-bit word, so a single compare-and-swap checks
// both while it sets READING/WRITING.
static_assert(offsetof(pvabi_grant_entry, flags) == 0 && offsetof(pvabi_grant_entry, domid) == 2);
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "flags are the low half of the word");

// What the core knows of one reference beside the guest's entry.
struct ActiveGrant {
  uint32_t maps;           // mappings and copies in progress
  uint32_t writable_maps;  // the writable ones
};

struct Maptrack {
  uint64_t host_addr;
  Mfn frame;
  Mfn l1_table;
  uint32_t ref;
  uint16_t slot;
  uint16_t granter;
  bool in_use;
  bool readonly;
  bool granter_gone;  // the granter was torn down: its table is no more
};

struct GrantState {
  Mfn frames[kMaxGrantFrames];
  uint32_t nr_frames;
  ActiveGrant* active;  // one per reference of the table
  uint32_t active_size;
  Maptrack* maptrack;
  uint32_t maptrack_size;
};

GrantState** g_states = nullptr;  // by domain id, created on first use

// ---- Per-domain state ----

GrantState* find_state(const Domain& d) { return g_states == nullptr ? nullptr : g_states[d.id.value()]; }

GrantState* get_state(const Domain& d) {
  if (g_states == nullptr) {
    g_states = static_cast<GrantState**>(platform::alloc_zeroed(sizeof(GrantState*) * kMaxDomains));
    if (g_states == nullptr) return nullptr;
  }
  GrantState*& s = g_states[d.id.value()];
  if (s == nullptr) s = create<GrantState>();
  return s;
}

template <typename T>
bool grow_array(T*& array, uint32_t& size, uint32_t wanted) {
  static_assert(__is_trivially_copyable(T));
  if (wanted <= size) return true;
  T* bigger = create_array<T>(wanted);
  if (bigger == nullptr) return false;
  if (size > 0) copy_bytes(bigger, array, sizeof(T) * size);
  destroy_array(array, size);
  array = bigger;
  size = wanted;
  return true;
}

uint32_t table_entries_count(const GrantState* gs) { return gs == nullptr ? 0 : gs->nr_frames * kEntriesPerFrame; }

// ---- The guest's entries ----

pvabi_grant_entry* grant_entry(const GrantState& gs, uint32_t ref) {
  auto* first = reinterpret_cast<pvabi_grant_entry*>(platform::frame_memory(gs.frames[ref / kEntriesPerFrame]));
  return first + ref % kEntriesPerFrame;
}

Status check_permits(uint32_t flags_and_domid, DomId user, bool write) {
  const uint32_t flags = flags_and_domid & 0xffff;
  const uint32_t domid = flags_and_domid >> 16;
  if ((flags & PVABI_GTF_PERMIT_ACCESS) == 0 || domid != user.value()) return Status::kNotPermitted;
  return write && (flags & PVABI_GTF_READONLY) != 0 ? Status::kNotPermitted : Status::kOk;
}

// Marks `ref` in use by `user` if its entry permits that (EPERM otherwise),
// and reads the frame once the flags protect it.
Result<Mfn> acquire_grant(GrantState& gs, uint32_t ref, DomId user, bool write) {
  pvabi_grant_entry* e = grant_entry(gs, ref);
  auto* word = reinterpret_cast<uint32_t*>(e);
  const uint32_t in_use = PVABI_GTF_READING | (write ? PVABI_GTF_WRITING : 0);
  uint32_t seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);
  for (unsigned tries = 0;; ++tries) {
    if (const Status s = check_permits(seen, user, write); s != Status::kOk) return Result<Mfn>::error(s);
    if (tries == kMaxEntryRaces) return Result<Mfn>::error(Status::kNotPermitted);
    if (__atomic_compare_exchange_n(word, &seen, seen | in_use, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  ActiveGrant& a = gs.active[ref];
  ++a.maps;
  if (write) ++a.writable_maps;
  return Result<Mfn>::ok(Mfn{__atomic_load_n(&e->frame, __ATOMIC_ACQUIRE)});
}

// Undoes one acquire_grant: the flags go when their last user does.
void release_grant(GrantState& gs, uint32_t ref, bool write) {
  ActiveGrant& a = gs.active[ref];
  HV_CHECK(a.maps > 0 && (!write || a.writable_maps > 0));
  --a.maps;
  if (write) --a.writable_maps;
  const uint16_t done = static_cast<uint16_t>((a.maps == 0 ? PVABI_GTF_READING : 0) |
                                              (a.writable_maps == 0 ? PVABI_GTF_WRITING : 0));
  if (done != 0) __atomic_fetch_and(&grant_entry(gs, ref)->flags, static_cast<uint16_t>(~done), __ATOMIC_RELEASE);
}

// The domain whose grant `dom` names: another live one.
Result<Domain*> granter_of(const Domain& caller, uint16_t dom) {
  if (dom == PVABI_DOMID_SELF || dom == caller.id.value()) return Result<Domain*>::error(Status::kNotPermitted);
  Domain* g = domain_by_id(DomId{dom});
  if (g == nullptr || g->dying) return Result<Domain*>::error(Status::kNoSuchDomain);
  return Result<Domain*>::ok(g);
}

// A granted frame must still be the granter's.
bool owned_by(const Domain& d, Mfn f) { return frame_table().in_range(f) && frame_table().info(f).owner == d.id.value(); }

// A frame that may be written whole: not a table of any kind.
bool plain_frame(Mfn f) {
  const FrameType t = frame_table().info(f).type;
  return t == FrameType::kNone || t == FrameType::kWritable;
}

// ---- Guest memory ----

// Every page of [va, va + len) is mapped writable: a later write cannot fault.
Status probe_writable(Vcpu& v, Gva va, uint64_t len) {
  if (len == 0) return Status::kOk;
  const uint64_t first = va.value() & ~uint64_t{PVABI_PAGE_SIZE - 1};
  const uint64_t last = va.value() + (len - 1);
  if (last < va.value()) return Status::kFault;
  for (uint64_t page = first; page <= last && page >= first; page += PVABI_PAGE_SIZE) {
    if (const Result<Maddr> m = translate(v, Gva{page}, true); !m.is_ok()) return m.status;
  }
  return Status::kOk;
}

// ---- Maptrack ----

bool mapping_live(const Maptrack& m) {
  const FrameInfo& t = frame_table().info(m.l1_table);
  if (t.type != FrameType::kL1 || t.type_count == 0 || (t.flags & kFrameValidated) == 0) return false;
  const Pte e{load_entry(&table_entries(m.l1_table)[m.slot])};
  return e.present() && e.frame() == m.frame;
}

// A free handle, growing the table if needed; kNoHandle when full.
uint32_t free_handle(GrantState& gs) {
  for (uint32_t h = 0; h < gs.maptrack_size; ++h) {
    if (!gs.maptrack[h].in_use) return h;
  }
  const uint32_t old = gs.maptrack_size;
  const uint32_t wanted = old == 0 ? kFirstMaptrackSize : (old * 2 < kMaxGrantMappings ? old * 2 : kMaxGrantMappings);
  return wanted > old && grow_array(gs.maptrack, gs.maptrack_size, wanted) ? old : kNoHandle;
}

// The mapping of `frame` whose L1 entry just went away.
uint32_t dropped_handle(const GrantState& gs, Mfn frame) {
  for (uint32_t h = 0; h < gs.maptrack_size; ++h) {
    const Maptrack& m = gs.maptrack[h];
    if (m.in_use && m.frame == frame && !mapping_live(m)) return h;
  }
  return kNoHandle;
}

void release_mapping(Maptrack& m) {
  if (!m.granter_gone) {
    const Domain* granter = domain_by_id(DomId{m.granter});
    HV_CHECK(granter != nullptr);  // grant_teardown marks mappings it leaves behind
    GrantState* gs = find_state(*granter);
    HV_CHECK(gs != nullptr && m.ref < table_entries_count(gs));
    release_grant(*gs, m.ref, !m.readonly);
  }
  m.in_use = false;
}

// ---- The operations ----

Status grow_table(Domain& d, GrantState& gs, uint32_t nr_frames) {
  if (nr_frames <= gs.nr_frames) return Status::kOk;
  if (!grow_array(gs.active, gs.active_size, nr_frames * kEntriesPerFrame)) return Status::kNoMemory;
  FrameTable& ft = frame_table();
  Mfn fresh[kMaxGrantFrames];
  const uint32_t wanted = nr_frames - gs.nr_frames;
  for (uint32_t i = 0; i < wanted; ++i) {
    const Result<Mfn> f = ft.allocate(d);
    if (!f.is_ok()) {
      for (uint32_t j = 0; j < i; ++j) ft.release(fresh[j]);
      return Status::kNoMemory;
    }
    fresh[i] = f.value;
  }
  for (uint32_t i = 0; i < wanted; ++i) {
    HV_CHECK(ft.get_ref(d, fresh[i]) == Status::kOk);
    HV_CHECK(ft.get_type(d, fresh[i], FrameType::kWritable) == Status::kOk);
    gs.frames[gs.nr_frames++] = fresh[i];
  }
  return Status::kOk;
}

Status setup_table(Vcpu& v, pvabi_gnttab_setup_table& op) {
  if (op.nr_frames > kMaxGrantFrames) return Status::kTooBig;
  const Gva list{op.frame_list};
  if (const Status s = probe_writable(v, list, uint64_t{op.nr_frames} * 8); s != Status::kOk) return s;
  GrantState* gs = get_state(*v.domain);
  if (gs == nullptr) return Status::kNoMemory;
  if (const Status s = grow_table(*v.domain, *gs, op.nr_frames); s != Status::kOk) return s;
  for (uint32_t i = 0; i < op.nr_frames; ++i) {
    HV_CHECK(write_guest(v, list + i * 8, pvabi_u64{gs->frames[i].value()}) == Status::kOk);  // probed
  }
  return Status::kOk;
}

Status map_grant(Vcpu& v, pvabi_gnttab_map_grant_ref& op) {
  Domain& d = *v.domain;
  const Gva va{op.host_addr};
  if (op._pad0 != 0 || op._pad1 != 0 || (op.flags & ~PVABI_GNTMAP_READONLY) != 0 || va.page_offset() != 0 ||
      !va.canonical() || pvabi::in_reserved_range(va)) {
    return Status::kInvalid;
  }
  const Result<Domain*> granter = granter_of(d, op.dom);
  if (!granter.is_ok()) return granter.status;
  GrantState* theirs = find_state(*granter.value);
  if (op.ref >= table_entries_count(theirs)) return Status::kOutOfRange;
  const Result<L1Slot> slot = find_l1_slot(v, va);
  if (!slot.is_ok() || load_entry(&table_entries(slot.value.table)[slot.value.slot]) != 0) return Status::kInvalid;
  GrantState* mine = get_state(d);
  const uint32_t handle = mine == nullptr ? kNoHandle : free_handle(*mine);
  if (handle == kNoHandle) return Status::kNoSpace;

  const bool write = (op.flags & PVABI_GNTMAP_READONLY) == 0;
  const Result<Mfn> frame = acquire_grant(*theirs, op.ref, d.id, write);
  if (!frame.is_ok()) return frame.status;
  Status s = owned_by(*granter.value, frame.value) ? Status::kOk : Status::kNotPermitted;
  if (s == Status::kOk) {
    const uint64_t pte = Pte::map(frame.value, write ? PVABI_PTE_WRITABLE : 0).raw();
    s = install_foreign_entry(d, slot.value.table, slot.value.slot, pte, *granter.value);
  }
  if (s != Status::kOk) {
    release_grant(*theirs, op.ref, write);
    return s;
  }
  mine->maptrack[handle] = Maptrack{op.host_addr, frame.value, slot.value.table, op.ref,
                                    static_cast<uint16_t>(slot.value.slot), granter.value->id.value(),
                                    true, !write, false};
  op.handle = handle;
  op.frame = frame.value.value();
  return Status::kOk;
}

Status unmap_grant(Vcpu& v, const pvabi_gnttab_unmap_grant_ref& op) {
  Domain& d = *v.domain;
  GrantState* gs = find_state(d);
  if (gs == nullptr || op.handle >= gs->maptrack_size || !gs->maptrack[op.handle].in_use) return Status::kNoEntry;
  const Maptrack& m = gs->maptrack[op.handle];
  if (m.host_addr != op.host_addr) return Status::kInvalid;
  const Result<L1Slot> slot = find_l1_slot(v, Gva{op.host_addr});
  if (!slot.is_ok() || slot.value.table != m.l1_table || slot.value.slot != m.slot) return Status::kInvalid;
  // Only an unmap or a devalidation (which ends the handle) can change it.
  HV_CHECK(mapping_live(m));
  clear_entry(d, m.l1_table, 1, m.slot);  // grant_mapping_dropped ends the handle
  return Status::kOk;
}

Status query_size(Vcpu& v, pvabi_gnttab_query_size& op) {
  if (op._pad0 != 0) return Status::kInvalid;
  const Result<Domain*> t = target_domain(*v.domain, op.dom);
  if (!t.is_ok()) return t.status;
  op.nr_frames = grant_table_frames(*t.value);
  op.max_nr_frames = kMaxGrantFrames;
  return Status::kOk;
}

// One side of a copy: a frame, held through a grant or owned by the caller.
struct CopySide {
  Mfn frame;
  GrantState* granter = nullptr;  // set while a grant is held
  uint32_t ref = 0;
  bool write = false;
};

void close_side(CopySide& side) {
  if (side.granter != nullptr) release_grant(*side.granter, side.ref, side.write);
  side.granter = nullptr;
}

Status open_side(Domain& caller, const pvabi_gnttab_copy_ptr& p, bool is_grant, bool write, CopySide& side) {
  side.write = write;
  if (!is_grant) {
    side.frame = Mfn{p.frame};
    if (!frame_table().in_range(side.frame)) return Status::kOutOfRange;
    if (!owned_by(caller, side.frame)) return Status::kNotPermitted;
    return !write || plain_frame(side.frame) ? Status::kOk : Status::kBusy;
  }
  const Result<Domain*> granter = granter_of(caller, p.dom);
  if (!granter.is_ok()) return granter.status;
  GrantState* gs = find_state(*granter.value);
  if (p.ref >= table_entries_count(gs)) return Status::kOutOfRange;
  const Result<Mfn> frame = acquire_grant(*gs, p.ref, caller.id, write);
  if (!frame.is_ok()) return frame.status;
  side = CopySide{frame.value, gs, p.ref, write};
  if (!owned_by(*granter.value, side.frame)) {
    close_side(side);
    return Status::kNotPermitted;
  }
  if (write && !plain_frame(side.frame)) {
    close_side(side);
    return Status::kBusy;
  }
  return Status::kOk;
}

Status copy_item(Vcpu& v, pvabi_gnttab_copy& op) {
  if ((feature_word(0) & PVABI_FEATURE0_GRANT_COPY) == 0) return Status::kNotSupported;
  return grant_copy(*v.domain, op);
}

// Runs `perform(Vcpu&, Op&) -> Status` on each of `count` items at `list`,
// storing each status in its item.
template <typename Op, typename Perform>
int64_t run_items(Vcpu& v, Gva list, uint64_t count, Perform perform) {
  if (count > PVABI_GNTTAB_BATCH_MAX) return PVABI_E2BIG;
  for (uint64_t i = 0; i < count; ++i) {
    const Gva at = list + i * sizeof(Op);
    Op op;
    // Probed first, so an item is performed only if its status can be
    // stored, unless performing it unmapped the list (an UNMAP of the page
    // holding it): then EFAULT tells the guest.
    if (const Status s = probe_writable(v, at, sizeof op); s != Status::kOk) return raw(s);
    if (const Status s = read_guest(v, at, &op); s != Status::kOk) return raw(s);
    op.status = static_cast<int32_t>(perform(v, op));
    if (const Status s = write_guest(v, at, op); s != Status::kOk) return raw(s);
  }
  return PVABI_OK;
}

}  // namespace

int64_t hc_grant_table_op(Vcpu& v, const HypercallArgs& a) {
  const Gva list{a.a[1]};
  const uint64_t count = a.a[2];
  switch (a.a[0]) {
    case PVABI_GNTTABOP_SETUP_TABLE: return run_items<pvabi_gnttab_setup_table>(v, list, count, setup_table);
    case PVABI_GNTTABOP_MAP_GRANT_REF: return run_items<pvabi_gnttab_map_grant_ref>(v, list, count, map_grant);
    case PVABI_GNTTABOP_UNMAP_GRANT_REF: return run_items<pvabi_gnttab_unmap_grant_ref>(v, list, count, unmap_grant);
    case PVABI_GNTTABOP_COPY: return run_items<pvabi_gnttab_copy>(v, list, count, copy_item);
    case PVABI_GNTTABOP_QUERY_SIZE: return run_items<pvabi_gnttab_query_size>(v, list, count, query_size);
    default: return PVABI_ENOSYS;
  }
}

Status grant_copy(Domain& caller, const pvabi_gnttab_copy& op) {
  if ((op.flags & ~(PVABI_GNTCOPY_SOURCE_GREF | PVABI_GNTCOPY_DEST_GREF)) != 0 ||
      uint32_t{op.source.offset} + op.len > PVABI_PAGE_SIZE || uint32_t{op.dest.offset} + op.len > PVABI_PAGE_SIZE) {
    return Status::kInvalid;
  }
  CopySide src, dst;
  Status s = open_side(caller, op.source, (op.flags & PVABI_GNTCOPY_SOURCE_GREF) != 0, false, src);
  if (s != Status::kOk) return s;
  s = open_side(caller, op.dest, (op.flags & PVABI_GNTCOPY_DEST_GREF) != 0, true, dst);
  // memcpy only: overlapping bytes of one frame are refused.
  const bool overlap = src.frame == dst.frame && op.source.offset < op.dest.offset + op.len &&
                       op.dest.offset < op.source.offset + op.len;
  if (s == Status::kOk && overlap) s = Status::kInvalid;
  if (s == Status::kOk) {
    copy_bytes(platform::frame_memory(dst.frame) + op.dest.offset,
               platform::frame_memory(src.frame) + op.source.offset, op.len);
  }
  close_side(dst);
  close_side(src);
  return s;
}

void grant_mapping_dropped(Domain& mapper, Mfn frame) {
  GrantState* gs = find_state(mapper);
  HV_CHECK(gs != nullptr);
  const uint32_t h = dropped_handle(*gs, frame);
  HV_CHECK(h != kNoHandle);
  // The mapper may still reach the frame through its TLBs until this flush;
  // only then may the granter see it unused (pvabi/grant.h, UNMAP).
  platform::flush_tlb_domain(mapper.id);
  release_mapping(gs->maptrack[h]);
}

bool grant_allows_mapping(const Domain& mapper, Mfn frame) {
  const GrantState* gs = find_state(mapper);
  if (gs == nullptr) return false;
  for (uint32_t h = 0; h < gs->maptrack_size; ++h) {
    if (gs->maptrack[h].in_use && gs->maptrack[h].frame == frame) return true;
  }
  return false;
}

uint32_t grant_table_frames(const Domain& d) {
  const GrantState* gs = find_state(d);
  return gs == nullptr ? 0 : gs->nr_frames;
}

void grants_report_held_references(Domain& d, HeldReferenceVisitor visit, void* context) {
  const GrantState* gs = find_state(d);
  if (gs == nullptr) return;
  for (uint32_t i = 0; i < gs->nr_frames; ++i) visit(context, HeldReference{gs->frames[i], FrameType::kWritable});
}

void grant_teardown(Domain& d) {
  GrantState* gs = find_state(d);
  if (gs == nullptr) return;
  for (uint32_t h = 0; h < gs->maptrack_size; ++h) {
    const Maptrack& m = gs->maptrack[h];
    if (!m.in_use) continue;
    HV_CHECK(mapping_live(m));
    clear_entry(d, m.l1_table, 1, m.slot);  // ends the handle
  }
  for_each_domain([&d](Domain& other) {
    GrantState* o = find_state(other);
    if (o == nullptr || &other == &d) return;
    for (uint32_t h = 0; h < o->maptrack_size; ++h) {
      Maptrack& m = o->maptrack[h];
      if (m.in_use && m.granter == d.id.value()) m.granter_gone = true;
    }
  });
  FrameTable& ft = frame_table();
  for (uint32_t i = 0; i < gs->nr_frames; ++i) {
    ft.put_type(d, gs->frames[i]);
    ft.put_ref(gs->frames[i]);
  }
  destroy_array(gs->active, gs->active_size);
  destroy_array(gs->maptrack, gs->maptrack_size);
  destroy(gs);
  g_states[d.id.value()] = nullptr;
}

}  // namespace hv
