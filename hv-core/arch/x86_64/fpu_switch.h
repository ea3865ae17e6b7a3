// hv-core/arch/x86_64/fpu_switch.h: each vCPU's x87 and SSE registers, and
// its view of CR0.TS, on the one physical CPU.
//
// Eager switching: the registers hold the state of the vCPU entered last;
// entering another one saves them into that vCPU's VcpuCpu::fpu and loads
// the newcomer's, so re-entering the same vCPU costs two compares. The
// hypervisor itself never touches them (it is built with
// -mgeneral-regs-only). CR0.TS is set while the running vCPU's fpu_ts is, so
// its next FPU or SSE instruction raises #NM, which guest_entry.cc bounces
// to the guest like any other exception.
//
//     fpu_switch_to(v);   // last thing before entering v
#ifndef HV_CORE_ARCH_X86_64_FPU_SWITCH_H
#define HV_CORE_ARCH_X86_64_FPU_SWITCH_H

namespace hv {
class Vcpu;
}

namespace hv::arch {

// Makes the registers v's and CR0.TS v's fpu_ts; writes CR0 only when TS
// must change.
void fpu_switch_to(Vcpu& v);
// v is going away: its registers, if loaded, are dropped, not saved.
void fpu_forget(const Vcpu& v);

}  // namespace hv::arch

#endif  // HV_CORE_ARCH_X86_64_FPU_SWITCH_H
