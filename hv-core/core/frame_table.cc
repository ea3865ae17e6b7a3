#include "frame_table.h"

#include "domain.h"

namespace hv {

FrameTable& frame_table() {
  static FrameTable table;
  return table;
}

bool FrameTable::init() {
  frames_ = platform::machine_frames();
  HV_CHECK(frames_ < kNoFrameIndex);
  info_ = create_array<FrameInfo>(frames_);
  m2p_ = static_cast<uint64_t*>(platform::alloc_zeroed(sizeof(uint64_t) * frames_));
  if (info_ == nullptr || m2p_ == nullptr) return false;
  for (uint64_t i = 0; i < frames_; ++i) {
    m2p_[i] = PVABI_M2P_INVALID;
    info_[i].owner = kOwnerHypervisor;
  }
  // Free list in ascending order, so domains get low frames first.
  for (uint64_t i = frames_; i-- > platform::first_guest_frame();) free_frame(static_cast<uint32_t>(i));
  return true;
}

void FrameTable::free_frame(uint32_t index) {
  FrameInfo& fi = info_[index];
  fi = FrameInfo{};
  fi.next = free_head_;
  free_head_ = index;
  ++free_count_;
  m2p_[index] = PVABI_M2P_INVALID;
}

void FrameTable::link_owned(Domain& d, uint32_t index) {
  FrameInfo& fi = info_[index];
  fi.prev = kNoFrameIndex;
  fi.next = d.frame_head;
  if (d.frame_head != kNoFrameIndex) info_[d.frame_head].prev = index;
  d.frame_head = index;
  ++d.nr_frames;
}

void FrameTable::unlink_owned(Domain& d, uint32_t index) {
  FrameInfo& fi = info_[index];
  if (fi.prev != kNoFrameIndex) {
    info_[fi.prev].next = fi.next;
  } else {
    d.frame_head = fi.next;
  }
  if (fi.next != kNoFrameIndex) info_[fi.next].prev = fi.prev;
  fi.next = fi.prev = kNoFrameIndex;
  --d.nr_frames;
}

Result<Mfn> FrameTable::allocate(Domain& owner) {
  if (free_head_ == kNoFrameIndex) return Result<Mfn>::error(Status::kNoMemory);
  const uint32_t index = free_head_;
  free_head_ = info_[index].next;
  --free_count_;
  FrameInfo& fi = info_[index];
  fi = FrameInfo{};
  fi.owner = owner.id.value();
  link_owned(owner, index);
  zero_bytes(platform::frame_memory(Mfn{index}), PVABI_PAGE_SIZE);
  return Result<Mfn>::ok(Mfn{index});
}

void FrameTable::release(Mfn f) {
  FrameInfo& fi = info(f);
  Domain* owner = domain_by_id(DomId{fi.owner});
  HV_CHECK(owner != nullptr);
  unlink_owned(*owner, static_cast<uint32_t>(f.value()));
  fi.owner = kOwnerFree;  // freed by put_ref when the last reference goes
  if (fi.ref_count == 0) free_frame(static_cast<uint32_t>(f.value()));
}

uint32_t FrameTable::first_owned(const Domain& d) const { return d.frame_head; }

Status FrameTable::get_ref(Domain& d, Mfn f) {
  if (!in_range(f)) return Status::kOutOfRange;
  FrameInfo& fi = info_[f.value()];
  if (fi.owner != d.id.value()) return Status::kNotPermitted;
  HV_CHECK(fi.ref_count != 0xffffffffu);
  ++fi.ref_count;
  return Status::kOk;
}

void FrameTable::get_ref_unchecked(Mfn f) {
  FrameInfo& fi = info(f);
  HV_CHECK(fi.ref_count != 0xffffffffu);
  ++fi.ref_count;
}

void FrameTable::put_ref(Mfn f) {
  FrameInfo& fi = info(f);
  HV_CHECK(fi.ref_count > 0);
  if (--fi.ref_count == 0 && fi.owner == kOwnerFree) {
    HV_CHECK(fi.type_count == 0);
    free_frame(static_cast<uint32_t>(f.value()));
  }
}

Status FrameTable::get_type(Domain& d, Mfn f, FrameType type) {
  FrameInfo& fi = info(f);
  HV_CHECK(fi.ref_count > 0);
  if ((fi.flags & kFrameValidating) != 0) return Status::kBusy;
  if ((fi.flags & kFramePartial) != 0) {
    if (fi.type != type) return Status::kBusy;
    return validate_from(d, f, type, fi.progress);
  }
  if (fi.type_count > 0) {
    if (fi.type != type) return Status::kBusy;
    HV_CHECK(fi.type_count != 0xffffffffu);
    ++fi.type_count;
    return Status::kOk;
  }
  if ((fi.flags & kFrameStaleWritable) != 0 && type != FrameType::kWritable) {
    // Rule 7: the reference is held; now drop stale writable translations
    // before the frame is read as a table.
    platform::flush_tlb_domain(d.id);
    fi.flags &= static_cast<uint8_t>(~kFrameStaleWritable);
  }
  fi.type = type;
  fi.type_count = 1;
  fi.flags &= static_cast<uint8_t>(~kFrameValidated);
  if (!is_page_table(type)) return Status::kOk;
  // The partial hold's general reference, kept only if validation is preempted.
  get_ref_unchecked(f);
  return validate_from(d, f, type, 0);
}

// Validates [from, 512) of a table that holds a partial hold (type count 1
// and one general reference). On success the hold becomes the caller's type
// reference; on preemption it stays, with the progress saved; on failure
// everything the table took is dropped and it has no type.
Status FrameTable::validate_from(Domain& d, Mfn f, FrameType type, unsigned from) {
  FrameInfo& fi = info(f);
  fi.flags |= kFramePartial | kFrameValidating;
  unsigned progress = from;
  const Status s = validator_.validate(d, f, type, from, &progress);
  fi.flags &= static_cast<uint8_t>(~kFrameValidating);
  if (s == Status::kRestart) {
    fi.progress = static_cast<uint16_t>(progress);
    return s;
  }
  fi.flags &= static_cast<uint8_t>(~kFramePartial);
  fi.progress = 0;
  if (s == Status::kOk) {
    fi.flags |= kFrameValidated;
    put_ref(f);  // the hold's general reference; the caller holds its own
    return s;
  }
  fi.type_count = 0;
  fi.type = FrameType::kNone;
  put_ref(f);
  return s;
}

void FrameTable::abandon_partial(Domain& d, Mfn f) {
  FrameInfo& fi = info(f);
  HV_CHECK((fi.flags & kFramePartial) != 0 && fi.type_count == 1);
  validator_.devalidate(d, f, fi.type, fi.progress);
  fi.flags &= static_cast<uint8_t>(~kFramePartial);
  fi.progress = 0;
  fi.type_count = 0;
  fi.type = FrameType::kNone;
  put_ref(f);
}

void FrameTable::put_type(Domain& d, Mfn f) {
  FrameInfo& fi = info(f);
  HV_CHECK(fi.type_count > 0 && (fi.flags & kFramePartial) == 0);
  if (--fi.type_count != 0) return;
  if (is_page_table(fi.type)) {
    fi.flags &= static_cast<uint8_t>(~kFrameValidated);
    validator_.devalidate(d, f, fi.type, kEntriesPerFrame);
  } else if (fi.type == FrameType::kWritable) {
    fi.flags |= kFrameStaleWritable;
  }
  fi.type = FrameType::kNone;
}

}  // namespace hv
