// Trap table, callbacks, kernel stack and bounce frames (libpv/trap.h).
#include <libpv/trap.h>

#include <pvabi/mmu.hpp>

#include "call.h"

using namespace libpv;

namespace {

constexpr uint32_t kNmiVector = 2;
constexpr uint32_t kMaxTraps = 256;
// x86 page-fault error code bits.
constexpr uint64_t kPfPresent = 1u << 0;
constexpr uint64_t kPfWrite = 1u << 1;
constexpr uint64_t kPfReservedBit = 1u << 3;
constexpr uint64_t kPfInstructionFetch = 1u << 4;

bool handler_ok(uint64_t address) {
  const pvabi::Gva va{address};
  return va.canonical() && !pvabi::in_reserved_range(va);
}

// The part of an iret frame every bounce frame fills the same way.
template <typename Frame>
void fill_iret(const Frame& f, uint64_t rax, pvabi_iret_frame* out) {
  *out = pvabi_iret_frame{};
  out->rax = rax;
  out->r11 = f.r11;
  out->rcx = f.rcx;
  out->rip = f.rip;
  out->cs = f.cs;
  out->rflags = f.rflags;
  out->rsp = f.rsp;
  out->ss = f.ss;
  if ((f.flags & PVABI_FRAME_EVENTS_WERE_MASKED) == 0) out->flags |= PVABI_IRET_UNMASK_EVENTS;
  if ((f.flags & PVABI_FRAME_FROM_USER) != 0) out->flags |= PVABI_IRET_TO_USER;
}

}  // namespace

extern "C" int pv_trap_entry(pvabi_trap_info* e, uint32_t vector, unsigned dpl, int mask_events,
                             uint64_t handler) {
  if (vector >= kMaxTraps || vector == kNmiVector || dpl > PVABI_TRAP_DPL_MASK || !handler_ok(handler)) {
    return PVABI_EINVAL;
  }
  const auto flags = static_cast<uint8_t>(dpl | (mask_events != 0 ? PVABI_TRAP_MASK_EVENTS : 0u));
  *e = pvabi_trap_info{static_cast<uint8_t>(vector), flags, PVABI_FLAT_CS64, 0, handler};
  return PVABI_OK;
}

extern "C" int pv_set_trap_table(const pvabi_trap_info* table, uint32_t count) {
  // More than 256 is refused before anything is read.
  const uint32_t readable = count < kMaxTraps ? count : kMaxTraps;
  return status(hc(PVABI_HC_SET_TRAP_TABLE, arg_in(table, readable * sizeof *table), count));
}

extern "C" int pv_callback_register(uint32_t type, uint64_t address, uint32_t flags) {
  pvabi_callback cb{type, flags, address};
  return status(hc(PVABI_HC_CALLBACK_OP, PVABI_CALLBACKOP_REGISTER, arg_in(&cb, sizeof cb)));
}

extern "C" int pv_callback_unregister(uint32_t type) {
  pvabi_callback cb{type, 0, 0};
  return status(hc(PVABI_HC_CALLBACK_OP, PVABI_CALLBACKOP_UNREGISTER, arg_in(&cb, sizeof cb)));
}

extern "C" int pv_stack_switch(uint64_t ss, uint64_t rsp) { return status(hc(PVABI_HC_STACK_SWITCH, ss, rsp)); }

extern "C" const pvabi_exception_frame* pv_trap_frame(const void* entry_rsp, uint32_t vector) {
  if (vector == PVABI_VECTOR_PAGE_FAULT) return &static_cast<const pvabi_page_fault_frame*>(entry_rsp)->frame;
  return static_cast<const pvabi_exception_frame*>(entry_rsp);
}

extern "C" int pv_page_fault_decode(const void* entry_rsp, pv_page_fault* out) {
  const auto* pf = static_cast<const pvabi_page_fault_frame*>(entry_rsp);
  const pvabi_exception_frame& f = pf->frame;
  if (f.vector != PVABI_VECTOR_PAGE_FAULT) return PVABI_EINVAL;
  const uint64_t ec = f.error_code;
  *out = pv_page_fault{};
  out->address = pf->fault_addr;
  out->error_code = ec;
  out->rip = f.rip;
  out->present = (ec & kPfPresent) != 0;
  out->write = (ec & kPfWrite) != 0;
  out->from_user = (f.flags & PVABI_FRAME_FROM_USER) != 0;
  out->reserved_bit = (ec & kPfReservedBit) != 0;
  out->instruction_fetch = (ec & kPfInstructionFetch) != 0;
  out->events_were_masked = (f.flags & PVABI_FRAME_EVENTS_WERE_MASKED) != 0;
  return PVABI_OK;
}

extern "C" void pv_iret_frame_from_exception(const pvabi_exception_frame* f, uint64_t rax, pvabi_iret_frame* out) {
  fill_iret(*f, rax, out);
}

extern "C" void pv_iret_frame_from_upcall(const pvabi_event_upcall_frame* f, uint64_t rax, pvabi_iret_frame* out) {
  fill_iret(*f, rax, out);
}
