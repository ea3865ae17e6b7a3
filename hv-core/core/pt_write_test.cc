// Page-table write emulation: the decoder on each covered form and on what
// it must refuse, then the emulation on a real domain: each form writes
// through the mmu_update validation, and each refusal changes nothing.
#include "pt_write.h"

#include <cstring>
#include <initializer_list>
#include <vector>

#include "cpu.h"
#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/test_guest.h"
#include "page_table.h"

namespace hv {
namespace {

using host::FrameSnapshot;
using host::TestGuest;
using Bytes = std::vector<uint8_t>;

Result<PtWriteInsn> decode(const Bytes& b) { return decode_pt_write(b.data(), b.size()); }

// ---- Decoder (bytes as the assembler emits them) ----

TEST(PtWriteDecode, MovFromARegisterWithEveryAddressingForm) {
  struct Case {
    Bytes bytes;
    unsigned reg;
  } cases[] = {
      {{0x48, 0x89, 0x07}, 0},                                      // mov %rax,(%rdi)
      {{0x4c, 0x89, 0x44, 0x24, 0x08}, 8},                          // mov %r8,8(%rsp)
      {{0x4c, 0x89, 0x3d, 0x78, 0x56, 0x34, 0x12}, 15},             // mov %r15,0x12345678(%rip)
      {{0x48, 0x89, 0x0c, 0x25, 0x00, 0x10, 0x00, 0x00}, 1},        // mov %rcx,0x1000 (SIB, no base)
      {{0x48, 0x89, 0x94, 0xdc, 0x00, 0x01, 0x00, 0x00}, 2},        // mov %rdx,0x100(%rsp,%rbx,8)
      {{0x48, 0x89, 0x87, 0x00, 0x01, 0x00, 0x00}, 0},              // mov %rax,0x100(%rdi)
  };
  for (const Case& c : cases) {
    const Result<PtWriteInsn> r = decode(c.bytes);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value.form, PtWriteForm::kMov);
    EXPECT_EQ(r.value.reg, c.reg);
    EXPECT_EQ(r.value.length, c.bytes.size());
  }
}

TEST(PtWriteDecode, MovImmediateIsSignExtended) {
  Result<PtWriteInsn> r = decode({0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff});  // movq $-1,(%rdi)
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.form, PtWriteForm::kMovImm);
  EXPECT_EQ(r.value.imm, ~0ull);
  EXPECT_EQ(r.value.length, 7u);
  r = decode({0x48, 0xc7, 0x47, 0x08, 0x01, 0x00, 0x00, 0x00});  // movq $1,8(%rdi)
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.imm, 1u);
  EXPECT_EQ(r.value.length, 8u);
}

TEST(PtWriteDecode, XchgAndCmpxchgWithOrWithoutLock) {
  struct Case {
    Bytes bytes;
    PtWriteForm form;
    unsigned reg;
  } cases[] = {
      {{0x48, 0x87, 0x37}, PtWriteForm::kXchg, 6},                    // xchg %rsi,(%rdi)
      {{0xf0, 0x48, 0x87, 0x37}, PtWriteForm::kXchg, 6},              // lock xchg
      {{0xf0, 0x48, 0x0f, 0xb1, 0x17}, PtWriteForm::kCmpxchg, 2},     // lock cmpxchg %rdx,(%rdi)
      {{0x4d, 0x0f, 0xb1, 0x5d, 0x00}, PtWriteForm::kCmpxchg, 11},    // cmpxchg %r11,0(%r13)
  };
  for (const Case& c : cases) {
    const Result<PtWriteInsn> r = decode(c.bytes);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value.form, c.form);
    EXPECT_EQ(r.value.reg, c.reg);
    EXPECT_EQ(r.value.length, c.bytes.size());
  }
}

TEST(PtWriteDecode, BitClearsWithAnImmediate) {
  struct Case {
    Bytes bytes;
    PtWriteForm form;
    unsigned width;
    uint64_t imm;
  } cases[] = {
      {{0xf0, 0x80, 0x20, 0xfd}, PtWriteForm::kAndImm8, 1, 0xfd},              // lock andb $0xfd,(%rax)
      {{0x80, 0x67, 0x07, 0x7f}, PtWriteForm::kAndImm8, 1, 0x7f},              // andb $0x7f,7(%rdi)
      {{0xf0, 0x41, 0x80, 0x24, 0x24, 0xfd}, PtWriteForm::kAndImm8, 1, 0xfd},  // lock andb $0xfd,(%r12)
      {{0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05}, PtWriteForm::kBtrImm8, 8, 5},     // lock btrq $5,(%rdi)
      {{0x48, 0x0f, 0xba, 0x77, 0x08, 0x3f}, PtWriteForm::kBtrImm8, 8, 63},    // btrq $63,8(%rdi)
  };
  for (const Case& c : cases) {
    const Result<PtWriteInsn> r = decode(c.bytes);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value.form, c.form);
    EXPECT_EQ(r.value.width, c.width);
    EXPECT_EQ(r.value.imm, c.imm);
    EXPECT_EQ(r.value.length, c.bytes.size());
  }
}

TEST(PtWriteDecode, EverythingElseIsRefused) {
  const Bytes refused[] = {
      {},
      {0x89, 0x07},                                     // mov %eax,(%rdi): 4 bytes
      {0x66, 0x48, 0x89, 0x07},                         // operand-size prefix
      {0x64, 0x48, 0xc7, 0x07, 0x05, 0, 0, 0},          // fs: segment override
      {0x48, 0xf0, 0x87, 0x37},                         // lock after REX
      {0xf0, 0xf0, 0x48, 0x87, 0x37},                   // two locks
      {0x48, 0x48, 0x89, 0x07},                         // two REX
      {0xf0, 0x48, 0x89, 0x07},                         // lock mov is #UD
      {0xf0, 0x48, 0xc7, 0x07, 0, 0, 0, 0},             // lock mov imm is #UD
      {0x48, 0x01, 0x07},                               // add %rax,(%rdi)
      {0x48, 0x89, 0xc7},                               // mov %rax,%rdi: no memory
      {0x48, 0xc7, 0x0f, 0, 0, 0, 0},                   // C7 /1 is no mov
      {0x48, 0x0f, 0xb0, 0x17},                         // cmpxchg8 (byte form)
      {0x48, 0x0f, 0xc7, 0x0f},                         // cmpxchg16b
      {0x40, 0x89, 0x07},                               // REX without W
      {0x80, 0x07, 0x01},                               // addb $1,(%rdi): 80 /0
      {0x80, 0x0f, 0x01},                               // orb $1,(%rdi): 80 /1
      {0x81, 0x27, 0xfd, 0xff, 0xff, 0xff},             // andl: 81 /4
      {0x0f, 0xba, 0x37, 0x05},                         // btrl: no REX.W
      {0x48, 0x0f, 0xba, 0x3f, 0x05},                   // btcq: 0F BA /7
      {0x48, 0x0f, 0xba, 0x2f, 0x05},                   // btsq: 0F BA /5
      {0x48, 0x0f, 0xb3, 0x07},                         // btrq %rax,(%rdi): register bit
      {0xf0, 0x80, 0xe0, 0xfd},                         // andb $0xfd,%al: no memory
  };
  for (const Bytes& b : refused) {
    EXPECT_EQ(decode(b).status, Status::kInvalid) << "first byte " << (b.empty() ? -1 : int{b[0]});
  }
}

TEST(PtWriteDecode, TruncatedInstructionsAreRefusedAtEveryLength) {
  const Bytes full[] = {
      {0x4c, 0x89, 0x3d, 0x78, 0x56, 0x34, 0x12},
      {0x48, 0x89, 0x94, 0xdc, 0x00, 0x01, 0x00, 0x00},
      {0x48, 0xc7, 0x47, 0x08, 0x01, 0x00, 0x00, 0x00},
      {0xf0, 0x48, 0x0f, 0xb1, 0x17},
      {0x4c, 0x89, 0x44, 0x24, 0x08},
      {0xf0, 0x41, 0x80, 0x64, 0x24, 0x07, 0x7f},
      {0xf0, 0x48, 0x0f, 0xba, 0x77, 0x08, 0x3f},
  };
  for (const Bytes& b : full) {
    ASSERT_TRUE(decode(b).is_ok());
    for (size_t n = 0; n < b.size(); ++n) EXPECT_EQ(decode_pt_write(b.data(), n).status, Status::kInvalid) << n;
  }
}

TEST(PtWriteDecode, TrailingBytesAreNotPartOfTheInstruction) {
  const Bytes b = {0x48, 0x89, 0x07, 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc};
  const Result<PtWriteInsn> r = decode(b);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.length, 3u);
}

// ---- Emulation on a built domain ----

constexpr uint64_t kRip = 0xffffffff80001000ull;

class PtWriteTest : public host::CoreTest {
 protected:
  int64_t ext(TestGuest& g, uint32_t cmd, uint64_t arg1) {
    const Gva op = g.put(pvabi_mmuext_op{cmd, 0, arg1, 0});
    return g.call(PVABI_HC_MMUEXT_OP, op.value(), 1, 0, PVABI_DOMID_SELF);
  }
  void enable(TestGuest& g) {
    ASSERT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_ENABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  }
  // A pinned L1 table whose slot 0 maps `data` read-only; returns its
  // read-only guest address (where the guest's stores to it fault).
  Gva pinned_l1(TestGuest& g, Mfn data, Mfn* table = nullptr) {
    const Mfn t = g.make_table_frame([&](uint64_t* e) { e[0] = Pte::map(data, 0).raw(); });
    EXPECT_EQ(ext(g, PVABI_MMUEXT_PIN_L1_TABLE, t.value()), PVABI_OK);
    if (table != nullptr) *table = t;
    return g.va_of(frame_table().m2p(t));
  }
  static uint64_t entry(Mfn table, unsigned slot) { return load_entry(&table_entries(table)[slot]); }
  static GuestRegs regs_at(uint64_t rip) {
    GuestRegs r{};
    r.rip = rip;
    r.rflags = 0x202;
    return r;
  }
  static uint64_t mapped(Mfn f, uint64_t flags) { return normalize_entry(Pte::map(f, flags).raw()); }

  // A domain with the assist on and one data frame behind a pinned L1.
  struct Window {
    explicit Window(PtWriteTest& test) : g("dom") {
      test.enable(g);
      data = g.mfn(g.take_pfn());
      va = test.pinned_l1(g, data, &table);
    }
    TestGuest g;
    Mfn data, table;
    Gva va;
  };
  // Slot 0 of the window made to map its frame with `flags`, by an emulated mov.
  static bool start_from(Window& w, uint64_t flags) {
    const uint8_t mov[] = {0x48, 0x89, 0x17};  // mov %rdx,(%rdi)
    GuestRegs r = regs_at(kRip);
    r.rdx = Pte::map(w.data, flags).raw();
    return emulate_pt_write(w.g.vcpu(), w.va, mov, sizeof mov, r) == Status::kOk;
  }
};

constexpr uint64_t kZf = 1u << 6, kCf = 1u << 0;

TEST_F(PtWriteTest, MovWritesTheEntryThroughTheValidation) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  GuestRegs r = regs_at(kRip);
  r.rdx = Pte::map(data, PVABI_PTE_WRITABLE).raw();
  const uint64_t updates = g.domain().stats.mmu_updates;
  const uint8_t mov[] = {0x48, 0x89, 0x57, 0x08};  // mov %rdx,8(%rdi): slot 1 (the address is cr2's)
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va + 8, mov, sizeof mov, r), Status::kOk);
  EXPECT_EQ(entry(t, 1), mapped(data, PVABI_PTE_WRITABLE));
  EXPECT_EQ(frame_table().info(data).type, FrameType::kWritable);
  EXPECT_EQ(r.rip, kRip + sizeof mov);
  EXPECT_EQ(r.rdx, Pte::map(data, PVABI_PTE_WRITABLE).raw());
  EXPECT_EQ(g.domain().stats.mmu_updates, updates + 1);
}

TEST_F(PtWriteTest, MovImmediateClearsAnEntry) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  const uint32_t refs = frame_table().info(data).ref_count;
  GuestRegs r = regs_at(kRip);
  const uint8_t mov0[] = {0x48, 0xc7, 0x07, 0, 0, 0, 0};  // movq $0,(%rdi)
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, mov0, sizeof mov0, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), 0u);
  EXPECT_EQ(frame_table().info(data).ref_count, refs - 1);
  EXPECT_EQ(r.rip, kRip + sizeof mov0);
}

TEST_F(PtWriteTest, XchgReturnsTheOldEntry) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  const uint64_t old = entry(t, 0);
  GuestRegs r = regs_at(kRip);
  r.r9 = 0;  // ptep_get_and_clear
  const uint8_t xchg[] = {0xf0, 0x4c, 0x87, 0x0f};  // lock xchg %r9,(%rdi)
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, xchg, sizeof xchg, r), Status::kOk);
  EXPECT_EQ(r.r9, old);
  EXPECT_EQ(old, mapped(data, 0));
  EXPECT_EQ(entry(t, 0), 0u);
  EXPECT_EQ(r.rip, kRip + sizeof xchg);
}

TEST_F(PtWriteTest, CmpxchgWritesOnlyWhenRaxMatches) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  const uint64_t old = entry(t, 0);
  const uint64_t dirty = Pte::map(data, PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY).raw();
  const uint8_t cmpxchg[] = {0xf0, 0x48, 0x0f, 0xb1, 0x17};  // lock cmpxchg %rdx,(%rdi)
  // Mismatch: no write, rax takes the entry, ZF clear.
  GuestRegs r = regs_at(kRip);
  r.rax = old + 0x20;
  r.rdx = dirty;
  r.rflags |= kZf;
  const FrameSnapshot before = FrameSnapshot::take();
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, cmpxchg, sizeof cmpxchg, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), old);
  EXPECT_EQ(r.rax, old);
  EXPECT_EQ(r.rflags & kZf, 0u);
  EXPECT_EQ(r.rflags & kCf, 0u);  // old + 0x20 - old: no borrow
  EXPECT_EQ(r.rip, kRip + sizeof cmpxchg);
  EXPECT_TRUE(FrameSnapshot::take() == before);
  // Match: the write happens, ZF set, rax kept.
  r = regs_at(kRip);
  r.rax = old;
  r.rdx = dirty;
  r.rflags |= kCf;
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, cmpxchg, sizeof cmpxchg, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), normalize_entry(dirty));
  EXPECT_EQ(r.rax, old);
  EXPECT_NE(r.rflags & kZf, 0u);
  EXPECT_EQ(r.rflags & kCf, 0u);
  EXPECT_EQ(r.rip, kRip + sizeof cmpxchg);
  // A borrow sets CF.
  r = regs_at(kRip);
  r.rax = 0;
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, cmpxchg, sizeof cmpxchg, r), Status::kOk);
  EXPECT_NE(r.rflags & kCf, 0u);
  EXPECT_EQ(r.rax, normalize_entry(dirty));
}

TEST_F(PtWriteTest, AndOnOneByteClearsItsBits) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  ASSERT_TRUE(start_from(w, PVABI_PTE_WRITABLE | PVABI_PTE_NX));
  // ptep_set_wrprotect: clear_bit(1) on byte 0.
  const uint8_t wrprotect[] = {0xf0, 0x80, 0x27, 0xfd};  // lock andb $0xfd,(%rdi)
  GuestRegs r = regs_at(kRip);
  r.rflags |= kCf | kZf;
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, wrprotect, sizeof wrprotect, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), mapped(data, PVABI_PTE_NX));
  EXPECT_EQ(r.rip, kRip + sizeof wrprotect);
  EXPECT_EQ(r.rflags & (kCf | kZf), 0u);  // the byte is not zero (present, user)
  // Byte 7 (the cr2 of a byte store is the byte's own address): NX goes.
  const uint8_t clear_nx[] = {0x80, 0x27, 0x7f};  // andb $0x7f,(%rdi)
  r = regs_at(kRip);
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va + 7, clear_nx, sizeof clear_nx, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), mapped(data, 0));
  EXPECT_NE(r.rflags & kZf, 0u);  // byte 7 is now zero
}

TEST_F(PtWriteTest, BtrClearsABitAndReportsItInCarry) {
  Window w(*this);
  TestGuest& g = w.g;
  const Mfn data = w.data, t = w.table;
  const Gva va = w.va;
  ASSERT_TRUE(start_from(w, PVABI_PTE_ACCESSED));
  // ptep_test_and_clear_young: test_and_clear_bit(5).
  const uint8_t btr[] = {0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05};  // lock btrq $5,(%rdi)
  GuestRegs r = regs_at(kRip);
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, btr, sizeof btr, r), Status::kOk);
  EXPECT_EQ(entry(t, 0), mapped(data, 0));
  EXPECT_NE(r.rflags & kCf, 0u);
  EXPECT_EQ(r.rip, kRip + sizeof btr);
  r = regs_at(kRip);
  r.rflags |= kCf;
  ASSERT_EQ(emulate_pt_write(g.vcpu(), va, btr, sizeof btr, r), Status::kOk);
  EXPECT_EQ(r.rflags & kCf, 0u);
}

// Each refusal: the status, and neither the entry, the frames nor the
// registers changed.
class PtWriteRefusalTest : public PtWriteTest {
 protected:
  void expect_refused(TestGuest& g, Gva va, const uint8_t* insn, size_t len, const GuestRegs& regs, Status want) {
    GuestRegs r = regs;
    const Result<Maddr> m = translate(g.vcpu(), Gva{va.value() & ~7ull}, false);
    const uint64_t before_entry = m.is_ok() ? load_entry(reinterpret_cast<const uint64_t*>(
                                                  platform::frame_memory(m.value.frame()) + m.value.page_offset()))
                                            : 0;
    const FrameSnapshot before = FrameSnapshot::take();
    EXPECT_EQ(emulate_pt_write(g.vcpu(), va, insn, len, r), want);
    EXPECT_TRUE(FrameSnapshot::take() == before);
    EXPECT_EQ(std::memcmp(&r, &regs, sizeof r), 0);
    if (m.is_ok()) {
      EXPECT_EQ(load_entry(reinterpret_cast<const uint64_t*>(platform::frame_memory(m.value.frame()) +
                                                             m.value.page_offset())),
                before_entry);
    }
  }
};

const uint8_t kMovRdx[] = {0x48, 0x89, 0x17};  // mov %rdx,(%rdi)

TEST_F(PtWriteRefusalTest, TheAssistIsOffUntilEnabledAndAfterDisabled) {
  TestGuest g("dom");
  const Mfn data = g.mfn(g.take_pfn());
  const Gva va = pinned_l1(g, data);
  GuestRegs r = regs_at(kRip);
  r.rdx = Pte::map(data, PVABI_PTE_WRITABLE).raw();
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kNotSupported);
  enable(g);
  ASSERT_EQ(g.call(PVABI_HC_VM_ASSIST, PVABI_VMASST_DISABLE, PVABI_VMASST_PT_WRITE_EMULATION), PVABI_OK);
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kNotSupported);
}

TEST_F(PtWriteRefusalTest, UnalignedUnknownAndTruncated) {
  TestGuest g("dom");
  enable(g);
  const Mfn data = g.mfn(g.take_pfn());
  const Gva va = pinned_l1(g, data);
  GuestRegs r = regs_at(kRip);
  r.rdx = Pte::map(data, PVABI_PTE_WRITABLE).raw();
  expect_refused(g, va + 4, kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  expect_refused(g, va + 1, kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  const uint8_t btr[] = {0x48, 0x0f, 0xba, 0x37, 0x05};  // btrq $5,(%rdi): 8 bytes, aligned only
  expect_refused(g, va + 4, btr, sizeof btr, r, Status::kInvalid);
  const uint8_t mov32[] = {0x89, 0x17};                // mov %edx,(%rdi)
  const uint8_t add[] = {0x48, 0x01, 0x17};            // add %rdx,(%rdi)
  const uint8_t gs_mov[] = {0x65, 0x48, 0x89, 0x17};   // mov %rdx,%gs:(%rdi)
  expect_refused(g, va, mov32, sizeof mov32, r, Status::kInvalid);
  expect_refused(g, va, add, sizeof add, r, Status::kInvalid);
  expect_refused(g, va, gs_mov, sizeof gs_mov, r, Status::kInvalid);
  expect_refused(g, va, kMovRdx, 2, r, Status::kInvalid);
  expect_refused(g, va, kMovRdx, 0, r, Status::kInvalid);
}

TEST_F(PtWriteRefusalTest, OnlyTheDomainsOwnL1Tables) {
  TestGuest g("dom"), other("other");
  enable(g);
  const Mfn data = g.mfn(g.take_pfn());
  GuestRegs r = regs_at(kRip);
  r.rdx = Pte::map(data, 0).raw();
  // An ordinary page (read-only mapped, so the store would fault).
  const uint64_t plain_pfn = g.take_pfn();
  ASSERT_EQ(g.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(plain_pfn).value(), Pte::map(g.mfn(plain_pfn), 0).raw(),
                   PVABI_UVMF_INVLPG),
            PVABI_OK);
  expect_refused(g, g.va_of(plain_pfn), kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  // The root (L4) and the tables between: level 1 only.
  const uint64_t l4_pfn = frame_table().m2p(g.layout().l4);
  expect_refused(g, g.va_of(l4_pfn) + 8, kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  // Not mapped at all.
  expect_refused(g, Gva{0x1000}, kMovRdx, sizeof kMovRdx, r, Status::kFault);
  // Another domain's L1 table. A guest cannot map it (rule 1), so the
  // mapping is planted behind the validator's back, then restored.
  const Result<L1Slot> theirs = find_l1_slot(other.vcpu(), other.va_of(3));
  ASSERT_TRUE(theirs.is_ok());
  const Result<L1Slot> window = find_l1_slot(g.vcpu(), g.va_of(plain_pfn));
  ASSERT_TRUE(window.is_ok());
  uint64_t* planted = &table_entries(window.value.table)[window.value.slot];
  const uint64_t saved = *planted;
  *planted = Pte::map(theirs.value.table, PVABI_PTE_USER).raw();
  const uint64_t their_entry = load_entry(&table_entries(theirs.value.table)[theirs.value.slot]);
  expect_refused(g, g.va_of(plain_pfn) + theirs.value.slot * 8, kMovRdx, sizeof kMovRdx, r,
                 Status::kNotPermitted);
  EXPECT_EQ(load_entry(&table_entries(theirs.value.table)[theirs.value.slot]), their_entry);
  *planted = saved;
}

TEST_F(PtWriteRefusalTest, ValuesTheValidationRefuses) {
  TestGuest g("dom"), other("other");
  enable(g);
  const Mfn data = g.mfn(g.take_pfn());
  Mfn t;
  const Gva va = pinned_l1(g, data, &t);
  GuestRegs r = regs_at(kRip);
  // A page table mapped writable (rule 2): its own table, and the root.
  r.rdx = Pte::map(t, PVABI_PTE_WRITABLE).raw();
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kBusy);
  r.rdx = Pte::map(g.layout().l4, PVABI_PTE_WRITABLE).raw();
  expect_refused(g, va + 8, kMovRdx, sizeof kMovRdx, r, Status::kBusy);
  // Another domain's frame, reserved flags, the L1TF rule.
  r.rdx = Pte::map(other.mfn(3), 0).raw();
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kNotPermitted);
  r.rdx = Pte::map(data, PVABI_PTE_PCD).raw();
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  r.rdx = data.address().value();  // non-present, pointing into memory
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kInvalid);
  // xchg and cmpxchg that would write such a value leave their registers too.
  const uint8_t xchg[] = {0x48, 0x87, 0x17};
  r.rdx = Pte::map(t, PVABI_PTE_WRITABLE).raw();
  expect_refused(g, va, xchg, sizeof xchg, r, Status::kBusy);
  const uint8_t cmpxchg[] = {0xf0, 0x48, 0x0f, 0xb1, 0x17};
  r.rax = entry(t, 0);
  expect_refused(g, va, cmpxchg, sizeof cmpxchg, r, Status::kBusy);
}

TEST_F(PtWriteRefusalTest, UserModeFaultsAreTheGuestKernels) {
  TestGuest g("dom");
  enable(g);
  const Mfn data = g.mfn(g.take_pfn());
  const Gva va = pinned_l1(g, data);
  GuestRegs r = regs_at(kRip);
  r.rdx = Pte::map(data, 0).raw();
  g.vcpu().in_user_mode = true;
  expect_refused(g, va, kMovRdx, sizeof kMovRdx, r, Status::kNotPermitted);
  g.vcpu().in_user_mode = false;
}

}  // namespace
}  // namespace hv
