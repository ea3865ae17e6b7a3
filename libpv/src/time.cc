// The time sources and the timer (libpv/time.h), over the pure readers of
// libpv/time_read.h with the backend's clock.
#include <libpv/time.h>

#include <libpv/init.h>

#include "call.h"

using namespace libpv;

namespace {
uint64_t backend_tsc() { return transport::read_tsc(); }
}  // namespace

extern "C" uint64_t pv_time_system_ns(uint32_t vcpu) {
  const pvabi_vcpu_info* vi = pv_vcpu_info(vcpu);
  return vi == nullptr ? 0 : pv_time_read_system_ns(&vi->time, backend_tsc);
}

extern "C" void pv_time_wallclock(uint32_t vcpu, uint64_t* sec, uint32_t* nsec) {
  const pvabi_shared_info* sh = pv_shared_info();
  if (sh == nullptr) {
    *sec = 0;
    *nsec = 0;
    return;
  }
  pv_wallclock_read_at(&sh->wallclock, pv_time_system_ns(vcpu), sec, nsec);
}

extern "C" uint64_t pv_time_virtual_ns(const pvabi_runstate_info* area, uint32_t vcpu) {
  pvabi_runstate_info rs;
  pv_runstate_read(area, &rs);
  return pv_runstate_running_ns(&rs, pv_time_system_ns(vcpu));
}

extern "C" int pv_set_timer(uint64_t deadline_ns) { return status(hc(PVABI_HC_SET_TIMER_OP, deadline_ns)); }

extern "C" int pv_set_timer_after(uint32_t vcpu, uint64_t delay_ns) {
  const uint64_t now = pv_time_system_ns(vcpu);
  return pv_set_timer(delay_ns > ~uint64_t{0} - now ? ~uint64_t{0} : now + delay_ns);
}
