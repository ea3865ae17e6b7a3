// Address-space build and teardown, like fork and exit: fill an L1 table
// with read-only mappings of the guest's own pages, remap it read-only,
// pin it (the hypervisor validates all 512 entries), rewrite a batch of its
// entries with mmu_update, then unpin it and make it writable again.
#include "hv-core/core/guest_access.h"
#include "pvabi/pvabi.hpp"
#include "workload.h"

namespace pvsim {
namespace {

class PageTableWorkload : public Workload {
 public:
  explicit PageTableWorkload(uint64_t iterations) : iterations_(iterations) {}
  const char* name() const override { return "pagetable"; }

  void setup(SimGuest& self, const std::vector<SimGuest*>&, const std::vector<Workload*>&) override {
    hv::host::TestGuest& g = self.guest();
    table_pfn_ = g.take_pfn();
    for (auto& pfn : data_pfns_) pfn = g.take_pfn();
    batch_ = g.alloc(sizeof(pvabi_mmu_update) * kBatch);
    op_ = g.alloc(sizeof(pvabi_mmuext_op));
  }

  void step(SimGuest& self) override {
    if (done_ == iterations_) {
      self.shutdown(PVABI_SHUTDOWN_POWEROFF);
      return;
    }
    hv::host::TestGuest& g = self.guest();
    const pvabi::Mfn table = g.mfn(table_pfn_);
    uint64_t entries[512] = {};
    for (int i = 0; i < 512; ++i) entries[i] = pvabi::Pte::map(g.mfn(data_pfns_[i % kData]), 0).raw();
    (void)hv::copy_to_guest(g.vcpu(), g.va_of(table_pfn_), entries, sizeof entries);
    self.work(4);
    expect(self, self.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(table_pfn_).value(),
                           pvabi::Pte::map(table, 0).raw(), PVABI_UVMF_INVLPG));
    expect(self, ext(self, pvabi::pin_table(1, table)));
    pvabi_mmu_update batch[kBatch];
    for (int i = 0; i < kBatch; ++i) {
      batch[i] = pvabi::pt_update(table.address() + 8 * i, pvabi::Pte::map(g.mfn(data_pfns_[(i + 1) % kData]), 0));
    }
    (void)hv::copy_to_guest(g.vcpu(), batch_, batch, sizeof batch);
    expect(self, self.call(PVABI_HC_MMU_UPDATE, batch_.value(), kBatch, 0, PVABI_DOMID_SELF));
    expect(self, ext(self, pvabi::unpin_table(table)));
    expect(self, self.call(PVABI_HC_UPDATE_VA_MAPPING, g.va_of(table_pfn_).value(),
                           pvabi::Pte::map(table, PVABI_PTE_WRITABLE).raw(), PVABI_UVMF_INVLPG));
    ++done_;
    self.counters().operations += 1;
  }

 private:
  static constexpr int kData = 8;
  static constexpr int kBatch = 64;

  int64_t ext(SimGuest& self, const pvabi_mmuext_op& op) {
    (void)hv::write_guest(self.guest().vcpu(), op_, op);
    return self.call(PVABI_HC_MMUEXT_OP, op_.value(), 1, 0, PVABI_DOMID_SELF);
  }
  static void expect(SimGuest& self, int64_t rc) {
    if (rc != PVABI_OK) ++self.counters().refusals;
  }

  uint64_t iterations_;
  uint64_t done_ = 0;
  uint64_t table_pfn_ = 0;
  uint64_t data_pfns_[kData] = {};
  hv::Gva batch_, op_;
};

}  // namespace

std::unique_ptr<Workload> make_pagetable_workload(uint64_t iterations) {
  return std::make_unique<PageTableWorkload>(iterations);
}

}  // namespace pvsim
