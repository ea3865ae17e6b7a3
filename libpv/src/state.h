// libpv/src/state.h: what libpv learned at init, in one place. One domain,
// so one instance; constant-initialised (no static constructor runs).
#ifndef LIBPV_SRC_STATE_H
#define LIBPV_SRC_STATE_H

#include <libpv/event.h>
#include <libpv/event_queue.h>

namespace libpv {

enum class EventLayout : uint8_t { kTwoLevel, kQueue };

struct State {
  const pvabi_start_info* start_info = nullptr;
  pvabi_shared_info* shared_info = nullptr;
  uint64_t hypercall_page = 0;  // guest-virtual; the pv backend calls into it
  uint64_t p2m_list = 0;        // guest-virtual address of nr_pages pvabi_u64
  uint64_t nr_pages = 0;
  uint64_t virt_base = 0;       // the builder's linear map
  bool identity_p2m = false;    // native: pseudo-physical = machine
  uint32_t version = 0;
  uint32_t features[PVABI_FEATURE_WORDS] = {};
  pvabi_limits limits = {};

  pv_event_handler* handlers = nullptr;
  uint32_t nr_handlers = 0;
  EventLayout layout = EventLayout::kTwoLevel;
  pv_evtq_vcpu* evtq[PVABI_SHARED_INFO_VCPUS] = {};
  uint32_t** evtq_pages = nullptr;
  uint32_t evtq_max_pages = 0;
  uint32_t evtq_nr_pages = 0;
};

State& state();
// Forgets everything (init starts here).
void reset_state();

}  // namespace libpv

#endif  // LIBPV_SRC_STATE_H
