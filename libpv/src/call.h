// libpv/src/call.h: hypercalls as libpv's own code makes them.
#ifndef LIBPV_SRC_CALL_H
#define LIBPV_SRC_CALL_H

#include <pvabi/pvabi.h>

#include "guest_memory.h"
#include "transport.h"

namespace libpv {

[[nodiscard]] inline int64_t hc(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                                uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
  return transport::hypercall(nr, a0, a1, a2, a3, a4, a5);
}

// A status for the C API: v1 statuses and counts fit an int.
[[nodiscard]] inline int status(int64_t rc) { return static_cast<int>(rc); }

// One operation whose argument is a struct the hypervisor reads and may
// write (event channel, vCPU, memory and version operations).
template <typename T>
[[nodiscard]] inline int op_on(uint64_t nr, uint64_t cmd, T* arg) {
  return status(hc(nr, cmd, arg_out(arg, sizeof *arg)));
}

}  // namespace libpv

#endif  // LIBPV_SRC_CALL_H
