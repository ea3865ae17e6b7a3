// hv-core/core/pt_write.h: PVABI_VMASST_PT_WRITE_EMULATION (pvabi/mmu.h).
//
// A guest kernel writes an entry of one of its own L1 tables with a plain
// store; the table is mapped read-only, so the store faults. The arch layer
// hands the faulting address and the instruction bytes here, which decodes
// the store, computes the new entry and performs it as a
// PVABI_MMU_NORMAL_PT_UPDATE (all of its validation), then steps past the
// instruction. Anything else (another instruction, an unaligned or L2..L4
// target, a value the validation refuses) is refused with nothing changed,
// and the caller bounces the original page fault.
//
//     if (emulate_pt_write(v, Gva{cr2}, bytes, n, v.cpu.regs) == Status::kOk) resume;
//     else bounce_exception(v, 14, error, cr2);
//
// Covered: the forms Linux's page-table helpers compile to. 8-byte stores of
// x86-64 long mode: mov r64 to memory (REX.W 89 /r), mov of a sign-extended
// imm32 (REX.W C7 /0), xchg (REX.W 87 /r, lock optional), cmpxchg (REX.W
// 0F B1 /r, lock optional) and btr with an immediate bit (REX.W 0F BA /6 ib,
// lock optional: test_and_clear_bit); and `and imm8` on one byte of an entry
// (80 /4 ib, lock and a REX optional: clear_bit). Prefixes: at most one lock
// (F0), then at most one REX (W set for the 8-byte forms); no segment, size
// or repeat prefixes.
// Level 1 tables only: an L2..L4 write could need a long, preemptible
// validation of the table it names, which a fault cannot report.
#ifndef HV_CORE_CORE_PT_WRITE_H
#define HV_CORE_CORE_PT_WRITE_H

#include "base.h"

namespace hv {

class Vcpu;
struct GuestRegs;

inline constexpr size_t kMaxInsnBytes = 15;

enum class PtWriteForm : uint8_t { kMov, kMovImm, kXchg, kCmpxchg, kAndImm8, kBtrImm8 };

struct PtWriteInsn {
  PtWriteForm form = PtWriteForm::kMov;
  unsigned width = 8;   // bytes written: 8, or 1 for kAndImm8
  unsigned reg = 0;     // x86 encoding order (0 = rax, 1 = rcx, ... 15 = r15); immediate forms: unused
  uint64_t imm = 0;     // kMovImm: the sign-extended imm32; kAndImm8, kBtrImm8: the imm8
  unsigned length = 0;  // bytes, prefixes included
};

// Decodes the first instruction of bytes[0, len): EINVAL if it is not one
// of the covered forms or is cut short.
[[nodiscard]] Result<PtWriteInsn> decode_pt_write(const uint8_t* bytes, size_t len);

// The emulation. The target is fault_va (the instruction's own address
// operand is not recomputed: the CPU reported where it wrote). Checks, in
// order: the assist is on for v's domain (ENOSYS); v runs its kernel
// (EPERM); the instruction decodes (EINVAL); fault_va is 8-aligned, or any
// byte for the byte form (EINVAL); its entry translates through v's kernel
// tables (EFAULT) to a frame the domain owns (EPERM) of type L1 (EINVAL);
// then the update's own statuses. On kOk regs are updated as the
// instruction would have left them (xchg: register = old entry; cmpxchg:
// rax = old entry on a mismatch, arithmetic flags as its compare sets them;
// and: the byte's logic flags; btr: CF = the bit's old value) and rip is
// past it. On failure nothing changed.
[[nodiscard]] Status emulate_pt_write(Vcpu& v, Gva fault_va, const uint8_t* bytes, size_t len,
                                      GuestRegs& regs);

}  // namespace hv

#endif  // HV_CORE_CORE_PT_WRITE_H
