#include "pt_write.h"

#include "cpu.h"
#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "mmu.h"

namespace hv {
namespace {

constexpr uint8_t kLock = 0xf0;
constexpr uint8_t kRex = 0x40;  // 0100WRXB
constexpr uint8_t kRexW = 0x08;
constexpr uint8_t kRexR = 0x04;
// ModRM reg fields that select the operation of a group opcode.
constexpr unsigned kGroupMovImm = 0, kGroupAnd = 4, kGroupBtr = 6;

constexpr uint64_t kCf = 1u << 0, kPf = 1u << 2, kAf = 1u << 4, kZf = 1u << 6, kSf = 1u << 7, kOf = 1u << 11;

uint64_t parity_flag(uint64_t r) { return (__builtin_popcount(static_cast<unsigned>(r & 0xff)) & 1) == 0 ? kPf : 0; }

// A register by its x86 encoding number.
uint64_t& reg_ref(GuestRegs& r, unsigned n) {
  switch (n & 15) {
    case 0: return r.rax;
    case 1: return r.rcx;
    case 2: return r.rdx;
    case 3: return r.rbx;
    case 4: return r.rsp;
    case 5: return r.rbp;
    case 6: return r.rsi;
    case 7: return r.rdi;
    case 8: return r.r8;
    case 9: return r.r9;
    case 10: return r.r10;
    case 11: return r.r11;
    case 12: return r.r12;
    case 13: return r.r13;
    case 14: return r.r14;
    default: return r.r15;
  }
}

// The arithmetic flags `cmp rax, old` leaves, as cmpxchg sets them.
uint64_t compare_flags(uint64_t rflags, uint64_t a, uint64_t b) {
  const uint64_t r = a - b;
  rflags &= ~(kCf | kPf | kAf | kZf | kSf | kOf);
  if (a < b) rflags |= kCf;
  rflags |= parity_flag(r);
  if (((a ^ b ^ r) & 0x10) != 0) rflags |= kAf;
  if (r == 0) rflags |= kZf;
  if ((r >> 63) != 0) rflags |= kSf;
  if ((((a ^ b) & (a ^ r)) >> 63) != 0) rflags |= kOf;
  return rflags;
}

// The flags a byte-wide `and` leaves (AF is undefined: cleared).
uint64_t logic_byte_flags(uint64_t rflags, uint8_t r) {
  rflags &= ~(kCf | kPf | kAf | kZf | kSf | kOf);
  rflags |= parity_flag(r);
  if (r == 0) rflags |= kZf;
  if ((r & 0x80) != 0) rflags |= kSf;
  return rflags;
}

// The immediate operand's size after ModRM and displacement.
unsigned immediate_bytes(PtWriteForm form) {
  switch (form) {
    case PtWriteForm::kMovImm: return 4;
    case PtWriteForm::kAndImm8:
    case PtWriteForm::kBtrImm8: return 1;
    default: return 0;
  }
}

// The ModRM reg field a group opcode needs, or -1 when it names a register.
int required_group(PtWriteForm form) {
  switch (form) {
    case PtWriteForm::kMovImm: return kGroupMovImm;
    case PtWriteForm::kAndImm8: return kGroupAnd;
    case PtWriteForm::kBtrImm8: return kGroupBtr;
    default: return -1;
  }
}

}  // namespace

Result<PtWriteInsn> decode_pt_write(const uint8_t* bytes, size_t len) {
  using R = Result<PtWriteInsn>;
  if (len > kMaxInsnBytes) len = kMaxInsnBytes;
  size_t pos = 0;
  auto next = [&](uint8_t* out) {
    if (pos >= len) return false;
    *out = bytes[pos++];
    return true;
  };
  uint8_t b = 0;
  if (!next(&b)) return R::error(Status::kInvalid);
  const bool lock = b == kLock;
  if (lock && !next(&b)) return R::error(Status::kInvalid);
  uint8_t rex = 0;
  if ((b & 0xf0) == kRex) {
    rex = b;
    if (!next(&b)) return R::error(Status::kInvalid);
  }
  PtWriteInsn insn;
  switch (b) {
    case 0x89: insn.form = PtWriteForm::kMov; break;
    case 0xc7: insn.form = PtWriteForm::kMovImm; break;
    case 0x87: insn.form = PtWriteForm::kXchg; break;
    case 0x80: insn.form = PtWriteForm::kAndImm8; break;
    case 0x0f:
      if (!next(&b)) return R::error(Status::kInvalid);
      if (b == 0xb1) {
        insn.form = PtWriteForm::kCmpxchg;
      } else if (b == 0xba) {
        insn.form = PtWriteForm::kBtrImm8;
      } else {
        return R::error(Status::kInvalid);
      }
      break;
    default: return R::error(Status::kInvalid);
  }
  insn.width = insn.form == PtWriteForm::kAndImm8 ? 1 : 8;
  // Without REX.W the other forms write 2 or 4 bytes: not an entry.
  if (insn.width == 8 && (rex & kRexW) == 0) return R::error(Status::kInvalid);
  // lock is #UD on a mov: the CPU never gets as far as the write.
  if (lock && (insn.form == PtWriteForm::kMov || insn.form == PtWriteForm::kMovImm)) {
    return R::error(Status::kInvalid);
  }
  uint8_t modrm = 0;
  if (!next(&modrm)) return R::error(Status::kInvalid);
  const unsigned mod = modrm >> 6, rm = modrm & 7;
  insn.reg = ((modrm >> 3) & 7) | ((rex & kRexR) != 0 ? 8u : 0u);
  if (mod == 3) return R::error(Status::kInvalid);  // a register operand writes no memory
  const int group = required_group(insn.form);
  if (group >= 0 && static_cast<int>((modrm >> 3) & 7) != group) return R::error(Status::kInvalid);
  size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
  if (rm == 4) {
    uint8_t sib = 0;
    if (!next(&sib)) return R::error(Status::kInvalid);
    if (mod == 0 && (sib & 7) == 5) disp = 4;  // no base: disp32
  } else if (mod == 0 && rm == 5) {
    disp = 4;  // rip-relative
  }
  if (len - pos < disp) return R::error(Status::kInvalid);
  pos += disp;
  const unsigned imm_bytes = immediate_bytes(insn.form);
  if (len - pos < imm_bytes) return R::error(Status::kInvalid);
  uint32_t imm = 0;
  for (unsigned i = 0; i < imm_bytes; ++i) imm |= uint32_t{bytes[pos + i]} << (8 * i);
  pos += imm_bytes;
  insn.imm = imm_bytes == 4 ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(imm))) : imm;
  insn.length = static_cast<unsigned>(pos);
  return R::ok(insn);
}

Status emulate_pt_write(Vcpu& v, Gva fault_va, const uint8_t* bytes, size_t len, GuestRegs& regs) {
  Domain& d = *v.domain;
  if (!d.vm_assist_on(PVABI_VMASST_PT_WRITE_EMULATION)) return Status::kNotSupported;
  // Translated through the kernel's tables: a user-mode fault is the guest kernel's to handle.
  if (v.in_user_mode) return Status::kNotPermitted;
  const Result<PtWriteInsn> insn = decode_pt_write(bytes, len);
  if (!insn.is_ok()) return insn.status;
  // The byte form may write any byte of an entry; the others all of one.
  const unsigned byte_offset = fault_va.value() & 7;
  if (insn.value.width == 8 && byte_offset != 0) return Status::kInvalid;
  const Result<Maddr> entry = translate(v, Gva{fault_va.value() - byte_offset}, false);
  if (!entry.is_ok()) return entry.status;
  const Mfn table = entry.value.frame();
  // Owned before its entry is read (a mismatching cmpxchg hands it back).
  if (const Status s = check_owned(d, table); s != Status::kOk) return s;
  if (frame_table().info(table).type != FrameType::kL1) return Status::kInvalid;

  // Decode done: compute what the instruction would do.
  const uint64_t old = load_entry(&table_entries(table)[entry.value.page_offset() / 8]);
  uint64_t& reg = reg_ref(regs, insn.value.reg);
  uint64_t next = 0;
  switch (insn.value.form) {
    case PtWriteForm::kMov:
    case PtWriteForm::kXchg: next = reg; break;
    case PtWriteForm::kMovImm: next = insn.value.imm; break;
    case PtWriteForm::kCmpxchg:
      if (regs.rax != old) {  // no write: rax takes the entry
        regs.rflags = compare_flags(regs.rflags, regs.rax, old);
        regs.rax = old;
        regs.rip += insn.value.length;
        return Status::kOk;
      }
      next = reg;
      break;
    case PtWriteForm::kAndImm8: {
      const unsigned shift = 8 * byte_offset;
      next = old & ~((~insn.value.imm & 0xffu) << shift);
      break;
    }
    case PtWriteForm::kBtrImm8: next = old & ~(uint64_t{1} << (insn.value.imm & 63)); break;
  }
  // The one step that may refuse, and changes nothing when it does.
  if (const Status s = pt_update(d, entry.value, next, false); s != Status::kOk) {
    ++d.stats.mmu_refusals;
    return s;
  }
  if (insn.value.form == PtWriteForm::kXchg) reg = old;
  if (insn.value.form == PtWriteForm::kCmpxchg) regs.rflags = compare_flags(regs.rflags, old, old);
  if (insn.value.form == PtWriteForm::kAndImm8) {
    regs.rflags = logic_byte_flags(regs.rflags, static_cast<uint8_t>(next >> (8 * byte_offset)));
  }
  if (insn.value.form == PtWriteForm::kBtrImm8) {  // CF = the bit's old value; the rest kept
    regs.rflags = (regs.rflags & ~kCf) | ((old >> (insn.value.imm & 63)) & 1);
  }
  regs.rip += insn.value.length;
  return Status::kOk;
}

}  // namespace hv
