// libFuzzer target: the page-table write emulation (hv-core/core/pt_write.h)
// on arbitrary instruction bytes, fault addresses, register values and new
// entries, against the real core on the host platform. After every attempt:
// a refusal changed neither the registers nor any frame's bookkeeping nor
// the entry; a success moved rip by exactly the decoded length; the MMU
// invariants hold. After every input, references balance.
//
// Input: a sequence of records, each:
//   1 byte   target: which address faulted (an entry of a pinned L1 table,
//            its page misaligned, the root, a data page, another domain's
//            page, an unmapped address) and the slot
//   1 byte   flags: bit 0 assist on, bit 1 user mode
//   1 byte   instruction length (% 16), then that many bytes
//   2 bytes  selectors for the register the instruction names and for rax
//            (see value())
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "hv-core/core/cpu.h"
#include "hv-core/core/domain.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/guest_access.h"
#include "hv-core/core/invariants.h"
#include "hv-core/core/pt_write.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "fuzz_checks.h"

namespace {

using hv::host::TestGuest;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct World {
  std::unique_ptr<TestGuest> self, other;
  pvabi::Mfn l1;       // pinned, slot 0 maps `data`
  hv::Gva l1_va;       // its read-only mapping
  pvabi::Mfn data;
};

// A new entry value: mostly ones that reach the validation's branches.
uint64_t value(World& w, uint8_t sel, uint8_t extra) {
  TestGuest& g = *w.self;
  switch (sel % 8) {
    case 0: return 0;
    case 1: return pvabi::Pte::map(w.data, extra & 0x67).raw();
    case 2: return pvabi::Pte::map(g.mfn(extra % g.pfns()), extra & 0x66).raw();
    case 3: return pvabi::Pte::map(w.l1, extra & 0x2).raw();                    // the table itself
    case 4: return pvabi::Pte::map(w.other->mfn(extra % 8), 0).raw();           // not ours
    case 5: return pvabi::Pte::map(w.data, 0).raw() | (uint64_t{extra} << 52);  // reserved bits
    case 6: return w.data.address().value() | (extra & 0x60);                   // non-present, L1TF
    default: return hv::load_entry(&hv::table_entries(w.l1)[extra % 4]);        // the entry as it is
  }
}

hv::Gva target(World& w, uint8_t sel) {
  TestGuest& g = *w.self;
  const uint64_t slot = (sel >> 3) % 8;
  switch (sel % 8) {
    case 0:
    case 1:
    case 2: return w.l1_va + slot * 8;
    case 3: return w.l1_va + slot * 8 + 1 + sel % 7;
    case 4: return g.va_of(hv::frame_table().m2p(g.layout().l4)) + slot * 8;
    case 5: return g.va_of(hv::frame_table().m2p(w.data)) + slot * 8;
    case 6: return pvabi::Gva{0x1000 + slot * 8};
    default: return pvabi::Gva{~0ull - 7};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint64_t free_frames = [] {
    hv::host::init_machine(hv::host::MachineConfig{2048, 16, false});
    return hv::frame_table().free_frames();
  }();
  {
    World w;
    w.self = std::make_unique<TestGuest>("dom", hv::host::TestGuestConfig{64, 1, false});
    w.other = std::make_unique<TestGuest>("other", hv::host::TestGuestConfig{32, 1, false});
    TestGuest& g = *w.self;
    w.data = g.mfn(g.take_pfn());
    w.l1 = g.make_table_frame([&](uint64_t* e) {
      e[0] = pvabi::Pte::map(w.data, 0).raw();
      e[1] = pvabi::Pte::map(w.data, PVABI_PTE_WRITABLE).raw();
    });
    const hv::Gva op = g.put(pvabi_mmuext_op{PVABI_MMUEXT_PIN_L1_TABLE, 0, w.l1.value(), 0});
    if (g.call(PVABI_HC_MMUEXT_OP, op.value(), 1, 0, PVABI_DOMID_SELF) != PVABI_OK) fuzz::finding("setup: pin");
    w.l1_va = g.va_of(hv::frame_table().m2p(w.l1));
    Input in(data, size);
    for (int steps = 0; !in.empty() && steps < 64; ++steps) {
      const hv::Gva va = target(w, in.byte());
      const uint8_t flags = in.byte();
      (void)g.call(PVABI_HC_VM_ASSIST, (flags & 1) != 0 ? PVABI_VMASST_ENABLE : PVABI_VMASST_DISABLE,
                   PVABI_VMASST_PT_WRITE_EMULATION);
      g.vcpu().in_user_mode = (flags & 2) != 0;
      uint8_t insn[16] = {};
      const size_t len = in.byte() % 16;
      for (size_t i = 0; i < len; ++i) insn[i] = in.byte();
      hv::GuestRegs regs{};
      const uint8_t reg_sel = in.byte(), rax_sel = in.byte();
      const uint64_t v = value(w, reg_sel, static_cast<uint8_t>(reg_sel >> 3));
      for (uint64_t* r : {&regs.rbx, &regs.rcx, &regs.rdx, &regs.rsi, &regs.rdi, &regs.rbp, &regs.rsp, &regs.r8,
                          &regs.r9, &regs.r10, &regs.r11, &regs.r12, &regs.r13, &regs.r14, &regs.r15}) {
        *r = v;
      }
      regs.rax = value(w, rax_sel, static_cast<uint8_t>(rax_sel >> 3));
      regs.rip = 0xffffffff80001000ull;
      regs.rflags = 0x202;
      const hv::GuestRegs before = regs;
      uint64_t entries_before[512];
      std::memcpy(entries_before, hv::table_entries(w.l1), sizeof entries_before);
      const hv::Status s = hv::emulate_pt_write(g.vcpu(), va, insn, len, regs);
      g.vcpu().in_user_mode = false;
      if (s != hv::Status::kOk) {
        if (std::memcmp(&regs, &before, sizeof regs) != 0) fuzz::finding("a refusal changed the registers");
        if (std::memcmp(entries_before, hv::table_entries(w.l1), sizeof entries_before) != 0) {
          fuzz::finding("a refusal changed the table");
        }
      } else {
        const hv::Result<hv::PtWriteInsn> d = hv::decode_pt_write(insn, len);
        if (!d.is_ok() || d.value.length > len || regs.rip != before.rip + d.value.length) {
          fuzz::finding("rip is not past the decoded instruction");
        }
        if ((va.value() & 7) != 0) fuzz::finding("an unaligned write was emulated");
      }
      fuzz::check_invariants("after an emulated write");
    }
  }
  fuzz::check_teardown(free_frames);
  return 0;
}
