// pvabi/event.hpp: where a port's bits live in the 2-level layout.
//
//     auto [word, bit] = pvabi::port_bit(pvabi::Port{130});  // word 2, bit 2
#ifndef PVABI_EVENT_HPP
#define PVABI_EVENT_HPP

#include <pvabi/event.h>
#include <pvabi/types.hpp>

namespace pvabi {

struct PortBit {
  unsigned word;  // index into evtchn_pending / evtchn_mask, and bit of pending_sel
  unsigned bit;   // bit within that word
};

[[nodiscard]] constexpr PortBit port_bit(Port p) { return {p.value() / 64, p.value() % 64}; }

[[nodiscard]] constexpr Port port_at(unsigned word, unsigned bit) {
  return Port{word * 64 + bit};
}

enum class EvtchnOp : uint32_t {
  kAllocUnbound = PVABI_EVTCHNOP_ALLOC_UNBOUND,
  kBindInterdomain = PVABI_EVTCHNOP_BIND_INTERDOMAIN,
  kBindVirq = PVABI_EVTCHNOP_BIND_VIRQ,
  kBindIpi = PVABI_EVTCHNOP_BIND_IPI,
  kClose = PVABI_EVTCHNOP_CLOSE,
  kSend = PVABI_EVTCHNOP_SEND,
  kUnmask = PVABI_EVTCHNOP_UNMASK,
  kBindVcpu = PVABI_EVTCHNOP_BIND_VCPU,
  kStatus = PVABI_EVTCHNOP_STATUS,
};

}  // namespace pvabi

#endif  // PVABI_EVENT_HPP
