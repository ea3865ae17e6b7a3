#include "test_guest.h"

#include <vector>

#include "hv-core/core/frame_table.h"
#include "hv-core/core/hypercall.h"

namespace hv::host {

TestGuest::TestGuest(const char* name, TestGuestConfig config) {
  DomainConfig dc;
  dc.name = name;
  dc.memory_frames = config.frames;
  dc.max_vcpus = config.vcpus;
  dc.privileged = config.privileged;
  const Result<Domain*> d = create_domain(dc);
  HV_CHECK(d.is_ok());
  domain_ = d.value;
  id_ = domain_->id;
  pfns_ = domain_->nr_frames - 1;
  BuildSpec spec;
  const Result<BuildResult> r = build_address_space(*domain_, spec);
  HV_CHECK(r.is_ok());
  layout_ = r.value;
  virt_base_ = spec.virt_base;
  next_free_ = layout_.first_free.value();
  last_pfn_ = pfns();
  p2m_ = new Mfn[pfns()];
  const FrameTable& ft = frame_table();
  for (uint32_t f = ft.first_owned(*domain_); f != kNoFrameIndex; f = ft.next_owned(f)) {
    if (Mfn{f} != domain_->shared_info_frame) p2m_[ft.m2p(Mfn{f})] = Mfn{f};
  }
}

TestGuest::~TestGuest() {
  destroy();
  delete[] p2m_;
}

bool TestGuest::alive() const { return domain_ != nullptr && domain_by_id(id_) == domain_; }

void TestGuest::destroy() {
  if (alive()) destroy_domain(domain_);
  domain_ = nullptr;
}

int64_t TestGuest::call(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                        uint64_t a5) {
  return hypercall(vcpu(), number, HypercallArgs{{a0, a1, a2, a3, a4, a5}});
}

Gva TestGuest::alloc(uint64_t bytes, uint64_t align) {
  next_free_ = (next_free_ + align - 1) & ~(align - 1);
  const Gva at{next_free_};
  next_free_ += bytes;
  HV_CHECK(next_free_ <= virt_base_ + last_pfn_ * PVABI_PAGE_SIZE);
  return at;
}

Mfn TestGuest::mfn(uint64_t pfn) const {
  HV_CHECK(pfn < pfns_);
  return p2m_[pfn];
}

uint64_t TestGuest::take_pfn() {
  HV_CHECK(last_pfn_ > 0 && virt_base_ + (last_pfn_ - 1) * PVABI_PAGE_SIZE >= next_free_);
  return --last_pfn_;
}

Mfn TestGuest::make_table_frame(const std::function<void(uint64_t* entries)>& fill) {
  const uint64_t pfn = take_pfn();
  std::vector<uint64_t> entries(512, 0);
  fill(entries.data());
  HV_CHECK(copy_to_guest(vcpu(), va_of(pfn), entries.data(), PVABI_PAGE_SIZE) == Status::kOk);
  // Map it read-only, as a guest does before pinning.
  const Pte ro = Pte::map(mfn(pfn), 0);
  HV_CHECK(call(PVABI_HC_UPDATE_VA_MAPPING, va_of(pfn).value(), ro.raw(), PVABI_UVMF_INVLPG) == PVABI_OK);
  return mfn(pfn);
}

}  // namespace hv::host
