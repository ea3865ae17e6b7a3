// hv-core/arch/x86_64/console_input.h: what is typed on the serial line goes
// to one domain's console input (console.h), which raises its console VIRQ.
// The domain is the one whose boot module says hv.console, else the first
// built. The UART is polled between guest turns and while idle: no device
// interrupts reach the hypervisor yet.
#ifndef HV_CORE_ARCH_X86_64_CONSOLE_INPUT_H
#define HV_CORE_ARCH_X86_64_CONSOLE_INPUT_H

#include "hv-core/core/base.h"

namespace hv::arch {

// The first call names the domain, unless `chosen` (hv.console) overrides it.
void offer_console_input(DomId id, bool chosen);
// Moves received bytes to the domain's console; true if any were queued.
// Bytes for a domain that is gone, or past its full input buffer, are
// dropped, as a UART overrun drops them.
bool forward_console_input();

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_CONSOLE_INPUT_H
