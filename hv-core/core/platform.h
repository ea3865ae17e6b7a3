// hv-core/core/platform.h: the seam between the portable core and the
// machine. Exactly one platform links these in: the x86-64 bare-metal arch
// or the host platform (tests, fuzzing, pvsim). Plain functions, no virtual
// calls, so hot paths inline nothing they do not need.
#ifndef HV_CORE_CORE_PLATFORM_H
#define HV_CORE_CORE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "pvabi/types.hpp"

namespace hv::platform {

[[noreturn]] void panic(const char* file, int line, const char* what);

// Zeroed memory for the core's own objects; nullptr when exhausted.
void* alloc_zeroed(size_t bytes);
void free(void* p, size_t bytes);

// Machine memory: frames [0, machine_frames()) are accessible here; the
// frames from first_guest_frame() on are the core's to hand to domains.
uint64_t machine_frames();
uint64_t first_guest_frame();
uint8_t* frame_memory(pvabi::Mfn frame);

// Time: a TSC that never goes back, and its rate.
uint64_t read_tsc();
uint64_t tsc_hz();

// TLB maintenance for the address spaces of one domain's vCPUs. The core
// calls these after a change that must not be seen through stale entries.
void flush_tlb_domain(pvabi::DomId domain);
void invlpg_domain(pvabi::DomId domain, pvabi::Gva va);

// What the hypervisor keeps in reserved L4 slot `slot` of every address
// space (PVABI_L4_FIRST_RESERVED_SLOT <= slot < ... + PVABI_L4_RESERVED_SLOTS).
uint64_t reserved_l4_entry(unsigned slot);

// True when something else should run: long batches stop at the next item
// with PVABI_ERESTART and an exact done count.
bool preemption_requested();

// A line of a domain's console output (the core has buffered it).
void console_output(pvabi::DomId domain, const char* name, const char* text, size_t len);

}  // namespace hv::platform

#endif  // HV_CORE_CORE_PLATFORM_H
