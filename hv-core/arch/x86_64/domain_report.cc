#include "domain_report.h"

#include "guest_entry.h"
#include "hv-core/core/domain.h"
#include "hv-core/core/sched.h"
#include "hv-core/core/text.h"
#include "platform_x86_64.h"
#include "serial.h"

namespace hv::arch {
namespace {

const char* end_of(const Domain& d) {
  if (!d.shut_down) return "never finished";
  switch (d.shutdown_reason) {
    case PVABI_SHUTDOWN_POWEROFF: return "poweroff";
    case PVABI_SHUTDOWN_REBOOT: return "reboot";
    case PVABI_SHUTDOWN_SUSPEND: return "suspend";
    case PVABI_SHUTDOWN_CRASH: return "crashed";
    case PVABI_SHUTDOWN_WATCHDOG: return "watchdog";
    default: return "shut down";
  }
}

// Column positions: name, then the counters right-aligned.
constexpr size_t kName = 9, kNumber = 11;

}  // namespace

void report_and_exit() {
  Text t;
  t << "hv-core: domain";
  t.pad_to(kName + 20) << "   ran (us) hypercalls   mmu upd.   refused  ev. sent   ev. got preempted  exit";
  serial_line(t.c_str());
  bool crashed = false, stuck = false;
  for_each_domain([&](Domain& d) {
    t.clear();
    t << "hv-core: " << d.name << " (" << uint64_t{d.id.value()} << ")";
    t.pad_to(kName + 20);
    t.right(vcpu_running_ns(*d.vcpus[0]) / 1000, kNumber).right(d.stats.hypercalls, kNumber);
    t.right(d.stats.mmu_updates, kNumber).right(d.stats.mmu_refusals, 10);
    t.right(d.stats.events_sent, 10).right(d.stats.events_delivered, 10).right(preemptions(d), 10);
    t << "  " << end_of(d);
    serial_line(t.c_str());
    crashed = crashed || (d.shut_down && d.shutdown_reason == PVABI_SHUTDOWN_CRASH);
    stuck = stuck || !d.shut_down;
  });
  serial_puts(crashed ? "hv-core: a guest crashed\n"
              : stuck ? "hv-core: a guest never finished\n"
                      : "hv-core: every guest has finished\n");
  qemu_exit(crashed ? kExitGuestCrashed : stuck ? kExitGuestStuck : kExitAllFinished);
}

}  // namespace hv::arch
