#include "domain_builder.h"

#include "domain.h"
#include "frame_table.h"
#include "guest_access.h"
#include "hypercall_page.h"
#include "mmu.h"
#include "page_table.h"

namespace hv {
namespace {

constexpr uint64_t kEntries = 512;

uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The machine frame of every pfn, from the m2p of the domain's frames.
void collect_p2m(const Domain& d, Mfn* p2m, uint64_t pfns) {
  const FrameTable& ft = frame_table();
  for (uint32_t f = ft.first_owned(d); f != kNoFrameIndex; f = ft.next_owned(f)) {
    const uint64_t pfn = ft.m2p(Mfn{f});
    if (pfn < pfns) p2m[pfn] = Mfn{f};
  }
}

}  // namespace

Mfn builder_p2m(const Domain& d, uint64_t pfn) {
  const FrameTable& ft = frame_table();
  for (uint32_t f = ft.first_owned(d); f != kNoFrameIndex; f = ft.next_owned(f)) {
    if (ft.m2p(Mfn{f}) == pfn && Mfn{f} != d.shared_info_frame) return Mfn{f};
  }
  return kNoFrame;
}

Result<BuildResult> build_address_space(Domain& d, const BuildSpec& spec) {
  const uint64_t pfns = d.nr_frames - 1;  // less the shared info page
  if ((spec.virt_base & ((1ull << 30) - 1)) != 0 || !Gva{spec.virt_base}.canonical()) {
    return Result<BuildResult>::error(Status::kInvalid);
  }
  // Mapped: every pfn, then the shared info page.
  const uint64_t mapped = pfns + 1;
  const uint64_t l1s = div_up(mapped, kEntries);
  const uint64_t l2s = div_up(l1s, kEntries);
  const uint64_t l3s = 1;  // the map fits the rest of one L3 table (checked below)
  const uint64_t tables = l1s + l2s + l3s + 1;
  const uint64_t p2m_frames = div_up(pfns * 8, PVABI_PAGE_SIZE);
  const uint64_t start_pfn = spec.image_frames;
  const uint64_t p2m_pfn = start_pfn + 1;
  const uint64_t hypercall_pfn = p2m_pfn + p2m_frames;
  const uint64_t stack_pfn = hypercall_pfn + 1;
  const uint64_t table_pfn = stack_pfn + spec.boot_stack_frames;
  const uint64_t first_free = table_pfn + tables;
  const Gva base{spec.virt_base};
  if (first_free > pfns || l2s > kEntries - base.table_index(3)) {
    return Result<BuildResult>::error(Status::kInvalid);
  }

  Mfn* p2m = create_array<Mfn>(pfns);
  if (p2m == nullptr) return Result<BuildResult>::error(Status::kNoMemory);
  collect_p2m(d, p2m, pfns);
  auto table_mfn = [&](uint64_t index) { return p2m[table_pfn + index]; };
  // Table order: L1s, L2s, L3s, then the L4.
  const uint64_t first_l2 = l1s, first_l3 = l1s + l2s, l4_index = l1s + l2s + l3s;
  const uint64_t flags = PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE | PVABI_PTE_USER;
  auto frame_of_mapped = [&](uint64_t i) { return i < pfns ? p2m[i] : d.shared_info_frame; };
  for (uint64_t i = 0; i < mapped; ++i) {
    const uint64_t pfn = i;
    const bool is_table = pfn >= table_pfn && pfn < table_pfn + tables;
    table_entries(table_mfn(i / kEntries))[i % kEntries] =
        Pte::map(frame_of_mapped(i), is_table ? PVABI_PTE_USER : flags).raw();
  }
  for (uint64_t i = 0; i < l1s; ++i) {
    table_entries(table_mfn(first_l2 + i / kEntries))[i % kEntries] = Pte::map(table_mfn(i), flags).raw();
  }
  for (uint64_t i = 0; i < l2s; ++i) {
    table_entries(table_mfn(first_l3))[base.table_index(3) + i] = Pte::map(table_mfn(first_l2 + i), flags).raw();
  }
  table_entries(table_mfn(l4_index))[base.table_index(4)] = Pte::map(table_mfn(first_l3), flags).raw();
  // p2m list for the guest.
  for (uint64_t pfn = 0; pfn < pfns; ++pfn) {
    reinterpret_cast<pvabi_u64*>(platform::frame_memory(p2m[p2m_pfn + pfn / 512]))[pfn % 512] = p2m[pfn].value();
  }
  write_hypercall_page(platform::frame_memory(p2m[hypercall_pfn]));
  const Mfn l4 = table_mfn(l4_index);
  const Mfn start_frame = p2m[start_pfn];
  destroy_array(p2m, pfns);

  // Pin the root: every table is validated by the same code as a guest's.
  FrameTable& ft = frame_table();
  HV_CHECK(ft.get_ref(d, l4) == Status::kOk);
  if (const Status s = ft.get_type(d, l4, FrameType::kL4); s != Status::kOk) {
    ft.put_ref(l4);
    return Result<BuildResult>::error(s);
  }
  ft.info(l4).flags |= kFramePinned;
  Vcpu& v0 = *d.vcpus[0];
  HV_CHECK(set_baseptr(v0, l4, false) == Status::kOk);

  BuildResult r;
  r.l4 = l4;
  r.start_info = base + start_pfn * PVABI_PAGE_SIZE;
  r.shared_info = base + pfns * PVABI_PAGE_SIZE;
  r.hypercall_page = base + hypercall_pfn * PVABI_PAGE_SIZE;
  r.boot_stack_top = base + table_pfn * PVABI_PAGE_SIZE;
  r.first_free = base + first_free * PVABI_PAGE_SIZE;
  r.first_free_pfn = first_free;

  auto* si = reinterpret_cast<pvabi_start_info*>(platform::frame_memory(start_frame));
  copy_bytes(si->magic, PVABI_START_INFO_MAGIC, sizeof(PVABI_START_INFO_MAGIC));
  si->abi_version = PVABI_INTERFACE_VERSION;
  si->flags = d.privileged ? PVABI_SIF_PRIVILEGED : 0;
  si->nr_pages = pfns;
  si->shared_info_maddr = d.shared_info_frame.address().value();
  si->shared_info_va = r.shared_info.value();
  si->hypercall_page_va = r.hypercall_page.value();
  si->pt_base_va = (base + (table_pfn + l4_index) * PVABI_PAGE_SIZE).value();
  si->nr_pt_frames = tables;
  si->p2m_list_va = (base + p2m_pfn * PVABI_PAGE_SIZE).value();
  si->virt_base = base.value();
  si->first_free_pfn = first_free;
  si->boot_stack_top_va = r.boot_stack_top.value();
  si->console_port = spec.console_port;
  si->domid = d.id.value();
  si->nr_vcpus = static_cast<uint16_t>(d.max_vcpus);
  copy_bytes(si->name, d.name, sizeof si->name);
  for (size_t i = 0; i + 1 < sizeof si->cmdline && spec.cmdline[i] != '\0'; ++i) si->cmdline[i] = static_cast<uint8_t>(spec.cmdline[i]);
  return Result<BuildResult>::ok(r);
}

}  // namespace hv
