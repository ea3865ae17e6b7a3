#include "domain.h"

#include "frame_table.h"
#include "grant.h"
#include "mmu.h"
#include "page_table.h"

namespace hv {
namespace {

Domain** g_domains = nullptr;
uint32_t g_domain_count = 0;

}  // namespace

namespace detail {
Domain** domain_table() { return g_domains; }
}  // namespace detail

pvabi_vcpu_info& Vcpu::info() {
  // Moved by PVABI_VCPUOP_REGISTER_VCPU_INFO, or still in the shared info page.
  if (pvabi_vcpu_info* moved = moved_vcpu_info(cpu)) return *moved;
  return domain->shared_info().vcpu_info[id];
}

pvabi_shared_info& Domain::shared_info() {
  static_assert(sizeof(pvabi_shared_info) == PVABI_PAGE_SIZE);
  return *reinterpret_cast<pvabi_shared_info*>(platform::frame_memory(shared_info_frame));
}

bool init_core() {
  if (g_domains != nullptr) return true;
  g_domains = static_cast<Domain**>(platform::alloc_zeroed(sizeof(Domain*) * kMaxDomains));
  if (g_domains == nullptr || !frame_table().init()) return false;
  frame_table().set_validator(page_table_validator());
  return true;
}

Domain* domain_by_id(DomId id) {
  return id.value() < kMaxDomains ? g_domains[id.value()] : nullptr;
}

uint32_t domain_count() { return g_domain_count; }

Result<Domain*> target_domain(Domain& caller, uint16_t domid) {
  if (domid == PVABI_DOMID_SELF || domid == caller.id.value()) return Result<Domain*>::ok(&caller);
  if (!caller.privileged) return Result<Domain*>::error(Status::kNotPermitted);
  Domain* d = domain_by_id(DomId{domid});
  if (d == nullptr || d->dying) return Result<Domain*>::error(Status::kNoSuchDomain);
  return Result<Domain*>::ok(d);
}

Result<Domain*> create_domain(const DomainConfig& c) {
  const uint64_t max_frames = c.max_frames == 0 ? c.memory_frames : c.max_frames;
  if (c.memory_frames == 0 || c.memory_frames > max_frames || c.max_vcpus == 0 ||
      c.max_vcpus > kMaxVcpus) {
    return Result<Domain*>::error(Status::kInvalid);
  }
  // The shared info page is one more frame than the guest's memory.
  if (c.memory_frames + 1 > frame_table().free_frames()) return Result<Domain*>::error(Status::kNoMemory);
  uint32_t id = 0;
  while (id < kMaxDomains && g_domains[id] != nullptr) ++id;
  if (id == kMaxDomains) return Result<Domain*>::error(Status::kNoSpace);

  Domain* d = create<Domain>();
  if (d == nullptr) return Result<Domain*>::error(Status::kNoMemory);
  d->id = DomId{static_cast<uint16_t>(id)};
  for (size_t i = 0; i + 1 < sizeof d->name && c.name[i] != '\0'; ++i) d->name[i] = c.name[i];
  d->privileged = c.privileged;
  d->max_frames = max_frames;
  d->max_vcpus = c.max_vcpus;
  d->pause_count = 1;
  if (c.weight != 0) d->sched.weight = c.weight;
  g_domains[id] = d;
  ++g_domain_count;

  FrameTable& ft = frame_table();
  for (uint32_t i = 0; i < c.max_vcpus; ++i) {
    Vcpu* v = create<Vcpu>();
    if (v == nullptr) {
      destroy_domain(d);
      return Result<Domain*>::error(Status::kNoMemory);
    }
    v->domain = d;
    v->id = i;
    d->vcpus[i] = v;
  }
  // The shared info page: the hypervisor holds it writable-typed for the
  // domain's life, so it can never become a page table.
  const Result<Mfn> shared = ft.allocate(*d);
  HV_CHECK(shared.is_ok());
  d->shared_info_frame = shared.value;
  HV_CHECK(ft.get_ref(*d, shared.value) == Status::kOk);
  HV_CHECK(ft.get_type(*d, shared.value, FrameType::kWritable) == Status::kOk);
  for (uint64_t pfn = 0; pfn < c.memory_frames; ++pfn) {
    const Result<Mfn> f = ft.allocate(*d);
    HV_CHECK(f.is_ok());  // counted above
    ft.set_m2p(f.value, pfn);
  }
  for (uint32_t i = 0; i < c.max_vcpus; ++i) d->vcpus[i]->info().upcall_mask = 1;
  time_domain_created(*d);
  sched_domain_created(*d);
  return Result<Domain*>::ok(d);
}

void destroy_domain(Domain* d) {
  HV_CHECK(d != nullptr && g_domains[d->id.value()] == d);
  d->dying = true;
  sched_domain_destroyed(*d);
  event_channel_teardown(*d);
  grant_teardown(*d);
  FrameTable& ft = frame_table();
  for (uint32_t i = 0; i < d->max_vcpus; ++i) {
    if (d->vcpus[i] != nullptr) clear_baseptrs(*d->vcpus[i]);
  }
  // Partial validations hold references only on validated tables below them,
  // and nothing validated refers to a partial table: drop them first.
  for (uint32_t f = ft.first_owned(*d); f != kNoFrameIndex; f = ft.next_owned(f)) {
    if ((ft.info(Mfn{f}).flags & kFramePartial) != 0) ft.abandon_partial(*d, Mfn{f});
  }
  // Unpin everything: the tables devalidate and drop what their entries held.
  for (uint32_t f = ft.first_owned(*d); f != kNoFrameIndex; f = ft.next_owned(f)) {
    FrameInfo& fi = ft.info(Mfn{f});
    if ((fi.flags & kFramePinned) != 0) {
      fi.flags &= static_cast<uint8_t>(~kFramePinned);
      ft.put_type(*d, Mfn{f});
      ft.put_ref(Mfn{f});
    }
  }
  if (d->shared_info_frame != kNoFrame) {
    ft.put_type(*d, d->shared_info_frame);
    ft.put_ref(d->shared_info_frame);
  }
  while (d->frame_head != kNoFrameIndex) ft.release(Mfn{d->frame_head});
  for (uint32_t i = 0; i < d->max_vcpus; ++i) {
    if (d->vcpus[i] == nullptr) continue;
    cpu_vcpu_teardown(*d->vcpus[i]);
    destroy(d->vcpus[i]);
  }
  g_domains[d->id.value()] = nullptr;
  --g_domain_count;
  destroy(d);
}

}  // namespace hv
