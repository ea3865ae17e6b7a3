#include "memory.h"

#include "domain.h"
#include "frame_table.h"
#include "grant.h"
#include "guest_access.h"

namespace hv {
namespace {

// The frames counted against the reservation: not the shared info page, nor
// the grant-table frames the hypervisor allocates for the domain.
uint64_t reserved_frames(const Domain& d) { return d.nr_frames - 1 - grant_table_frames(d); }

int64_t increase(Vcpu& v, Domain& d, const pvabi_memory_reservation& r) {
  FrameTable& ft = frame_table();
  const uint64_t used = reserved_frames(d);
  const uint64_t room = d.max_frames > used ? d.max_frames - used : 0;
  const uint64_t want = r.count < room ? r.count : room;
  uint64_t got = 0;
  for (; got < want; ++got) {
    const Result<Mfn> f = ft.allocate(d);
    if (!f.is_ok()) break;
    const pvabi_u64 number = f.value.value();
    if (const Status s = write_guest(v, Gva{r.frame_list} + got * 8, number); s != Status::kOk) {
      // Undo the whole call: nothing changed.
      ft.release(f.value);
      for (uint64_t i = 0; i < got; ++i) {
        pvabi_u64 earlier;
        HV_CHECK(read_guest(v, Gva{r.frame_list} + i * 8, &earlier) == Status::kOk);
        ft.release(Mfn{earlier});
      }
      return raw(s);
    }
  }
  return static_cast<int64_t>(got);
}

int64_t decrease(Vcpu& v, Domain& d, const pvabi_memory_reservation& r) {
  FrameTable& ft = frame_table();
  uint64_t done = 0;
  for (; done < r.count; ++done) {
    pvabi_u64 number;
    if (const Status s = read_guest(v, Gva{r.frame_list} + done * 8, &number); s != Status::kOk) {
      return done == 0 ? raw(s) : static_cast<int64_t>(done);
    }
    const Mfn f{number};
    Status s = Status::kOk;
    if (!ft.in_range(f)) {
      s = Status::kOutOfRange;
    } else if (ft.info(f).owner != d.id.value()) {
      s = Status::kNotPermitted;
    } else if (ft.info(f).ref_count != 0 || ft.info(f).type_count != 0) {
      s = Status::kBusy;
    }
    if (s != Status::kOk) return done == 0 ? raw(s) : static_cast<int64_t>(done);
    ft.release(f);
  }
  return static_cast<int64_t>(done);
}

}  // namespace

int64_t hc_memory_op(Vcpu& v, const HypercallArgs& a) {
  const uint64_t op = a.a[0];
  const Gva arg{a.a[1]};
  switch (op) {
    case PVABI_MEMOP_INCREASE_RESERVATION:
    case PVABI_MEMOP_DECREASE_RESERVATION: {
      pvabi_memory_reservation r;
      if (const Status s = read_guest(v, arg, &r); s != Status::kOk) return raw(s);
      if (r._pad0 != 0) return PVABI_EINVAL;
      if (r.count > PVABI_MEMOP_MAX_FRAMES) return PVABI_E2BIG;
      const Result<Domain*> t = target_domain(*v.domain, r.domid);
      if (!t.is_ok()) return raw(t.status);
      return op == PVABI_MEMOP_INCREASE_RESERVATION ? increase(v, *t.value, r) : decrease(v, *t.value, r);
    }
    case PVABI_MEMOP_QUERY_RESERVATION: {
      pvabi_memory_query q;
      if (const Status s = read_guest(v, arg, &q); s != Status::kOk) return raw(s);
      if (q._pad0 != 0 || q._pad1 != 0) return PVABI_EINVAL;
      const Result<Domain*> t = target_domain(*v.domain, q.domid);
      if (!t.is_ok()) return raw(t.status);
      q.current_frames = reserved_frames(*t.value);
      q.max_frames = t.value->max_frames;
      q.pseudo_physical_frames = t.value->max_frames;
      return raw(write_guest(v, arg, q));
    }
    case PVABI_MEMOP_MACHPHYS_MAPPING: {
      pvabi_machphys_mapping m{};
      m.virt_start = PVABI_M2P_VIRT_START;
      m.virt_end = PVABI_M2P_VIRT_START + frame_table().size() * 8;
      m.max_machine_frame = frame_table().size();
      return raw(write_guest(v, arg, m));
    }
    default:
      return PVABI_ENOSYS;
  }
}

}  // namespace hv
