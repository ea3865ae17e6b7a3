// libpv/src/transport.h: the seam between libpv and what is underneath it,
// chosen at link time: each backend library (pv, native, host) defines
// these once. libpv's code calls them directly: no function pointers.
#ifndef LIBPV_SRC_TRANSPORT_H
#define LIBPV_SRC_TRANSPORT_H

#include <stdint.h>

namespace libpv::transport {

// Hypercall `nr`; returns rax.
[[nodiscard]] int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                uint64_t a4, uint64_t a5);

// The clock the time areas are stamped with.
[[nodiscard]] uint64_t read_tsc();

// Machine frame -> pseudo-physical frame (the hypervisor's read-only table),
// PV_INVALID_FRAME past its end.
[[nodiscard]] uint64_t mfn_to_pfn(uint64_t mfn);

}  // namespace libpv::transport

#endif  // LIBPV_SRC_TRANSPORT_H
