// hv-core/core/boot_options.h: hv-core's own words on a boot module's
// command line. Words starting with "hv." are options for the hypervisor and
// are taken out of what the guest sees; every other word is the guest's, in
// order, one space apart.
//
//   hv.mem=<N>M   the domain's memory in MiB, 1 to kMaxBootMemoryMiB
//                 (default: kDefaultBootFrames frames, 1 MiB)
//   hv.ramdisk    the next boot module is this domain's initial ramdisk,
//                 loaded after its kernel and named in start info
//   hv.console    what is typed on the hypervisor's serial line goes to
//                 this domain's console (default: the first domain built)
//
//   BootOptions o;
//   if (parse_boot_options("hv.mem=64M console=hvc0", o) != Status::kOk) say(o.problem);
//   // o.memory_frames == 16384, o.guest_cmdline == "console=hvc0"
#ifndef HV_CORE_CORE_BOOT_OPTIONS_H
#define HV_CORE_CORE_BOOT_OPTIONS_H

#include "base.h"

namespace hv {

inline constexpr uint64_t kDefaultBootFrames = 256;
// The builder maps all of a domain's memory inside the 2 GiB above a
// kernel's usual virt_base (0xffffffff80000000); half of that leaves room.
inline constexpr uint64_t kMaxBootMemoryMiB = 1024;

struct BootOptions {
  uint64_t memory_frames = kDefaultBootFrames;
  bool ramdisk_follows = false;
  bool console_input = false;
  char guest_cmdline[PVABI_START_INFO_CMDLINE_LEN] = {};
  const char* problem = "";  // why parsing failed, for the console
};

// EINVAL, with `problem` naming the first, for an unknown or malformed hv.
// word or a guest command line longer than start info holds. Every word is
// read even then, so ramdisk_follows tells a caller refusing the kernel
// whether the next module is its ramdisk.
[[nodiscard]] Status parse_boot_options(const char* words, BootOptions& out);

}  // namespace hv

#endif  // HV_CORE_CORE_BOOT_OPTIONS_H
