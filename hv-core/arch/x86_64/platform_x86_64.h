// hv-core/arch/x86_64/platform_x86_64.h: bare-metal set-up the seam needs.
#ifndef HV_CORE_ARCH_X86_64_PLATFORM_X86_64_H
#define HV_CORE_ARCH_X86_64_PLATFORM_X86_64_H

#include <stdint.h>

namespace hv::arch {

// Machine memory (bytes from address 0), the heap after the image and after
// `reserved_end` (boot modules), the TSC rate.
[[nodiscard]] bool init_platform(uint64_t memory_bytes, uint64_t reserved_end);
// Bytes of the hypervisor heap handed out so far (it never frees).
[[nodiscard]] uint64_t heap_bytes_used();
// Leaves QEMU through isa-debug-exit (iobase 0xf4): exit status (code << 1) | 1.
[[noreturn]] void qemu_exit(uint32_t code);

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_PLATFORM_X86_64_H
