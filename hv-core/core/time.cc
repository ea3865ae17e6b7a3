#include "time.h"

#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"

namespace hv {
namespace {

constexpr uint64_t kNsPerSec = 1000000000ull;
constexpr uint64_t kDefaultWallclockSec = 1704067200ull;  // 2024-01-01T00:00:00Z

uint64_t g_wall_sec = kDefaultWallclockSec;
uint32_t g_wall_nsec = 0;
pvabi::TscScale g_scale{};
bool g_scale_ready = false;

const pvabi::TscScale& tsc_scale() {
  if (!g_scale_ready) {
    g_scale = pvabi::tsc_scale_for(platform::tsc_hz());
    g_scale_ready = true;
  }
  return g_scale;
}

// One scaling from TSC 0 for every reading: guests extrapolate with the
// same floor-rounded scale, which never gets ahead of it, so each new
// publication is at or past what a guest could have computed before.
uint64_t hypervisor_time_at(uint64_t tsc) {
  const pvabi::TscScale& s = tsc_scale();
  return pvabi::scale_tsc_delta(tsc, s.mul, s.shift);
}

uint64_t domain_boot_ns(const Domain& d) { return d.vcpus[0]->time.boot_ns; }

void write_wallclock(Domain& d) {
  pvabi_wallclock& wc = d.shared_info().wallclock;
  const uint64_t ns = g_wall_nsec + domain_boot_ns(d);
  seqlock_write(&wc.version, [&] {
    wc.sec = g_wall_sec + ns / kNsPerSec;
    wc.nsec = static_cast<uint32_t>(ns % kNsPerSec);
  });
}

void drop(Gva& area) { area = Gva{0}; }

// Copies `master` (its version even) to the guest's registered copy under
// the same seqlock protocol; a fault ends the registration.
template <typename T>
void publish(Vcpu& v, Gva& area, const T& master) {
  if (area.value() == 0) return;
  T copy = master;
  copy.version = master.version - 1;  // odd: being written
  if (write_guest(v, area, copy.version) != Status::kOk) return drop(area);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  if (copy_to_guest(v, area, &copy, sizeof copy) != Status::kOk) return drop(area);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  if (write_guest(v, area, master.version) != Status::kOk) drop(area);
}

[[nodiscard]] Status check_area(Vcpu& v, uint64_t gva, size_t size) {
  if ((gva & 7) != 0 || (gva & (PVABI_PAGE_SIZE - 1)) + size > PVABI_PAGE_SIZE) return Status::kInvalid;
  const Result<Maddr> m = translate(v, Gva{gva}, true);
  if (!m.is_ok()) return m.status;
  // A frame another domain granted is not the domain's own page.
  if (frame_table().info(m.value.frame()).owner != v.domain->id.value()) return Status::kInvalid;
  return Status::kOk;
}

template <typename T>
[[nodiscard]] Status register_area(Vcpu& v, Gva& area, uint64_t gva, const T& master) {
  if (gva != 0) {
    if (const Status s = check_area(v, gva, sizeof(T)); s != Status::kOk) return s;
  }
  area = Gva{gva};
  publish(v, area, master);
  return Status::kOk;
}

}  // namespace

uint64_t hypervisor_time_ns() { return hypervisor_time_at(platform::read_tsc()); }

uint64_t system_time_ns(const Vcpu& v) { return hypervisor_time_ns() - v.time.boot_ns; }

uint64_t to_hypervisor_time(const Vcpu& v, uint64_t system_ns) {
  const uint64_t boot = v.time.boot_ns;
  return system_ns > ~uint64_t{0} - boot ? ~uint64_t{0} : system_ns + boot;
}

void set_wallclock_base(uint64_t sec, uint32_t nsec) {
  HV_CHECK(nsec < kNsPerSec);
  g_wall_sec = sec;
  g_wall_nsec = nsec;
  for_each_domain([](Domain& d) { write_wallclock(d); });
}

void time_domain_created(Domain& d) {
  const uint64_t boot = hypervisor_time_ns();
  for (uint32_t i = 0; i < d.max_vcpus; ++i) {
    Vcpu& v = *d.vcpus[i];
    v.time.boot_ns = boot;
    pvabi_runstate_info& rs = v.time.runstate;
    seqlock_write(&rs.version, [&] {
      rs.state = PVABI_RUNSTATE_OFFLINE;
      rs.state_entry_time = 0;
      for (pvabi_u64& t : rs.time) t = 0;
    });
    update_vcpu_time(v);
  }
  write_wallclock(d);
}

void update_vcpu_time(Vcpu& v) {
  pvabi_vcpu_time_info& t = v.info().time;
  const uint64_t tsc = platform::read_tsc();
  const pvabi::TscScale& s = tsc_scale();
  seqlock_write(&t.version, [&] {
    t.tsc_timestamp = tsc;
    t.system_time = hypervisor_time_at(tsc) - v.time.boot_ns;
    t.tsc_to_system_mul = s.mul;
    t.tsc_shift = s.shift;
    t.flags = PVABI_TIME_TSC_STABLE;
  });
  publish(v, v.time.time_area, t);
}

void runstate_change(Vcpu& v, uint32_t state) {
  HV_CHECK(state <= PVABI_RUNSTATE_OFFLINE);
  pvabi_runstate_info& rs = v.time.runstate;
  if (rs.state == state) return;
  const uint64_t now = system_time_ns(v);
  seqlock_write(&rs.version, [&] {
    rs.time[rs.state] += now - rs.state_entry_time;
    rs.state = state;
    rs.state_entry_time = now;
  });
  publish(v, v.time.runstate_area, rs);
}

void fill_runstate(const Vcpu& v, pvabi_runstate_info* out) { *out = v.time.runstate; }

uint64_t vcpu_running_ns(const Vcpu& v) {
  const pvabi_runstate_info& rs = v.time.runstate;
  const uint64_t stint = rs.state == PVABI_RUNSTATE_RUNNING ? system_time_ns(v) - rs.state_entry_time : 0;
  return rs.time[PVABI_RUNSTATE_RUNNING] + stint;
}

Status register_runstate_area(Vcpu& v, uint64_t gva) {
  return register_area(v, v.time.runstate_area, gva, v.time.runstate);
}

Status register_time_area(Vcpu& v, uint64_t gva) {
  return register_area(v, v.time.time_area, gva, v.info().time);
}

}  // namespace hv
