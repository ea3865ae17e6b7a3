// libpv/backend/host/libpv_host.h: running libpv in a host process against
// hv-core's host platform (libpv_host.a): unit tests and pvsim.
//
// libpv calls run "as" one vCPU of a simulated domain: hypercalls go to
// hv::hypercall() on that vCPU. The domain's memory is simulated machine
// memory, so the binding says how to translate between host pointers and
// guest-virtual addresses. Buffers libpv passes for the length of one
// hypercall that are not in guest memory (a host stack variable) are copied
// through a scratch area in guest memory and back; memory the hypervisor
// keeps using (registered areas, multicall payloads, event pages) must be
// guest memory. Raw pv_hypercall() arguments are not translated: pass
// guest addresses.
//
//     libpv::host::Binding b = ...;     // or a TestGuestBinding (test_guest_binding.h)
//     libpv::host::bind(&b);
//     pv_init(start_info_host_pointer);
//
// Many guests in one process: see GuestState below.
#ifndef LIBPV_BACKEND_HOST_LIBPV_HOST_H
#define LIBPV_BACKEND_HOST_LIBPV_HOST_H

#include <stddef.h>
#include <stdint.h>

namespace hv {
class Vcpu;
}

namespace libpv::host {

// How to reach the simulated guest's memory; each function gets `ctx`.
struct GuestMemory {
  void* ctx = nullptr;
  // The guest-virtual address of host pointer p, if p is in the guest's
  // memory and mapped there; 0 otherwise.
  uint64_t (*to_guest)(void* ctx, const void* p) = nullptr;
  // The host address of guest-virtual va, valid to the end of its page;
  // nullptr if va is not mapped.
  void* (*to_host)(void* ctx, uint64_t va) = nullptr;
  // The hypervisor's machine-to-pseudo-physical table (PVABI_M2P_INVALID if none).
  uint64_t (*mfn_to_pfn)(void* ctx, uint64_t mfn) = nullptr;
  // The simulated TSC.
  uint64_t (*read_tsc)(void* ctx) = nullptr;
};

// Sees each hypercall before hv-core does, with its arguments already
// translated; returns true with *result set to answer it instead (a test
// standing in for a feature the core does not offer; pvsim, which makes
// the call into the core itself to charge simulated time and check
// invariants after it).
using HypercallHook = bool (*)(void* ctx, uint64_t nr, const uint64_t (&args)[6], int64_t* result);

struct Binding {
  hv::Vcpu* vcpu = nullptr;
  GuestMemory memory;
  uint64_t scratch_va = 0;  // guest memory for copied buffers
  uint64_t scratch_bytes = 0;
  HypercallHook hook = nullptr;
  void* hook_ctx = nullptr;
};

// libpv runs as b->vcpu from now on; nullptr unbinds (hypercalls then
// answer PVABI_ENOSYS). *b must stay valid while bound.
void bind(const Binding* b);

// libpv keeps what it knows about "the guest" (what pv_init learned, the
// event handler table, the event layout) in one global, since a kernel is
// one guest. A process that runs libpv for many guests at once (pvsim)
// gives each guest a GuestState and makes it current, together with bind(),
// before acting as that guest: the state of the guest that was current is
// saved into its GuestState and this one's is copied in (a few hundred
// bytes; nothing when it is current already). Plain bind() users need none.
//
//     state_a.make_current(); libpv::host::bind(&binding_a);
//     pv_event_upcall(0);   // guest a's handlers, guest a's shared info
class GuestState {
 public:
  GuestState();   // as before pv_init
  ~GuestState();  // if current, libpv is left as before pv_init
  GuestState(const GuestState&) = delete;
  GuestState& operator=(const GuestState&) = delete;

  void make_current();

 private:
  static constexpr size_t kBytes = 512;  // at least sizeof(libpv::State), checked where it is known
  alignas(8) unsigned char saved_[kBytes];
};

}  // namespace libpv::host

#endif  // LIBPV_BACKEND_HOST_LIBPV_HOST_H
