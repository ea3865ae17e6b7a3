// The raw hypercall (libpv/hypercall.h).
#include <libpv/hypercall.h>

#include "transport.h"

extern "C" int64_t pv_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                uint64_t a4, uint64_t a5) {
  return libpv::transport::hypercall(nr, a0, a1, a2, a3, a4, a5);
}
