// hv-core/arch/x86_64/hv_main.cc: the bare-metal entry after long mode.
// Today it brings up the core on the machine's memory, builds a domain
// with the real domain builder (its page tables validated by the same code
// as on the host), drives a few hypercalls as that domain, checks the
// invariants, then builds a domain from each boot module (its hv. options,
// boot_options.h, set its memory and name its ramdisk, the next module) and
// runs them in ring 3, reporting on COM1 and through isa-debug-exit.
#include "hv-core/core/boot_options.h"
#include "hv-core/core/domain.h"
#include "hv-core/core/domain_builder.h"
#include "hv-core/core/elf_domain.h"
#include "hv-core/core/frame_table.h"
#include "hv-core/core/guest_access.h"
#include "hv-core/core/hypercall.h"
#include "hv-core/core/invariants.h"
#include "hv-core/core/text.h"
#include "domain_report.h"
#include "guest_entry.h"
#include "reserved_slots.h"
#include "hv-core/core/sched.h"
#include "platform_x86_64.h"
#include "console_input.h"
#include "serial.h"

namespace {

constexpr uint32_t kMultibootLoaderMagic = 0x2badb002;

struct MultibootInfo {
  uint32_t flags;
  uint32_t mem_lower;  // KiB below 1 MiB
  uint32_t mem_upper;  // KiB above 1 MiB
  uint32_t boot_device;
  uint32_t cmdline;
  uint32_t mods_count;  // valid with flags bit 3
  uint32_t mods_addr;
};

struct MultibootModule {
  uint32_t start;
  uint32_t end;
  uint32_t string;  // the module's command line: its file name first
  uint32_t reserved;
};

constexpr uint32_t kMultibootMemory = 1u << 0;
constexpr uint32_t kMultibootModules = 1u << 3;

uint32_t module_count(const MultibootInfo* info) {
  return (info->flags & kMultibootModules) != 0 ? info->mods_count : 0;
}
const MultibootModule* modules(const MultibootInfo* info) {
  return reinterpret_cast<const MultibootModule*>(uint64_t{info->mods_addr});
}

uint64_t modules_end(const MultibootInfo* info) {
  uint64_t end = 0;
  for (uint32_t i = 0; i < module_count(info); ++i) {
    if (modules(info)[i].end > end) end = modules(info)[i].end;
  }
  return end;
}

// A domain's name from its module's file name: the last path component
// without ".elf", cut to fit (after dropping the suffix, so a long name
// keeps its own characters rather than part of ".elf").
void module_name(const char* path, char (&name)[32]) {
  const char* base = path;
  for (const char* p = path; *p != '\0' && *p != ' '; ++p) {
    if (*p == '/') base = p + 1;
  }
  size_t n = 0;
  while (base[n] != '\0' && base[n] != ' ') ++n;
  if (n > 4 && base[n - 4] == '.' && base[n - 3] == 'e' && base[n - 2] == 'l' && base[n - 1] == 'f') n -= 4;
  if (n + 1 > sizeof name) n = sizeof name - 1;
  for (size_t i = 0; i < n; ++i) name[i] = base[i];
  name[n] = '\0';
}

const char* module_line(const MultibootModule& m) { return reinterpret_cast<const char*>(uint64_t{m.string}); }

// What follows the file name on the module's command line: hv. options
// (boot_options.h) and the domain's own words.
const char* module_arguments(const char* line) {
  while (*line != '\0' && *line != ' ') ++line;
  while (*line == ' ') ++line;
  return line;
}

const char* refusal(hv::Status s) {
  switch (s) {
    case hv::Status::kNotSupported: return "it needs an ABI version or feature this hypervisor does not offer";
    case hv::Status::kInvalid: return "not a valid pvabi guest kernel image, or it and its ramdisk do not fit hv.mem";
    case hv::Status::kNoMemory: return "not enough free memory for the domain (hv.mem)";
    default: return pvabi::status_name(s);
  }
}

[[noreturn]] void fail(const char* what) {
  hv::Text t;
  t << "hv-core: FAIL: " << what;
  hv::arch::serial_line(t.c_str());
  hv::arch::qemu_exit(hv::arch::kExitHypervisorFailed);
}

int64_t call(hv::Vcpu& v, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
  return hv::hypercall(v, nr, hv::HypercallArgs{{a0, a1, a2, a3, 0, 0}});
}

}  // namespace

extern "C" [[noreturn]] void hv_main(uint32_t magic, const MultibootInfo* info) {
  hv::arch::serial_init();
  hv::arch::serial_puts("hv-core: x86-64 long mode, serial up\n");
  if (magic != kMultibootLoaderMagic || (info->flags & kMultibootMemory) == 0) {
    fail("no multiboot memory information");
  }
  const uint64_t memory = (1ull << 20) + uint64_t{info->mem_upper} * 1024;
  if (!hv::arch::init_platform(memory, modules_end(info))) fail("not enough memory");
  if (!hv::init_core()) fail("core initialisation");
  if (!hv::arch::map_m2p_for_guests()) fail("mapping the M2P table for guests");
  hv::Text t;
  t << "hv-core: " << memory / (1 << 20) << " MiB, " << hv::frame_table().free_frames() << " frames for guests, TSC "
    << hv::platform::tsc_hz() / 1000000 << " MHz";
  hv::arch::serial_line(t.c_str());

  hv::DomainConfig config;
  config.name = "smoke";
  config.memory_frames = 256;
  const hv::Result<hv::Domain*> d = hv::create_domain(config);
  if (!d.is_ok()) fail("create_domain");
  const hv::Result<hv::BuildResult> built = hv::build_address_space(*d.value, hv::BuildSpec{});
  if (!built.is_ok()) fail("build_address_space");
  hv::Vcpu& v = *d.value->vcpus[0];

  if (call(v, PVABI_HC_VERSION, PVABI_VERSION_OP_GET) != PVABI_INTERFACE_VERSION) fail("version");
  // Remap the last free page read-only, then writable again, through mmu_update.
  const pvabi::Gva page = built.value.first_free;
  const hv::Result<hv::L1Slot> slot = hv::find_l1_slot(v, page);
  if (!slot.is_ok()) fail("find_l1_slot");
  const pvabi::Maddr entry = slot.value.table.address() + slot.value.slot * 8;
  const hv::Result<pvabi::Maddr> frame = hv::translate(v, page, false);
  const pvabi_mmu_update reqs[2] = {
      pvabi::pt_update(entry, pvabi::Pte::map(frame.value.frame(), 0)),
      pvabi::pt_update(entry, pvabi::Pte::map(frame.value.frame(), PVABI_PTE_WRITABLE)),
  };
  const pvabi::Gva list = page + 64;
  if (hv::copy_to_guest(v, list, reqs, sizeof reqs) != hv::Status::kOk) fail("copy_to_guest");
  if (call(v, PVABI_HC_MMU_UPDATE, list.value(), 2, 0, PVABI_DOMID_SELF) != PVABI_OK) fail("mmu_update");
  const char hello[] = "hello from a domain built on bare metal\n";
  if (hv::copy_to_guest(v, list, hello, sizeof hello - 1) != hv::Status::kOk) fail("copy_to_guest");
  if (call(v, PVABI_HC_CONSOLE_IO, PVABI_CONSOLE_WRITE, list.value(), sizeof hello - 1) < 0) fail("console");
  t.clear();
  t << "hv-core: domain " << uint64_t{d.value->id.value()} << " built, " << d.value->stats.mmu_updates
    << " MMU updates";
  hv::arch::serial_line(t.c_str());
  hv::destroy_domain(d.value);  // it has no code to run
  hv::arch::init_cpu_tables();
  // Each boot module is a guest kernel, or the ramdisk of the kernel before
  // it (hv.ramdisk): build its domain, or say why not.
  const uint64_t heap_before = hv::arch::heap_bytes_used();
  uint64_t built_count = 0;
  for (uint32_t i = 0; i < module_count(info); ++i) {
    const MultibootModule& m = modules(info)[i];
    char name[32];
    module_name(module_line(m), name);
    hv::BootOptions options;
    const hv::Status parsed = hv::parse_boot_options(module_arguments(module_line(m)), options);
    const MultibootModule* ramdisk = nullptr;
    if (options.ramdisk_follows && i + 1 < module_count(info)) ramdisk = &modules(info)[++i];
    t.clear();
    if (parsed != hv::Status::kOk) {
      t << name << ": refused: " << options.problem << "; not started";
      hv::arch::serial_line(t.c_str());
      continue;
    }
    if (options.ramdisk_follows && ramdisk == nullptr) {
      t << name << ": refused: hv.ramdisk, but no module follows; not started";
      hv::arch::serial_line(t.c_str());
      continue;
    }
    hv::ElfDomainSpec spec;
    spec.image = reinterpret_cast<const uint8_t*>(uint64_t{m.start});
    spec.image_size = m.end - m.start;
    spec.config.name = name;
    spec.config.memory_frames = options.memory_frames;
    spec.cmdline = options.guest_cmdline;
    if (ramdisk != nullptr) {
      spec.module = reinterpret_cast<const uint8_t*>(uint64_t{ramdisk->start});
      spec.module_bytes = ramdisk->end - ramdisk->start;
    }
    const hv::Result<hv::ElfDomain> built = hv::create_domain_from_elf(spec);
    if (built.is_ok()) {
      ++built_count;
      hv::arch::offer_console_input(built.value.domain->id, options.console_input);
      hv::domain_unpause(*built.value.domain);
      t << name << ": built from its ELF image as domain " << uint64_t{built.value.domain->id.value()}
        << ", ABI " << uint64_t{PVABI_VERSION_MAJOR(built.value.elf.abi_version)} << "."
        << uint64_t{PVABI_VERSION_MINOR(built.value.elf.abi_version)} << ", "
        << built.value.domain->nr_frames << " frames";
      if (ramdisk != nullptr) t << ", ramdisk of " << spec.module_bytes << " bytes";
    } else {
      t << name << ": refused: " << refusal(built.status) << " (" << pvabi::status_name(built.status)
        << "); not started";
    }
    hv::arch::serial_line(t.c_str());
  }
  if (built_count > 0) {
    const uint64_t bytes = hv::arch::heap_bytes_used() - heap_before;
    t.clear();
    t << "hv-core: " << built_count << " domains built; hypervisor state " << bytes << " bytes, "
      << bytes / built_count << " per domain";
    hv::arch::serial_line(t.c_str());
  }
  const hv::InvariantReport r = hv::check_invariants();
  if (!r.ok()) fail(r.first.c_str());
  hv::arch::serial_puts("hv-core: invariants hold; running the guests in ring 3\n");
  hv::arch::run_guests();
}
