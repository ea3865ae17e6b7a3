#include "mmu.h"

#include "batch.h"
#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "page_table.h"

namespace hv {

Status check_owned(const Domain& d, Mfn f) {
  if (!frame_table().in_range(f)) return Status::kOutOfRange;
  return frame_table().info(f).owner == d.id.value() ? Status::kOk : Status::kNotPermitted;
}

namespace {

bool is_guest_va(Gva va) { return va.canonical() && !pvabi::in_reserved_range(va); }

// Lets go of a base pointer (its L4 type and general references).
void drop_baseptr(Vcpu& v, Mfn& slot) {
  if (slot == kNoFrame) return;
  frame_table().put_type(*v.domain, slot);
  frame_table().put_ref(slot);
  slot = kNoFrame;
}

Status machphys_update(Domain& d, const pvabi_mmu_update& u) {
  const Mfn frame = pvabi::mmu_update_target(u).frame();
  if (const Status s = check_owned(d, frame); s != Status::kOk) return s;
  if (u.val >= d.max_frames) return Status::kOutOfRange;
  frame_table().set_m2p(frame, u.val);
  return Status::kOk;
}

Status pin(Domain& d, Mfn f, FrameType type) {
  if (const Status s = check_owned(d, f); s != Status::kOk) return s;
  FrameTable& ft = frame_table();
  if ((ft.info(f).flags & kFramePinned) != 0) return Status::kExists;
  HV_CHECK(ft.get_ref(d, f) == Status::kOk);
  if (const Status s = ft.get_type(d, f, type); s != Status::kOk) {
    ft.put_ref(f);
    return s;
  }
  ft.info(f).flags |= kFramePinned;
  return Status::kOk;
}

Status unpin(Domain& d, Mfn f) {
  if (const Status s = check_owned(d, f); s != Status::kOk) return s;
  FrameTable& ft = frame_table();
  if ((ft.info(f).flags & kFramePinned) == 0) return Status::kNoEntry;
  ft.info(f).flags &= static_cast<uint8_t>(~kFramePinned);
  ft.put_type(d, f);
  ft.put_ref(f);
  return Status::kOk;
}

// A frame the domain may overwrite whole: owned, and not a table.
Status check_plain_frame(const Domain& d, Mfn f) {
  if (const Status s = check_owned(d, f); s != Status::kOk) return s;
  const FrameType t = frame_table().info(f).type;
  return t == FrameType::kNone || t == FrameType::kWritable ? Status::kOk : Status::kBusy;
}

Status mmuext(Vcpu& v, Domain& d, const pvabi_mmuext_op& op) {
  if (op._pad0 != 0) return Status::kInvalid;
  const bool foreign = &d != v.domain;
  switch (op.cmd) {
    case PVABI_MMUEXT_PIN_L1_TABLE:
    case PVABI_MMUEXT_PIN_L2_TABLE:
    case PVABI_MMUEXT_PIN_L3_TABLE:
    case PVABI_MMUEXT_PIN_L4_TABLE:
      return pin(d, Mfn{op.arg1}, table_type(op.cmd - PVABI_MMUEXT_PIN_L1_TABLE + 1));
    case PVABI_MMUEXT_UNPIN_TABLE:
      return unpin(d, Mfn{op.arg1});
    case PVABI_MMUEXT_COPY_PAGE:
    case PVABI_MMUEXT_CLEAR_PAGE: {
      const Mfn dst{op.arg1};
      if (const Status s = check_plain_frame(d, dst); s != Status::kOk) return s;
      if (op.cmd == PVABI_MMUEXT_CLEAR_PAGE) {
        zero_bytes(platform::frame_memory(dst), PVABI_PAGE_SIZE);
        return Status::kOk;
      }
      const Mfn src{op.arg2};
      if (const Status s = check_owned(d, src); s != Status::kOk) return s;
      copy_bytes(platform::frame_memory(dst), platform::frame_memory(src), PVABI_PAGE_SIZE);
      return Status::kOk;
    }
    default:
      break;
  }
  // The rest act on the calling vCPU's own address space.
  if (foreign) return Status::kInvalid;
  switch (op.cmd) {
    case PVABI_MMUEXT_NEW_BASEPTR:
      return set_baseptr(v, Mfn{op.arg1}, false);
    case PVABI_MMUEXT_NEW_USER_BASEPTR:
      if (op.arg1 == 0) {
        drop_baseptr(v, v.user_baseptr);
        return Status::kOk;
      }
      return set_baseptr(v, Mfn{op.arg1}, true);
    case PVABI_MMUEXT_TLB_FLUSH_LOCAL:
    case PVABI_MMUEXT_TLB_FLUSH_ALL:
      platform::flush_tlb_domain(d.id);
      return Status::kOk;
    case PVABI_MMUEXT_INVLPG_LOCAL:
    case PVABI_MMUEXT_INVLPG_ALL:
      if (!is_guest_va(Gva{op.arg1})) return Status::kInvalid;
      platform::invlpg_domain(d.id, Gva{op.arg1});
      return Status::kOk;
    case PVABI_MMUEXT_SET_LDT:
      if ((op.arg1 & (PVABI_PAGE_SIZE - 1)) != 0 || op.arg2 > 8192 || !is_guest_va(Gva{op.arg1}) ||
          !is_guest_va(Gva{op.arg1 + op.arg2 * 8})) {
        return Status::kInvalid;
      }
      v.cpu.ldt_base = op.arg1;
      v.cpu.ldt_entries = static_cast<uint32_t>(op.arg2);
      return Status::kOk;
    default:
      return Status::kInvalid;
  }
}

}  // namespace

Status pt_update(Domain& d, Maddr entry, uint64_t val, bool preserve_ad) {
  if ((entry.value() & 7) != 0) return Status::kInvalid;
  const Mfn table = entry.frame();
  if (const Status s = check_owned(d, table); s != Status::kOk) return s;
  const FrameInfo& fi = frame_table().info(table);
  if (!is_page_table(fi.type) || (fi.flags & kFrameValidated) == 0) return Status::kInvalid;
  const Status s = update_entry(d, table, table_level(fi.type), static_cast<unsigned>(entry.page_offset() / 8), val,
                                preserve_ad);
  if (s == Status::kOk) ++d.stats.mmu_updates;
  return s;
}

Status set_baseptr(Vcpu& v, Mfn table, bool user) {
  Domain& d = *v.domain;
  if (const Status s = check_owned(d, table); s != Status::kOk) return s;
  FrameTable& ft = frame_table();
  const FrameType t = ft.info(table).type;
  if (t != FrameType::kL4 && t != FrameType::kNone) return Status::kInvalid;
  HV_CHECK(ft.get_ref(d, table) == Status::kOk);
  if (const Status s = ft.get_type(d, table, FrameType::kL4); s != Status::kOk) {
    ft.put_ref(table);
    return s == Status::kBusy ? Status::kInvalid : s;
  }
  Mfn& slot = user ? v.user_baseptr : v.kernel_baseptr;
  drop_baseptr(v, slot);  // the new one's references are taken: order is safe
  slot = table;
  platform::flush_tlb_domain(d.id);
  return Status::kOk;
}

void clear_baseptrs(Vcpu& v) {
  drop_baseptr(v, v.kernel_baseptr);
  drop_baseptr(v, v.user_baseptr);
}

int64_t hc_mmu_update(Vcpu& v, const HypercallArgs& a) {
  if (a.a[3] > 0xffff) return PVABI_ESRCH;
  const Result<Domain*> t = target_domain(*v.domain, static_cast<uint16_t>(a.a[3]));
  if (!t.is_ok()) return raw(t.status);
  Domain& d = *t.value;
  const Status s = run_batch<pvabi_mmu_update>(
      v, Gva{a.a[0]}, a.a[1], PVABI_MMU_BATCH_MAX, Gva{a.a[2]}, [&](const pvabi_mmu_update& u) {
        Status r = Status::kInvalid;
        switch (pvabi::mmu_update_cmd(u)) {
          case PVABI_MMU_NORMAL_PT_UPDATE: r = pt_update(d, pvabi::mmu_update_target(u), u.val, false); break;
          case PVABI_MMU_PT_UPDATE_PRESERVE_AD: r = pt_update(d, pvabi::mmu_update_target(u), u.val, true); break;
          case PVABI_MMU_MACHPHYS_UPDATE: r = machphys_update(d, u); break;
        }
        if (r != Status::kOk) ++d.stats.mmu_refusals;
        return r;
      });
  return raw(s);
}

int64_t hc_mmuext_op(Vcpu& v, const HypercallArgs& a) {
  if (a.a[3] > 0xffff) return PVABI_ESRCH;
  const Result<Domain*> t = target_domain(*v.domain, static_cast<uint16_t>(a.a[3]));
  if (!t.is_ok()) return raw(t.status);
  Domain& d = *t.value;
  const Status s = run_batch<pvabi_mmuext_op>(
      v, Gva{a.a[0]}, a.a[1], PVABI_MMU_BATCH_MAX, Gva{a.a[2]}, [&](const pvabi_mmuext_op& op) {
        const Status r = mmuext(v, d, op);
        if (r != Status::kOk) ++d.stats.mmu_refusals;
        return r;
      });
  return raw(s);
}

int64_t hc_update_va_mapping(Vcpu& v, const HypercallArgs& a) {
  const Gva va{a.a[0]};
  const uint64_t flags = a.a[2];
  Domain& d = *v.domain;
  if (!is_guest_va(va) || (flags & ~uint64_t{PVABI_UVMF_FLUSH_MASK | PVABI_UVMF_ALL}) != 0 ||
      (flags & PVABI_UVMF_FLUSH_MASK) == PVABI_UVMF_FLUSH_MASK) {
    return PVABI_EINVAL;
  }
  const Result<L1Slot> l1 = find_l1_slot(v, va);
  if (!l1.is_ok()) return raw(l1.status);
  const Status s = update_entry(d, l1.value.table, 1, l1.value.slot, a.a[1]);
  if (s != Status::kOk) {
    ++d.stats.mmu_refusals;
    return raw(s);
  }
  ++d.stats.mmu_updates;
  switch (flags & PVABI_UVMF_FLUSH_MASK) {
    case PVABI_UVMF_TLB_FLUSH: platform::flush_tlb_domain(d.id); break;
    case PVABI_UVMF_INVLPG: platform::invlpg_domain(d.id, va); break;
    default: break;
  }
  return PVABI_OK;
}

int64_t hc_vm_assist(Vcpu& v, const HypercallArgs& a) {
  const uint64_t cmd = a.a[0], type = a.a[1];
  if (cmd != PVABI_VMASST_ENABLE && cmd != PVABI_VMASST_DISABLE) return PVABI_EINVAL;
  // Strict M2P would need a per-domain view of the table, which is mapped
  // once for all: not offered, guests check ownership themselves.
  if (type != PVABI_VMASST_PT_WRITE_EMULATION) return PVABI_ENOSYS;
  const uint32_t bit = 1u << type;
  Domain& d = *v.domain;
  d.vm_assist = cmd == PVABI_VMASST_ENABLE ? d.vm_assist | bit : d.vm_assist & ~bit;
  return PVABI_OK;
}

}  // namespace hv
