// hv-core/core/domain.h: domains and their virtual CPUs.
//
// A domain owns machine frames, a shared info page, up to kMaxVcpus vCPUs
// and the per-domain state of each subsystem (console, events, scheduling).
// The core runs on one physical CPU at a time: a hypercall runs to
// completion (or to a preemption point) before anything else touches the
// same domain.
#ifndef HV_CORE_CORE_DOMAIN_H
#define HV_CORE_CORE_DOMAIN_H

#include "base.h"
#include "console.h"
#include "cpu.h"
#include "event_channel.h"
#include "sched.h"
#include "time.h"

namespace hv {

inline constexpr uint16_t kMaxDomains = PVABI_DOMID_SELF;  // ids 0 .. kMaxDomains - 1
inline constexpr uint32_t kMaxVcpus = PVABI_SHARED_INFO_VCPUS;
inline constexpr Mfn kNoFrame{~0ull};

struct DomainStats {
  uint64_t hypercalls = 0;
  uint64_t mmu_updates = 0;  // page-table entries written through the MMU operations
  uint64_t mmu_refusals = 0; // MMU items refused
  uint64_t events_sent = 0;
  uint64_t events_delivered = 0;
};

class Domain;

class Vcpu {
 public:
  Domain* domain = nullptr;
  uint32_t id = 0;
  bool initialised = false;
  bool up = false;
  bool in_user_mode = false;
  Mfn kernel_baseptr = kNoFrame;
  Mfn user_baseptr = kNoFrame;
  VcpuCpu cpu;
  VcpuEvents events;
  VcpuTime time;
  VcpuSched sched;

  [[nodiscard]] pvabi_vcpu_info& info();
};

struct DomainConfig {
  const char* name = "";
  uint64_t memory_frames = 0;
  uint64_t max_frames = 0;  // 0: memory_frames
  uint32_t max_vcpus = 1;
  uint32_t weight = 0;      // 0: the scheduler's default
  bool privileged = false;
};

class Domain {
 public:
  DomId id{0};
  char name[32] = {};
  bool privileged = false;
  bool dying = false;
  bool shut_down = false;
  uint32_t shutdown_reason = 0;
  uint32_t pause_count = 0;
  uint32_t vm_assist = 0;  // bit n: PVABI_VMASST type n is on
  uint64_t nr_frames = 0;  // frames owned, the shared info page included
  uint64_t max_frames = 0;
  uint32_t frame_head = 0xffffffffu;  // first frame of the owned list (frame_table.h)
  Mfn shared_info_frame = kNoFrame;
  uint32_t max_vcpus = 0;
  Vcpu* vcpus[kMaxVcpus] = {};
  Console console;
  DomainEvents events;
  DomainSched sched;
  DomainStats stats;

  [[nodiscard]] pvabi_shared_info& shared_info();
  [[nodiscard]] Vcpu* vcpu(uint32_t index) { return index < max_vcpus ? vcpus[index] : nullptr; }
  // PVABI_VMASST `type` is switched on (PVABI_HC_VM_ASSIST).
  [[nodiscard]] bool vm_assist_on(uint32_t type) const { return (vm_assist & (1u << type)) != 0; }
};

// Sets up the frame table and the domain table; false if out of memory.
bool init_core();

// Creates a domain with its memory, paused once (unpause to run it). Frames
// get pseudo-physical numbers 0.. in allocation order (the p2m of the
// builder). Returns ENOMEM, ENOSPC (no free id) or EINVAL (config).
[[nodiscard]] Result<Domain*> create_domain(const DomainConfig& config);
// Ends a domain: every subsystem lets go of it, its frames are released
// (each returns to the free pool when its last reference goes), its id is free.
void destroy_domain(Domain* d);

[[nodiscard]] Domain* domain_by_id(DomId id);
// The domain a hypercall from `caller` names: itself for PVABI_DOMID_SELF or
// its own id, another only with privilege (EPERM), ESRCH if none.
[[nodiscard]] Result<Domain*> target_domain(Domain& caller, uint16_t domid);
// Live domains, in id order: calls f(Domain&) for each.
template <typename F>
void for_each_domain(F&& f);
[[nodiscard]] uint32_t domain_count();

namespace detail {
Domain** domain_table();
}

template <typename F>
void for_each_domain(F&& f) {
  Domain** table = detail::domain_table();
  for (uint32_t i = 0; i < kMaxDomains; ++i) {
    if (table[i] != nullptr) f(*table[i]);
  }
}

}  // namespace hv

#endif  // HV_CORE_CORE_DOMAIN_H
