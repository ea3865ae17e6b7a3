#include "reserved_slots.h"

#include "guest_regs_offsets.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/platform.h"

extern "C" uint64_t boot_pml4[512];  // boot.S

namespace hv::arch {
namespace {

constexpr uint64_t kPage = PVABI_PAGE_SIZE;
constexpr unsigned kM2pSlot = (PVABI_M2P_VIRT_START >> 39) & 511;

// The M2P's L3 table, in low (identity-mapped) memory: guests reach it, and
// everything under it, read-only and never executable.
uint64_t g_m2p_l4_entry = 0;

uint64_t* new_table() { return static_cast<uint64_t*>(platform::alloc_zeroed(kPage)); }
uint64_t table_entry(const void* table) { return reinterpret_cast<uint64_t>(table) | PVABI_PTE_PRESENT | PVABI_PTE_USER | PVABI_PTE_NX; }

}  // namespace

bool map_m2p_for_guests() {
  const uint64_t* table = frame_table().m2p_table();
  const uint64_t base = reinterpret_cast<uint64_t>(table);
  HV_CHECK(base % kPage == 0);  // alloc_zeroed page-aligns it, so no neighbour leaks
  const uint64_t pages = (frame_table().size() * sizeof(uint64_t) + kPage - 1) / kPage;
  HV_CHECK(pages <= 512 * 512);  // one L2 table: 1 GiB of M2P, 512 GiB of machine memory
  uint64_t* l3 = new_table();
  uint64_t* l2 = new_table();
  if (l3 == nullptr || l2 == nullptr) return false;
  l3[0] = table_entry(l2);
  for (uint64_t first = 0; first < pages; first += 512) {
    uint64_t* l1 = new_table();
    if (l1 == nullptr) return false;
    l2[first / 512] = table_entry(l1);
    for (uint64_t i = 0; i < 512 && first + i < pages; ++i) l1[i] = table_entry(reinterpret_cast<void*>(base + (first + i) * kPage));
  }
  g_m2p_l4_entry = table_entry(l3);
  return true;
}

uint64_t hypervisor_l4_entry(unsigned slot) {
  if (slot == HV_ALIAS_L4_SLOT) return boot_pml4[slot];
  if (slot == kM2pSlot) return g_m2p_l4_entry;
  return 0;
}

}  // namespace hv::arch
