// Google Benchmark over hv-core's hot paths on the host platform: the real
// core, driven through the hypercall entry as a guest would drive it.
// Figures are host nanoseconds; compare rows within one run (batch 512 vs
// batch 1, fast path vs revalidation), not against other machines.
#include <benchmark/benchmark.h>

#include <vector>

#include "hv-core/core/domain.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/guest_access.h"
#include "hv-core/core/hypercall.h"
#include "hv-core/core/sched.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "pvabi/pvabi.hpp"

namespace {

using hv::host::TestGuest;

void init_once() {
  static bool ready = [] {
    hv::host::init_machine(hv::host::MachineConfig{1 << 16, 16, false});
    return true;
  }();
  (void)ready;
}

// A guest with `n` spare pages mapped writable; the bench remaps their L1
// entries back and forth between two frames.
struct MmuBench {
  explicit MmuBench(uint64_t frames) : g("bench", hv::host::TestGuestConfig{frames, 1, false}) {}
  pvabi::Maddr l1_entry(uint64_t pfn) {
    const auto s = hv::find_l1_slot(g.vcpu(), g.va_of(pfn));
    return s.value.table.address() + s.value.slot * 8;
  }
  TestGuest g;
};

void BM_NullHypercall(benchmark::State& state) {
  init_once();
  TestGuest g("bench");
  for (auto _ : state) benchmark::DoNotOptimize(g.call(PVABI_HC_VERSION, PVABI_VERSION_OP_GET));
}
BENCHMARK(BM_NullHypercall);

// mmu_update batches that flip entries between read-only and writable
// mappings of the same frame: every item changes the writable bit, so every
// item revalidates (takes and drops a writable-type reference).
void BM_MmuUpdateBatch(benchmark::State& state) {
  init_once();
  const int64_t batch = state.range(0);
  MmuBench b(static_cast<uint64_t>(batch) + 64);
  std::vector<uint64_t> pfns;
  for (int64_t i = 0; i < batch; ++i) pfns.push_back(b.g.take_pfn());
  std::vector<pvabi_mmu_update> ro, rw;
  for (uint64_t pfn : pfns) {
    ro.push_back(pvabi::pt_update(b.l1_entry(pfn), pvabi::Pte::map(b.g.mfn(pfn), 0)));
    rw.push_back(pvabi::pt_update(b.l1_entry(pfn), pvabi::Pte::map(b.g.mfn(pfn), PVABI_PTE_WRITABLE)));
  }
  const hv::Gva ro_list = b.g.alloc(sizeof(pvabi_mmu_update) * batch);
  const hv::Gva rw_list = b.g.alloc(sizeof(pvabi_mmu_update) * batch);
  (void)hv::copy_to_guest(b.g.vcpu(), ro_list, ro.data(), sizeof(pvabi_mmu_update) * batch);
  (void)hv::copy_to_guest(b.g.vcpu(), rw_list, rw.data(), sizeof(pvabi_mmu_update) * batch);
  bool flip = false;
  for (auto _ : state) {
    const hv::Gva list = flip ? rw_list : ro_list;
    flip = !flip;
    if (b.g.call(PVABI_HC_MMU_UPDATE, list.value(), batch, 0, PVABI_DOMID_SELF) != PVABI_OK) {
      state.SkipWithError("mmu_update refused");
      break;
    }
  }
  state.counters["ns_per_entry"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MmuUpdateBatch)->Arg(1)->Arg(8)->Arg(64)->Arg(512);

// Accessed/dirty-only changes take the fast path (no revalidation).
void BM_MmuUpdateFastPath(benchmark::State& state) {
  init_once();
  MmuBench b(600);
  std::vector<pvabi_mmu_update> a, d;
  for (int i = 0; i < 512; ++i) {
    const uint64_t pfn = b.g.take_pfn();
    const pvabi::Pte base = pvabi::Pte::map(b.g.mfn(pfn), PVABI_PTE_WRITABLE | PVABI_PTE_USER);
    a.push_back(pvabi::pt_update(b.l1_entry(pfn), pvabi::Pte{base.raw() | PVABI_PTE_ACCESSED}));
    d.push_back(pvabi::pt_update(b.l1_entry(pfn), pvabi::Pte{base.raw() | PVABI_PTE_DIRTY}));
  }
  const hv::Gva la = b.g.alloc(sizeof(pvabi_mmu_update) * 512), ld = b.g.alloc(sizeof(pvabi_mmu_update) * 512);
  (void)hv::copy_to_guest(b.g.vcpu(), la, a.data(), sizeof(pvabi_mmu_update) * 512);
  (void)hv::copy_to_guest(b.g.vcpu(), ld, d.data(), sizeof(pvabi_mmu_update) * 512);
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    benchmark::DoNotOptimize(b.g.call(PVABI_HC_MMU_UPDATE, (flip ? la : ld).value(), 512, 0, PVABI_DOMID_SELF));
  }
  state.counters["ns_per_entry"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 512), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MmuUpdateFastPath);

// Validation of a full L1 table: pin (512 entries checked, references
// taken) and unpin (references dropped).
void BM_ValidateFullL1(benchmark::State& state) {
  init_once();
  MmuBench b(600);
  std::vector<uint64_t> data;
  for (int i = 0; i < 64; ++i) data.push_back(b.g.take_pfn());
  const pvabi::Mfn table = b.g.make_table_frame([&](uint64_t* e) {
    for (int i = 0; i < 512; ++i) e[i] = pvabi::Pte::map(b.g.mfn(data[i % 64]), 0).raw();
  });
  const hv::Gva pin = b.g.put(pvabi::pin_table(1, table));
  const hv::Gva unpin = b.g.put(pvabi::unpin_table(table));
  for (auto _ : state) {
    benchmark::DoNotOptimize(b.g.call(PVABI_HC_MMUEXT_OP, pin.value(), 1, 0, PVABI_DOMID_SELF));
    benchmark::DoNotOptimize(b.g.call(PVABI_HC_MMUEXT_OP, unpin.value(), 1, 0, PVABI_DOMID_SELF));
  }
  state.counters["entries_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 512), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValidateFullL1);

void BM_UpdateVaMapping(benchmark::State& state) {
  init_once();
  MmuBench b(300);
  const uint64_t pfn = b.g.take_pfn();
  const uint64_t ro = pvabi::Pte::map(b.g.mfn(pfn), 0).raw();
  const uint64_t rw = pvabi::Pte::map(b.g.mfn(pfn), PVABI_PTE_WRITABLE).raw();
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    benchmark::DoNotOptimize(b.g.call(PVABI_HC_UPDATE_VA_MAPPING, b.g.va_of(pfn).value(), flip ? ro : rw, PVABI_UVMF_INVLPG));
  }
}
BENCHMARK(BM_UpdateVaMapping);

// The guest's time read: seqlock plus scaled multiply (pvabi/time.hpp).
void BM_TimeRead(benchmark::State& state) {
  pvabi_vcpu_time_info t{};
  const pvabi::TscScale s = pvabi::tsc_scale_for(2400000000ull);
  t.tsc_to_system_mul = s.mul;
  t.tsc_shift = s.shift;
  t.version = 2;
  uint64_t tsc = 1000;
  for (auto _ : state) {
    uint32_t v;
    uint64_t ns;
    do {
      v = __atomic_load_n(&t.version, __ATOMIC_ACQUIRE);
      ns = t.system_time + pvabi::scale_tsc_delta(tsc - t.tsc_timestamp, t.tsc_to_system_mul, t.tsc_shift);
      __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != __atomic_load_n(&t.version, __ATOMIC_ACQUIRE));
    benchmark::DoNotOptimize(ns);
    tsc += 37;
  }
}
BENCHMARK(BM_TimeRead);

// An event sent to another domain: the send hypercall (pending bit,
// selector, upcall flag, wake-up) and the receiver clearing it, as its
// upcall would.
void BM_EventSendAndClear(benchmark::State& state) {
  init_once();
  TestGuest a("a"), b("b");
  const hv::Gva alloc = a.put(pvabi_evtchn_alloc_unbound{PVABI_DOMID_SELF, b.domain().id.value(), 0});
  if (a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_ALLOC_UNBOUND, alloc.value()) != PVABI_OK) {
    state.SkipWithError("alloc_unbound");
    return;
  }
  const uint32_t port_a = a.get<pvabi_evtchn_alloc_unbound>(alloc).port;
  const hv::Gva bind = b.put(pvabi_evtchn_bind_interdomain{a.domain().id.value(), 0, port_a, 0, 0});
  if (b.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_BIND_INTERDOMAIN, bind.value()) != PVABI_OK) {
    state.SkipWithError("bind_interdomain");
    return;
  }
  const uint32_t port_b = b.get<pvabi_evtchn_bind_interdomain>(bind).local_port;
  const hv::Gva send = a.put(pvabi_evtchn_port{port_a, 0});
  pvabi_shared_info& sh = b.domain().shared_info();
  pvabi_vcpu_info& vi = b.vcpu().info();
  vi.upcall_mask = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.call(PVABI_HC_EVENT_CHANNEL_OP, PVABI_EVTCHNOP_SEND, send.value()));
    vi.upcall_pending = 0;
    __atomic_exchange_n(&vi.pending_sel, uint64_t{0}, __ATOMIC_ACQ_REL);
    __atomic_fetch_and(&sh.evtchn_pending[port_b / 64], ~(uint64_t{1} << (port_b % 64)), __ATOMIC_ACQ_REL);
  }
}
BENCHMARK(BM_EventSendAndClear);

// Scheduler decisions with N runnable domains: pick the next vCPU and
// charge it a full slice.
void BM_SchedulerDecision(benchmark::State& state) {
  init_once();
  std::vector<hv::Domain*> domains;
  for (int64_t i = 0; i < state.range(0); ++i) {
    hv::DomainConfig c;
    c.name = "busy";
    c.memory_frames = 1;
    c.weight = static_cast<uint32_t>(128 + i % 3 * 128);
    const auto d = hv::create_domain(c);
    if (!d.is_ok()) {
      state.SkipWithError("create_domain");
      break;
    }
    hv::domain_unpause(*d.value);
    domains.push_back(d.value);
  }
  for (auto _ : state) {
    hv::Vcpu* v = hv::sched_pick_next();
    if (v == nullptr) {
      state.SkipWithError("nothing runnable");
      break;
    }
    hv::sched_account(*v, hv::sched_slice_ns());
  }
  for (hv::Domain* d : domains) hv::destroy_domain(d);
}
BENCHMARK(BM_SchedulerDecision)->Arg(10)->Arg(128)->Arg(1000)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
