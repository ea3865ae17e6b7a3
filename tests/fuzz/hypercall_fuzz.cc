// libFuzzer target: arbitrary hypercall sequences from three domains (one
// privileged) against the real core on the host platform, with the MMU
// invariant checker after every call and a reference-balance check after
// every input. Any HV_CHECK panic, sanitizer report or broken invariant is a
// finding.
//
// Input: a sequence of records. Each record starts with an opcode byte:
//   0..2   hypercall from domain (op % 3): number byte, then six argument
//          selectors (see Args below)
//   3      write bytes into a domain's scratch memory: domain, offset (2
//          bytes), length (1 byte), bytes
//   4      place a typed request built from selectors (mmu_update,
//          mmuext_op, multicall entry) in scratch memory
//   5      advance the simulated clock
//   6      write a grant entry into a domain's grant table (as the guest
//          would through its writable mapping of the table)
//   7      ask for a preemption a few checks from now (batches and
//          page-table validation stop and must resume correctly)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "hv-core/core/domain.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/hypercall.h"
#include "hv-core/core/invariants.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "fuzz_checks.h"

namespace {

using hv::host::TestGuest;

constexpr uint64_t kScratchBytes = 3 * 4096;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t bytes(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{byte()} << (8 * i);
    return v;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct World {
  std::unique_ptr<TestGuest> guests[3];
  hv::Gva scratch[3];
  pvabi::Mfn grant_frame[3];
};

// Domain `index`, or `self` if a domctl destroyed it.
TestGuest& live(World& w, int index, int self) {
  return w.guests[index]->alive() ? *w.guests[index] : *w.guests[self];
}

// An argument: mostly values that reach deep into the handlers.
uint64_t pick(World& w, int self, Input& in) {
  const uint8_t sel = in.byte();
  TestGuest& g = *w.guests[self];
  TestGuest& other = live(w, (self + 1) % 3, self);
  const uint64_t small = in.byte();
  switch (sel % 12) {
    case 0: return small;
    case 1: return w.scratch[self].value() + (small * 8) % kScratchBytes;
    case 2: return g.mfn(small % g.pfns()).value();
    case 3: return other.mfn(small % other.pfns()).value();
    case 4: return g.layout().l4.value();
    case 5: {  // an entry address in one of this domain's L1 tables
      const auto slot = hv::find_l1_slot(g.vcpu(), g.va_of(small % g.pfns()));
      return slot.is_ok() ? slot.value.table.address().value() + slot.value.slot * 8 : 0;
    }
    case 6: return pvabi::Pte::map(g.mfn(small % g.pfns()), in.byte() & 0x67).raw();
    case 7: return g.va_of(small % g.pfns()).value();
    case 8: return PVABI_DOMID_SELF;
    case 9: return other.domain().id.value();
    case 10: return in.bytes(8);
    default: return g.layout().l4.address().value() + (small % 512) * 8;
  }
}

void place(World& w, int self, Input& in) {
  TestGuest& g = *w.guests[self];
  const uint64_t offset = (in.byte() * 8) % (kScratchBytes - 64);
  const hv::Gva at = w.scratch[self] + offset;
  uint8_t buf[64] = {};
  size_t len = 0;
  switch (in.byte() % 5) {
    case 3: {
      TestGuest& other = live(w, (self + 1 + in.byte() % 2) % 3, self);
      const pvabi_gnttab_map_grant_ref m{pick(w, self, in), in.byte() & 1u, in.byte() % 600u,
                                         other.domain().id.value(), 0, 0, 0, 0, 0};
      std::memcpy(buf, &m, len = sizeof m);
      break;
    }
    case 4: {
      const pvabi_gnttab_unmap_grant_ref u{pick(w, self, in), in.byte() % 4u, 0};
      std::memcpy(buf, &u, len = sizeof u);
      break;
    }
    case 0: {
      const pvabi_mmu_update u{pick(w, self, in) | (in.byte() & 3), pick(w, self, in)};
      std::memcpy(buf, &u, len = sizeof u);
      break;
    }
    case 1: {
      const pvabi_mmuext_op op{static_cast<uint32_t>(in.byte() % 16), 0, pick(w, self, in), pick(w, self, in)};
      std::memcpy(buf, &op, len = sizeof op);
      break;
    }
    default: {
      pvabi_multicall_entry e{static_cast<uint64_t>(in.byte() % (PVABI_HC_COUNT + 1)), 0, {}};
      for (auto& a : e.args) a = pick(w, self, in);
      std::memcpy(buf, &e, len = sizeof e);
      break;
    }
  }
  (void)hv::copy_to_guest(g.vcpu(), at, buf, len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint64_t free_frames = [] {
    hv::host::init_machine(hv::host::MachineConfig{4096, 16, false});
    return hv::frame_table().free_frames();
  }();
  {
    World w;
    const char* names[3] = {"control", "dom1", "dom2"};
    for (int i = 0; i < 3; ++i) {
      w.guests[i] = std::make_unique<TestGuest>(names[i], hv::host::TestGuestConfig{96, 2, i == 0});
      w.scratch[i] = w.guests[i]->alloc(kScratchBytes, 4096);
      const hv::Gva frames = w.scratch[i] + (kScratchBytes - 64);
      const hv::Gva setup = w.guests[i]->put(pvabi_gnttab_setup_table{frames.value(), 1, 0});
      (void)w.guests[i]->call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_SETUP_TABLE, setup.value(), 1);
      w.grant_frame[i] = pvabi::Mfn{w.guests[i]->get<pvabi_u64>(frames)};
    }
    Input in(data, size);
    for (int steps = 0; !in.empty() && steps < 64; ++steps) {
      const uint8_t op = in.byte() % 8;
      const int who = op < 3 ? op : in.byte() % 3;
      if (!w.guests[who]->alive()) continue;  // a domctl destroyed it
      if (op < 3) {
        const uint64_t number = in.byte() % (PVABI_HC_COUNT + 2);
        hv::HypercallArgs args;
        for (auto& a : args.a) a = pick(w, op, in);
        (void)hv::hypercall(w.guests[op]->vcpu(), number, args);
      } else if (op == 3) {
        const int self = who;
        const uint64_t offset = in.bytes(2) % kScratchBytes;
        uint8_t len = in.byte();
        uint8_t buf[256];
        for (int i = 0; i < len; ++i) buf[i] = in.byte();
        if (offset + len > kScratchBytes) len = static_cast<uint8_t>(kScratchBytes - offset);
        (void)hv::copy_to_guest(w.guests[self]->vcpu(), w.scratch[self] + offset, buf, len);
      } else if (op == 4) {
        place(w, who, in);
      } else if (op == 5) {
        hv::host::advance_tsc(in.bytes(3));
      } else if (op == 7) {
        hv::host::request_preemption_after(1 + in.byte() % 8);
      } else {
        const uint32_t ref = in.byte() % PVABI_GNTTAB_ENTRIES_PER_FRAME;
        TestGuest& grantee = live(w, in.byte() % 3, who);
        const pvabi_grant_entry e{static_cast<uint16_t>(in.byte() & 0x7), grantee.domain().id.value(),
                                  static_cast<uint32_t>(pick(w, who, in))};
        auto* table = reinterpret_cast<pvabi_grant_entry*>(hv::platform::frame_memory(w.grant_frame[who]));
        __atomic_store_n(reinterpret_cast<uint64_t*>(&table[ref]), *reinterpret_cast<const uint64_t*>(&e),
                         __ATOMIC_RELEASE);
      }
      fuzz::check_invariants("after a hypercall");
    }
  }
  fuzz::check_teardown(free_frames);
  return 0;
}
