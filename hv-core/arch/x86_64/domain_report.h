// hv-core/arch/x86_64/domain_report.h: the end of a run: one table row per
// domain on the console, and QEMU's exit status from how the domains ended.
#ifndef HV_CORE_ARCH_X86_64_DOMAIN_REPORT_H
#define HV_CORE_ARCH_X86_64_DOMAIN_REPORT_H

namespace hv::arch {

// isa-debug-exit codes (QEMU's status is code * 2 + 1).
inline constexpr unsigned kExitAllFinished = 0;  // every domain shut down, none crashed
inline constexpr unsigned kExitGuestCrashed = 1;  // a domain crashed (or a test kernel failed)
inline constexpr unsigned kExitGuestStuck = 2;    // a domain never finished: blocked with nothing to wake it
inline constexpr unsigned kExitHypervisorFailed = 3;

[[noreturn]] void report_and_exit();

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_DOMAIN_REPORT_H
