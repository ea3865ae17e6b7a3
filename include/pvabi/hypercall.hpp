// pvabi/hypercall.hpp: hypercall numbers as an enum class, and multicall
// entries built at compile time.
//
//     constexpr auto e = pvabi::multicall_entry(pvabi::Hypercall::kSchedOp,
//                                               PVABI_SCHEDOP_YIELD, 0);
#ifndef PVABI_HYPERCALL_HPP
#define PVABI_HYPERCALL_HPP

#include <pvabi/hypercall.h>

namespace pvabi {

enum class Hypercall : uint64_t {
  kVersion = PVABI_HC_VERSION,
  kConsoleIo = PVABI_HC_CONSOLE_IO,
  kMmuUpdate = PVABI_HC_MMU_UPDATE,
  kMmuextOp = PVABI_HC_MMUEXT_OP,
  kUpdateVaMapping = PVABI_HC_UPDATE_VA_MAPPING,
  kMulticall = PVABI_HC_MULTICALL,
  kVmAssist = PVABI_HC_VM_ASSIST,
  kMemoryOp = PVABI_HC_MEMORY_OP,
  kSetTrapTable = PVABI_HC_SET_TRAP_TABLE,
  kCallbackOp = PVABI_HC_CALLBACK_OP,
  kStackSwitch = PVABI_HC_STACK_SWITCH,
  kSetGdt = PVABI_HC_SET_GDT,
  kUpdateDescriptor = PVABI_HC_UPDATE_DESCRIPTOR,
  kSetSegmentBase = PVABI_HC_SET_SEGMENT_BASE,
  kFpuTaskswitch = PVABI_HC_FPU_TASKSWITCH,
  kIret = PVABI_HC_IRET,
  kSchedOp = PVABI_HC_SCHED_OP,
  kSetTimerOp = PVABI_HC_SET_TIMER_OP,
  kVcpuOp = PVABI_HC_VCPU_OP,
  kEventChannelOp = PVABI_HC_EVENT_CHANNEL_OP,
  kGrantTableOp = PVABI_HC_GRANT_TABLE_OP,
  kDomctl = PVABI_HC_DOMCTL,
};

// Offset of a hypercall's stub in the hypercall page.
[[nodiscard]] constexpr uint64_t stub_offset(Hypercall h) {
  return static_cast<uint64_t>(h) * PVABI_HYPERCALL_STUB_SIZE;
}

[[nodiscard]] constexpr pvabi_multicall_entry multicall_entry(Hypercall op, uint64_t a0 = 0,
                                                              uint64_t a1 = 0, uint64_t a2 = 0,
                                                              uint64_t a3 = 0) {
  return pvabi_multicall_entry{static_cast<uint64_t>(op), 0, {a0, a1, a2, a3, 0, 0}};
}

}  // namespace pvabi

#endif  // PVABI_HYPERCALL_HPP
