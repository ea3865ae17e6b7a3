// create_domain_from_elf on a machine large enough for a Linux-sized guest:
// a module given in hypervisor memory is copied in after the image and named
// in start info; a 128 MiB domain whose image starts 16 MiB above virt_base
// (as vmlinux does) gets its image, module, p2m, tables and start info, and
// a module that does not fit is refused with nothing taken.
#include "elf_domain.h"

#include <chrono>
#include <cstring>
#include <vector>

#include "elf_format.h"
#include "gtest/gtest.h"
#include "guest_access.h"
#include "hv-core/platform/host/core_test.h"
#include "version.h"
#include "vcpu.h"

namespace hv {
namespace {

constexpr uint64_t kBase = 0xffffffff80000000ull;
constexpr uint64_t kMiB = 1ull << 20;

// A kernel with a virt_base note and one load at `vaddr`: `text` pattern
// bytes then `bss` zeros, entry at its start.
std::vector<uint8_t> kernel(uint64_t vaddr, uint64_t text, uint64_t bss) {
  // Two notes, as 32-bit words: header, "PVABI\0" padded to 8, description.
  const uint32_t notes[] = {6, 8, PVABI_ELFNOTE_VIRT_BASE, 0x42415650, 0x49, static_cast<uint32_t>(kBase),
                            static_cast<uint32_t>(kBase >> 32), 6, 4, PVABI_ELFNOTE_ABI_VERSION, 0x42415650, 0x49,
                            PVABI_INTERFACE_VERSION};
  Elf64Header h;
  h.entry = vaddr;
  h.phnum = 2;
  const uint64_t notes_at = sizeof h + 2 * sizeof(Elf64ProgramHeader);
  const uint64_t text_at = (notes_at + sizeof notes + 4095) & ~4095ull;
  const Elf64ProgramHeader ph[2] = {{kPtNote, 4, notes_at, 0, 0, sizeof notes, sizeof notes, 4},
                                    {kPtLoad, 7, text_at, vaddr, 0, text, text + bss, 4096}};
  std::vector<uint8_t> f(text_at + text);
  std::memcpy(f.data(), &h, sizeof h);
  std::memcpy(f.data() + sizeof h, ph, sizeof ph);
  std::memcpy(f.data() + notes_at, notes, sizeof notes);
  for (uint64_t i = 0; i < text; ++i) f[text_at + i] = static_cast<uint8_t>(i * 7 + 1);
  return f;
}

std::vector<uint8_t> ramdisk(uint64_t n) {
  std::vector<uint8_t> v(n);
  for (uint64_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i >> 12) ^ i ^ 0x5a);
  return v;
}

template <typename T>
T read(Domain& d, Gva at) {
  T value;
  EXPECT_EQ(copy_from_guest(*d.vcpus[0], at, &value, sizeof value), Status::kOk) << at.value();
  return value;
}

class ElfDomainTest : public host::CoreTest {
 protected:
  static void SetUpTestSuite() {
    host::MachineConfig big;
    big.frames = 40960;  // 160 MiB: a 128 MiB domain and room
    host::init_machine(big);
  }

  Result<ElfDomain> build(const std::vector<uint8_t>& image, uint64_t frames, const std::vector<uint8_t>& module,
                          bool copy_module = true) {
    ElfDomainSpec spec;
    spec.image = image.data();
    spec.image_size = image.size();
    spec.config.name = "big";
    spec.config.memory_frames = frames;
    spec.cmdline = "console=hvc0";
    spec.module_bytes = module.size();
    spec.module = copy_module ? module.data() : nullptr;
    return create_domain_from_elf(spec);
  }
};

TEST_F(ElfDomainTest, ModuleIsCopiedAfterTheImageAndNamedInStartInfo) {
  const std::vector<uint8_t> module = ramdisk(3 * 4096 + 123);
  const Result<ElfDomain> r = build(kernel(kBase, 5000, 9000), 256, module);
  ASSERT_EQ(r.status, Status::kOk);
  Domain& d = *r.value.domain;
  const auto si = read<pvabi_start_info>(d, r.value.layout.start_info);
  EXPECT_EQ(si.module_va, kBase + 4 * 4096);  // 14000 bytes of image: 4 pages
  EXPECT_EQ(si.module_va, r.value.module.value());
  EXPECT_EQ(si.module_len, module.size());
  std::vector<uint8_t> seen(module.size());
  ASSERT_EQ(copy_from_guest(*d.vcpus[0], Gva{si.module_va}, seen.data(), seen.size()), Status::kOk);
  EXPECT_EQ(seen, module);
  EXPECT_GE(r.value.layout.first_free_pfn, 4 + 4u);  // the builder's frames come after the module
  EXPECT_EQ(read<uint8_t>(d, Gva{kBase + 4999}), static_cast<uint8_t>(4999 * 7 + 1));
}

TEST_F(ElfDomainTest, RoomOnlyWithoutTheModulesBytes) {
  const std::vector<uint8_t> module = ramdisk(5000);
  const Result<ElfDomain> r = build(kernel(kBase, 5000, 0), 256, module, false);
  ASSERT_EQ(r.status, Status::kOk);
  const auto si = read<pvabi_start_info>(*r.value.domain, r.value.layout.start_info);
  EXPECT_EQ(si.module_va, 0u);
  EXPECT_EQ(si.module_len, 0u);
  EXPECT_EQ(r.value.module.value(), kBase + 2 * 4096);
  EXPECT_GE(r.value.layout.first_free_pfn, 4u);
}

TEST_F(ElfDomainTest, LinuxSizedDomainIsBuiltQuickly) {
  // vmlinux-like: loaded 16 MiB above virt_base, 24 MiB of file and 16 MiB of bss.
  const uint64_t text = 24 * kMiB, bss = 16 * kMiB;
  const std::vector<uint8_t> image = kernel(kBase + 16 * kMiB, text, bss);
  const std::vector<uint8_t> module = ramdisk(6 * kMiB + 17);
  const uint64_t frames = 32768;  // 128 MiB
  const auto start = std::chrono::steady_clock::now();
  const Result<ElfDomain> r = build(image, frames, module);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_LT(took, std::chrono::seconds(2));
  Domain& d = *r.value.domain;
  Vcpu& v = *d.vcpus[0];
  EXPECT_EQ(v.cpu.regs.rip, kBase + 16 * kMiB);
  const auto si = read<pvabi_start_info>(d, Gva{v.cpu.regs.rsi});
  EXPECT_EQ(si.nr_pages, frames);
  EXPECT_STREQ(reinterpret_cast<const char*>(si.cmdline), "console=hvc0");
  const uint64_t image_end = kBase + 16 * kMiB + text + bss;
  EXPECT_EQ(si.module_va, image_end);
  EXPECT_EQ(si.module_len, module.size());
  // Text, bss and module read back at their addresses.
  for (uint64_t i : {uint64_t{0}, uint64_t{1234 * 4096 + 17}, text / 2, text - 1}) {
    EXPECT_EQ(read<uint8_t>(d, Gva{kBase + 16 * kMiB + i}), static_cast<uint8_t>(i * 7 + 1)) << i;
  }
  EXPECT_EQ(read<uint64_t>(d, Gva{kBase + 16 * kMiB + text + bss - 8}), 0u);
  std::vector<uint8_t> seen(module.size());
  ASSERT_EQ(copy_from_guest(v, Gva{si.module_va}, seen.data(), seen.size()), Status::kOk);
  EXPECT_TRUE(seen == module);
  // Start info, p2m and tables follow the module, inside the domain.
  const uint64_t module_end_pfn = (si.module_va + si.module_len + 4095 - kBase) / 4096;
  EXPECT_GE((si.p2m_list_va - kBase) / 4096, module_end_pfn);
  EXPECT_GE((r.value.layout.start_info.value() - kBase) / 4096, module_end_pfn);
  EXPECT_LT(si.first_free_pfn, frames);
  const Result<Maddr> last = translate(v, Gva{kBase + (frames - 1) * 4096}, false);
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(read<uint64_t>(d, Gva{si.p2m_list_va + (frames - 1) * 8}), last.value.frame().value());
  // The last pfn is mapped, and the shared info page just past it.
  EXPECT_EQ(si.shared_info_va, kBase + frames * 4096);
  EXPECT_TRUE(check_invariants().ok());
}

TEST_F(ElfDomainTest, AModuleThatDoesNotFitIsRefusedWithNothingTaken) {
  const uint64_t free = frame_table().free_frames();
  const std::vector<uint8_t> module = ramdisk(1 * kMiB);  // 256 frames: the whole domain
  const Result<ElfDomain> r = build(kernel(kBase, 5000, 0), 256, module);
  EXPECT_EQ(r.status, Status::kInvalid);
  EXPECT_EQ(frame_table().free_frames(), free);
  EXPECT_EQ(build(kernel(kBase, 5000, 0), 512, module).status, Status::kOk);
}

}  // namespace
}  // namespace hv
