#include "hypercall.h"

#include "console.h"
#include "cpu.h"
#include "domain.h"
#include "event_channel.h"
#include "domctl.h"
#include "grant.h"
#include "guest_access.h"
#include "memory.h"
#include "mmu.h"
#include "sched.h"
#include "vcpu.h"
#include "version.h"

namespace hv {
namespace {

// Entries that may change the vCPU's control flow end a multicall (rule 9).
bool ends_multicall(uint64_t op) {
  return op == PVABI_HC_SCHED_OP || op == PVABI_HC_STACK_SWITCH || op == PVABI_HC_CALLBACK_OP ||
         op == PVABI_HC_SET_TRAP_TABLE;
}

int64_t hc_multicall(Vcpu& v, const HypercallArgs& a) {
  const Gva list{a.a[0]};
  const uint64_t count = a.a[1];
  const Gva done_ptr{a.a[2]};
  if (count > PVABI_MULTICALL_MAX) return PVABI_E2BIG;
  if (done_ptr.value() != 0) {
    if (const Status s = write_guest(v, done_ptr, uint32_t{0}); s != Status::kOk) return raw(s);
  }
  int64_t status = PVABI_OK;
  uint64_t done = 0;
  for (; done < count; ++done) {
    if (done > 0 && platform::preemption_requested()) {
      status = PVABI_ERESTART;
      break;
    }
    const Gva at = list + done * sizeof(pvabi_multicall_entry);
    pvabi_multicall_entry e;
    if (const Status s = read_guest(v, at, &e); s != Status::kOk) {
      status = raw(s);
      break;
    }
    if (e.op == PVABI_HC_MULTICALL || e.op == PVABI_HC_IRET) {
      status = PVABI_EINVAL;
      break;
    }
    HypercallArgs args;
    copy_bytes(args.a, e.args, sizeof args.a);
    e.result = hypercall(v, e.op, args);
    if (const Status s = write_guest(v, at + offsetof(pvabi_multicall_entry, result), e.result);
        s != Status::kOk) {
      status = raw(s);
      ++done;  // it was performed; only its result could not be stored
      break;
    }
    // A preempted entry ends the batch too, so nothing after it runs
    // before the guest has finished it.
    if (ends_multicall(e.op) || e.result == PVABI_ERESTART) {
      ++done;
      break;
    }
  }
  if (done_ptr.value() != 0) {
    if (const Status s = write_guest(v, done_ptr, static_cast<uint32_t>(done)); s != Status::kOk) return raw(s);
  }
  return status;
}

}  // namespace

int64_t hypercall(Vcpu& v, uint64_t number, const HypercallArgs& a) {
  ++v.domain->stats.hypercalls;
  switch (number) {
    case PVABI_HC_VERSION: return hc_version(v, a);
    case PVABI_HC_CONSOLE_IO: return hc_console_io(v, a);
    case PVABI_HC_MMU_UPDATE: return hc_mmu_update(v, a);
    case PVABI_HC_MMUEXT_OP: return hc_mmuext_op(v, a);
    case PVABI_HC_UPDATE_VA_MAPPING: return hc_update_va_mapping(v, a);
    case PVABI_HC_MULTICALL: return hc_multicall(v, a);
    case PVABI_HC_VM_ASSIST: return hc_vm_assist(v, a);
    case PVABI_HC_MEMORY_OP: return hc_memory_op(v, a);
    case PVABI_HC_SET_TRAP_TABLE: return hc_set_trap_table(v, a);
    case PVABI_HC_CALLBACK_OP: return hc_callback_op(v, a);
    case PVABI_HC_STACK_SWITCH: return hc_stack_switch(v, a);
    case PVABI_HC_SET_GDT: return hc_set_gdt(v, a);
    case PVABI_HC_UPDATE_DESCRIPTOR: return hc_update_descriptor(v, a);
    case PVABI_HC_SET_SEGMENT_BASE: return hc_set_segment_base(v, a);
    case PVABI_HC_FPU_TASKSWITCH: return hc_fpu_taskswitch(v, a);
    case PVABI_HC_IRET: return hc_iret(v, a);
    case PVABI_HC_SCHED_OP: return hc_sched_op(v, a);
    case PVABI_HC_SET_TIMER_OP: return hc_set_timer_op(v, a);
    case PVABI_HC_VCPU_OP: return hc_vcpu_op(v, a);
    case PVABI_HC_EVENT_CHANNEL_OP: return hc_event_channel_op(v, a);
    case PVABI_HC_GRANT_TABLE_OP: return hc_grant_table_op(v, a);
    case PVABI_HC_DOMCTL: return hc_domctl(v, a);
    default: return PVABI_ENOSYS;
  }
}

}  // namespace hv
