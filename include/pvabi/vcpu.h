/*
 * pvabi/vcpu.h: virtual CPUs: start, stop, and the shared areas each vCPU
 * registers (run state, time, vcpu_info).
 *
 *     pv_hypercall3(PVABI_HC_VCPU_OP, PVABI_VCPUOP_INITIALISE, 1, (uint64_t)&ctx);
 *     pv_hypercall3(PVABI_HC_VCPU_OP, PVABI_VCPUOP_UP, 1, 0);
 *
 * Every operation takes (cmd, vcpu_id, arg). status for every command, too:
 * PVABI_ESRCH for a vcpu_id at or past the domain's max_vcpus.
 */
#ifndef PVABI_VCPU_H
#define PVABI_VCPU_H

#include <pvabi/base.h>

/**
 * PVABI_VCPUOP_INITIALISE: set the first context of an offline vCPU.
 * in: arg = guest address of a struct pvabi_vcpu_context. The kernel base
 *   pointer must be a validated L4 table; selectors, addresses and the GDT
 *   are validated as their own hypercalls validate them.
 * status: PVABI_OK; PVABI_EEXIST (already initialised); PVABI_EFAULT;
 *   PVABI_EINVAL (any field); PVABI_ENOSYS (PVABI_FEATURE0_MULTI_VCPU not
 *   offered, for vcpu_id != 0). On failure the vCPU stays uninitialised.
 */
#define PVABI_VCPUOP_INITIALISE 0
/**
 * PVABI_VCPUOP_UP: make an initialised vCPU runnable.
 * status: PVABI_OK (also if already up); PVABI_EINVAL (not initialised).
 */
#define PVABI_VCPUOP_UP 1
/**
 * PVABI_VCPUOP_DOWN: take a vCPU offline (it keeps its context; UP resumes
 * it). Taking the caller's own vCPU down returns when it is brought up.
 * status: PVABI_OK; PVABI_EINVAL (the domain's last running vCPU: use
 *   PVABI_SCHEDOP_SHUTDOWN).
 */
#define PVABI_VCPUOP_DOWN 2
/**
 * PVABI_VCPUOP_IS_UP: returns 1 if the vCPU is up, 0 if not.
 * status: 1, 0, or PVABI_ESRCH.
 */
#define PVABI_VCPUOP_IS_UP 3
/**
 * PVABI_VCPUOP_GET_RUNSTATE_INFO: arg = guest address of a
 * struct pvabi_runstate_info to fill with the vCPU's run state now.
 * status: PVABI_OK; PVABI_EFAULT (nothing written).
 */
#define PVABI_VCPUOP_GET_RUNSTATE_INFO 4
/**
 * PVABI_VCPUOP_REGISTER_RUNSTATE_AREA: arg = guest address of a
 * struct pvabi_area_registration whose `address` is where the hypervisor
 * keeps a struct pvabi_runstate_info up to date (0 stops it). The address
 * must be 8-aligned and the whole struct within one page of the domain's.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_EINVAL (alignment, page crossing,
 *   _pad0). On failure the old registration stays.
 */
#define PVABI_VCPUOP_REGISTER_RUNSTATE_AREA 5
/**
 * PVABI_VCPUOP_REGISTER_TIME_AREA: as REGISTER_RUNSTATE_AREA, for a copy of
 * the vCPU's struct pvabi_vcpu_time_info in a page that guest user space
 * may map (a vDSO reads time without a system call).
 * status: as REGISTER_RUNSTATE_AREA; PVABI_ENOSYS without
 *   PVABI_FEATURE0_USER_TIME_AREA.
 */
#define PVABI_VCPUOP_REGISTER_TIME_AREA 6
/**
 * PVABI_VCPUOP_REGISTER_VCPU_INFO: move the vCPU's struct pvabi_vcpu_info
 * out of the shared info page to guest address `address` (64-byte aligned,
 * in one page owned by the domain); needed for vCPUs past
 * PVABI_SHARED_INFO_VCPUS. Once moved it cannot move again.
 * status: PVABI_OK; PVABI_EFAULT; PVABI_EINVAL; PVABI_EEXIST (moved already).
 */
#define PVABI_VCPUOP_REGISTER_VCPU_INFO 7

struct pvabi_area_registration {
  pvabi_u64 address;
};
PVABI_ASSERT_SIZE(pvabi_area_registration, 8, 8);
PVABI_ASSERT_OFFSET(pvabi_area_registration, address, 0);

/* The first context of a vCPU. Registers not named here start at zero. */
struct pvabi_vcpu_context {
  pvabi_u64 rip;
  pvabi_u64 rsp;
  pvabi_u64 rdi; /* an argument for the entry point */
  pvabi_u64 rsi;
  pvabi_u64 kernel_ss;
  pvabi_u64 kernel_sp;
  pvabi_u64 kernel_baseptr; /* machine frame of a validated L4 table */
  pvabi_u64 user_baseptr;   /* 0: none yet */
  pvabi_u64 event_callback;
  pvabi_u64 failsafe_callback;
  pvabi_u64 syscall_callback;
  pvabi_u64 fs_base;
  pvabi_u64 gs_base_kernel;
  pvabi_u64 gs_base_user;
  pvabi_u64 gdt_frames[14]; /* PVABI_GDT_MAX_FRAMES */
  uint32_t gdt_entries;
  uint32_t flags; /* PVABI_VCPU_CONTEXT_* */
};
PVABI_ASSERT_SIZE(pvabi_vcpu_context, 232, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, rip, 0);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, rsp, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, rdi, 16);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, rsi, 24);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, kernel_ss, 32);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, kernel_sp, 40);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, kernel_baseptr, 48);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, user_baseptr, 56);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, event_callback, 64);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, failsafe_callback, 72);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, syscall_callback, 80);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, fs_base, 88);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, gs_base_kernel, 96);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, gs_base_user, 104);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, gdt_frames, 112);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, gdt_entries, 224);
PVABI_ASSERT_OFFSET(pvabi_vcpu_context, flags, 228);
/* Start with the upcall masked. */
#define PVABI_VCPU_CONTEXT_EVENTS_MASKED 1u

#endif /* PVABI_VCPU_H */
