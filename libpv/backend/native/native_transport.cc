// The native backend's transport (libpv_native.a): each hypercall libpv
// makes is done here, at ring 0, or answered PVABI_ENOSYS.
#include "native.h"
#include "native_cpu.h"
#include "transport.h"

namespace libpv::transport {
namespace {

template <typename T>
T* at(uint64_t va) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(va));
}

int64_t multicall(uint64_t list, uint64_t count, uint64_t done_va) {
  if (count > PVABI_MULTICALL_MAX) return PVABI_E2BIG;
  auto* entries = at<pvabi_multicall_entry>(list);
  uint64_t done = 0;
  int64_t rc = PVABI_OK;
  for (; done < count; ++done) {
    pvabi_multicall_entry& e = entries[done];
    if (e.op == PVABI_HC_MULTICALL || e.op == PVABI_HC_IRET) {
      rc = PVABI_EINVAL;
      break;
    }
    e.result = hypercall(e.op, e.args[0], e.args[1], e.args[2], e.args[3], e.args[4], e.args[5]);
  }
  if (done_va != 0) *at<uint32_t>(done_va) = static_cast<uint32_t>(done);
  return rc;
}

}  // namespace

int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t, uint64_t) {
  switch (nr) {
    case PVABI_HC_CONSOLE_IO: return native::console_io(a0, a1, a2);
    case PVABI_HC_MMU_UPDATE: return native::mmu_update(a0, a1, a2, a3);
    case PVABI_HC_MMUEXT_OP: return native::mmuext_op(a0, a1, a2, a3);
    case PVABI_HC_UPDATE_VA_MAPPING: return native::update_va_mapping(a0, a1, a2);
    case PVABI_HC_MULTICALL: return multicall(a0, a1, a2);
    default: return PVABI_ENOSYS;  // see libpv/native.h
  }
}

uint64_t read_tsc() { return native::cpu::rdtsc(); }

// Not reached: pv_init is not used natively, and the identity p2m answers first.
uint64_t mfn_to_pfn(uint64_t mfn) { return mfn; }

}  // namespace libpv::transport
