#include "version.h"

#include "domain.h"
#include "event_channel.h"
#include "frame_table.h"
#include "grant.h"
#include "guest_access.h"

namespace hv {

uint32_t feature_word(uint32_t index) {
  // Only what the core implements in full is offered.
  constexpr uint32_t kWord0 = PVABI_FEATURE0_NX | PVABI_FEATURE0_EVENT_QUEUE | PVABI_FEATURE0_USER_TIME_AREA |
                              PVABI_FEATURE0_MULTI_VCPU | PVABI_FEATURE0_GRANT_COPY;
  return index == 0 ? kWord0 : 0;
}

int64_t hc_version(Vcpu& v, const HypercallArgs& a) {
  switch (a.a[0]) {
    case PVABI_VERSION_OP_GET:
      return PVABI_INTERFACE_VERSION;
    case PVABI_VERSION_OP_GET_FEATURES: {
      pvabi_feature_query q;
      if (const Status s = read_guest(v, Gva{a.a[1]}, &q); s != Status::kOk) return raw(s);
      q.bits = feature_word(q.index);
      return raw(write_guest(v, Gva{a.a[1]}, q));
    }
    case PVABI_VERSION_OP_GET_LIMITS: {
      pvabi_limits l{};
      l.max_vcpus = v.domain->max_vcpus;
      l.max_event_ports = event_port_limit(*v.domain);
      l.max_grant_frames = kMaxGrantFrames;
      l.max_mmu_batch = PVABI_MMU_BATCH_MAX;
      l.hv_virt_start = PVABI_HV_VIRT_START;
      l.hv_virt_end = PVABI_HV_VIRT_END;
      l.m2p_virt_start = PVABI_M2P_VIRT_START;
      l.m2p_entries = frame_table().size();
      l.max_machine_frame = frame_table().size();
      return raw(write_guest(v, Gva{a.a[1]}, l));
    }
    default:
      return PVABI_ENOSYS;
  }
}

}  // namespace hv
