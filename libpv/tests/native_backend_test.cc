// The native backend (libpv_native.a's code) in a host process: physical
// memory is a buffer playing the kernel's direct map, and the ring-0
// instructions are the recorded fakes of fake_cpu/.
#include <libpv/libpv.h>
#include <libpv/native.h>

#include <pvabi/mmu.hpp>

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "native_cpu.h"

namespace {

using libpv::native::cpu::fake;
using pvabi::Mfn;
using pvabi::Pte;

constexpr uint64_t kPages = 16;
alignas(PVABI_PAGE_SIZE) uint64_t g_memory[kPages][512];

uint64_t entry_maddr(uint64_t frame, unsigned slot) { return frame * PVABI_PAGE_SIZE + 8 * slot; }

class NativeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::memset(g_memory, 0, sizeof g_memory);
    fake() = libpv::native::cpu::Fake{};
    fake().tsc = 1000;
    const pv_native_config c{reinterpret_cast<uintptr_t>(g_memory), kPages, 2000000000ull, 2, 0};
    ASSERT_EQ(pv_native_init(&c), PVABI_OK);
    ASSERT_EQ(pv_mmu_queue_init(&q_, slots_, 8, PVABI_DOMID_SELF), PVABI_OK);
  }
  pvabi_mmu_update slots_[8] = {};
  pv_mmu_queue q_{};
};

TEST_F(NativeTest, InitChecksItsConfig) {
  pv_native_config c{reinterpret_cast<uintptr_t>(g_memory), kPages, 0, 1, 0};
  EXPECT_EQ(pv_native_init(&c), PVABI_EINVAL);
  c.tsc_hz = 1;
  c.nr_cpus = PVABI_SHARED_INFO_VCPUS + 1;
  EXPECT_EQ(pv_native_init(&c), PVABI_EINVAL);
  c.nr_cpus = 1;
  c.nr_pages = 0;
  EXPECT_EQ(pv_native_init(&c), PVABI_EINVAL);
  EXPECT_EQ(pv_native_init(nullptr), PVABI_EINVAL);
}

TEST_F(NativeTest, TheConsoleIsCom1) {
  EXPECT_EQ(fake().serial_out_len, 0u);  // set-up wrote registers, not data
  EXPECT_EQ(pv_console_puts("native\n"), 7);
  EXPECT_EQ(std::string(fake().serial_out, fake().serial_out_len), "native\n");
  fake().serial_in = "ok";
  char buf[8];
  EXPECT_EQ(pv_console_read(buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "ok");
  EXPECT_EQ(pv_console_read(buf, sizeof buf), 0);
}

TEST_F(NativeTest, TheQueueWritesEntriesDirectly) {
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, entry_maddr(3, 5), Pte::map(Mfn{7}, PVABI_PTE_WRITABLE).raw()), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, entry_maddr(3, 6), Pte::map(Mfn{8}, 0).raw()), PVABI_OK);
  EXPECT_EQ(g_memory[3][5], 0u);
  EXPECT_EQ(pv_mmu_queue_flush(&q_), PVABI_OK);
  EXPECT_EQ(g_memory[3][5], Pte::map(Mfn{7}, PVABI_PTE_WRITABLE).raw());
  EXPECT_EQ(g_memory[3][6], Pte::map(Mfn{8}, 0).raw());
}

TEST_F(NativeTest, PreserveAdMergesTheBitsTheCpuSet) {
  g_memory[2][1] = Pte::map(Mfn{4}, PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY).raw();
  ASSERT_EQ(pv_mmu_queue_set_pte_preserve_ad(&q_, entry_maddr(2, 1), Pte::map(Mfn{5}, 0).raw()), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_flush(&q_), PVABI_OK);
  EXPECT_EQ(g_memory[2][1], Pte::map(Mfn{5}, PVABI_PTE_ACCESSED | PVABI_PTE_DIRTY).raw());
}

TEST_F(NativeTest, ABadEntryIsReportedByIndex) {
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, entry_maddr(1, 0), 1), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, entry_maddr(kPages, 0), 1), PVABI_OK);  // past physical memory
  ASSERT_EQ(pv_mmu_queue_set_pte(&q_, entry_maddr(1, 1), 1), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_flush(&q_), PVABI_ERANGE);
  EXPECT_EQ(pv_mmu_queue_failed_index(&q_), 1u);
  EXPECT_EQ(g_memory[1][0], 1u);
  EXPECT_EQ(g_memory[1][1], 0u);
  // The machine-to-physical map is the identity: only that can be recorded.
  ASSERT_EQ(pv_mmu_queue_set_m2p(&q_, 3, 3), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_flush(&q_), PVABI_OK);
  ASSERT_EQ(pv_mmu_queue_set_m2p(&q_, 3, 4), PVABI_OK);
  EXPECT_EQ(pv_mmu_queue_flush(&q_), PVABI_EINVAL);
}

TEST_F(NativeTest, BasePointersAndFlushesUseCr3AndInvlpg) {
  EXPECT_EQ(pv_mmu_pin_table(&q_, 4, 1), PVABI_OK);  // nothing to validate at ring 0
  EXPECT_EQ(pv_mmu_pin_table(&q_, 4, kPages), PVABI_ERANGE);
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, 1, 0), PVABI_OK);
  EXPECT_EQ(fake().cr3, 1u * PVABI_PAGE_SIZE);
  EXPECT_EQ(pv_mmu_flush_tlb(&q_, 0), PVABI_OK);
  EXPECT_EQ(fake().cr3_writes, 2u);
  EXPECT_EQ(pv_mmu_invlpg(&q_, 0xffffffff80001000ull, 0), PVABI_OK);
  EXPECT_EQ(fake().last_invlpg, 0xffffffff80001000ull);
  // What needs other CPUs or separate user tables is the kernel's own business.
  EXPECT_EQ(pv_mmu_flush_tlb(&q_, 1), PVABI_ENOSYS);
  EXPECT_EQ(pv_mmu_invlpg(&q_, 0xffffffff80001000ull, 1), PVABI_ENOSYS);
  EXPECT_EQ(pv_mmu_set_baseptr(&q_, 1, 1), PVABI_ENOSYS);
}

TEST_F(NativeTest, UpdateVaMappingWalksFromCr3) {
  // L4 in frame 1, L3 in 2, L2 in 3, L1 in 4, for va.
  const pvabi::Gva va{0xffffffff80200000ull};
  g_memory[1][va.table_index(4)] = Pte::map(Mfn{2}, PVABI_PTE_WRITABLE).raw();
  g_memory[2][va.table_index(3)] = Pte::map(Mfn{3}, PVABI_PTE_WRITABLE).raw();
  g_memory[3][va.table_index(2)] = Pte::map(Mfn{4}, PVABI_PTE_WRITABLE).raw();
  fake().cr3 = 1 * PVABI_PAGE_SIZE;
  const uint64_t pte = Pte::map(Mfn{9}, PVABI_PTE_WRITABLE).raw();
  EXPECT_EQ(pv_mmu_update_va_mapping(&q_, va.value(), pte, PVABI_UVMF_INVLPG), PVABI_OK);
  EXPECT_EQ(g_memory[4][va.table_index(1)], pte);
  EXPECT_EQ(fake().last_invlpg, va.value());
  EXPECT_EQ(pv_mmu_update_va_mapping(&q_, va.value(), 0, PVABI_UVMF_INVLPG | PVABI_UVMF_ALL), PVABI_ENOSYS);
  EXPECT_EQ(g_memory[4][va.table_index(1)], pte);  // refused before anything changed
  g_memory[3][va.table_index(2)] |= PVABI_PTE_PAT_OR_LARGE;  // a 2 MiB page: no L1
  EXPECT_EQ(pv_mmu_update_va_mapping(&q_, va.value(), 0, PVABI_UVMF_NONE), PVABI_ENOENT);
}

TEST_F(NativeTest, PagesAreCopiedAndClearedThroughTheDirectMap) {
  std::memset(g_memory[5], 0x77, PVABI_PAGE_SIZE);
  EXPECT_EQ(pv_mmu_copy_page(&q_, 6, 5), PVABI_OK);
  EXPECT_EQ(std::memcmp(g_memory[5], g_memory[6], PVABI_PAGE_SIZE), 0);
  EXPECT_EQ(pv_mmu_clear_page(&q_, 5), PVABI_OK);
  EXPECT_EQ(g_memory[5][17], 0u);
}

TEST_F(NativeTest, MulticallRunsEachEntryHere) {
  pvabi_multicall_entry entries[2];
  uint64_t payload[64];
  pv_multicall mc;
  ASSERT_EQ(pv_multicall_init(&mc, entries, 2, payload, sizeof payload), PVABI_OK);
  const pvabi_mmu_update u = pvabi::pt_update(pvabi::Maddr{entry_maddr(7, 7)}, Pte{3});
  ASSERT_EQ(pv_multicall_add_mmu_update(&mc, &u, 1, PVABI_DOMID_SELF), PVABI_OK);
  ASSERT_EQ(pv_multicall_add_evtchn_send(&mc, 1), PVABI_OK);
  EXPECT_EQ(pv_multicall_flush(&mc), PVABI_ENOSYS);  // no event channels natively
  EXPECT_EQ(pv_multicall_failed_index(&mc), 1u);
  EXPECT_EQ(g_memory[7][7], 3u);
}

TEST_F(NativeTest, TimeIsTheTscWithTheCalibratedScale) {
  EXPECT_EQ(pv_time_system_ns(0), 0u);
  fake().tsc += 2000000000ull;  // one second at 2 GHz
  EXPECT_EQ(pv_time_system_ns(0), 1000000000u);
  EXPECT_EQ(pv_time_system_ns(1), 1000000000u);
  pv_native_set_wallclock(1700000000, 5);
  uint64_t sec;
  uint32_t nsec;
  pv_time_wallclock(0, &sec, &nsec);
  EXPECT_EQ(sec, 1700000001u);
  EXPECT_EQ(nsec, 5u);
  EXPECT_EQ(pv_set_timer(1), PVABI_ENOSYS);
}

TEST_F(NativeTest, FramesAreTheirOwnTranslation) {
  EXPECT_EQ(pv_pfn_to_mfn(5), 5u);
  EXPECT_EQ(pv_mfn_to_pfn(5), 5u);
  EXPECT_EQ(pv_pfn_to_mfn(kPages), PV_INVALID_FRAME);
  EXPECT_EQ(pv_virt_to_pfn(&g_memory[3][100]), 3u);
  EXPECT_EQ(pv_pfn_to_virt(3), &g_memory[3][0]);
  EXPECT_EQ(pv_p2m_set(1, 2), PVABI_ENOSYS);
}

TEST_F(NativeTest, WhatNeedsAHypervisorIsNotSupported) {
  uint32_t port;
  EXPECT_EQ(pv_evtchn_bind_ipi(0, &port), PVABI_ENOSYS);
  EXPECT_EQ(pv_sched_yield(), PVABI_ENOSYS);
  EXPECT_EQ(pv_vcpu_up(1), PVABI_ENOSYS);
  EXPECT_EQ(pv_set_trap_table(nullptr, 0), PVABI_ENOSYS);
  EXPECT_EQ(pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET, 0), PVABI_ENOSYS);
  EXPECT_EQ(pv_interface_version(), 0u);
  EXPECT_EQ(pv_event_upcall(0), 0u);  // every port masked, none pending
  EXPECT_EQ(pv_vcpu_info(0)->upcall_mask, 1);
}

}  // namespace
