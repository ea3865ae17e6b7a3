/*
 * pvabi/domctl.h: domain control, for a privileged control domain
 * (PVABI_SIF_PRIVILEGED): create, pause, unpause, destroy and inspect
 * other domains.
 *
 * Every operation is PVABI_HC_DOMCTL(cmd, arg) with arg the guest address of
 * the command's struct. Every command can also fail with PVABI_EPERM (the
 * caller is not privileged), PVABI_EFAULT (arg) and PVABI_EINVAL (a _pad
 * field not zero), changing nothing; an unknown cmd is PVABI_ENOSYS.
 *
 *     struct pvabi_domctl_create c = {.kernel_va = (uint64_t)elf, ...};
 *     pv_hypercall2(PVABI_HC_DOMCTL, PVABI_DOMCTL_CREATE, (uint64_t)&c);
 *     pv_hypercall2(PVABI_HC_DOMCTL, PVABI_DOMCTL_UNPAUSE, (uint64_t)&c.domid);
 */
#ifndef PVABI_DOMCTL_H
#define PVABI_DOMCTL_H

#include <pvabi/base.h>

/**
 * PVABI_DOMCTL_CREATE: build a new domain, paused, from a kernel image in
 * the caller's memory (the domain builder description).
 * in: kernel_va/kernel_len = an ELF image with a PVABI_ELFNOTE_ABI_VERSION
 *   note; module_va/module_len = an initial ramdisk or 0; cmdline_va/
 *   cmdline_len (< PVABI_START_INFO_CMDLINE_LEN); memory_frames (initial
 *   reservation) <= max_frames; max_vcpus >= 1; weight (scheduler share,
 *   1..65535, 0 = default 256); name (NUL-terminated); flags
 *   (PVABI_SIF_PRIVILEGED to delegate control).
 * out: domid.
 * status: PVABI_OK; PVABI_EINVAL (image, note, sizes, name); PVABI_ENOSYS
 *   (the image asks for a version or feature not offered); PVABI_ENOMEM;
 *   PVABI_ENOSPC (no free domain id). On failure no domain exists and every
 *   frame taken is free again.
 */
#define PVABI_DOMCTL_CREATE 0
struct pvabi_domctl_create {
  pvabi_u64 kernel_va;
  pvabi_u64 kernel_len;
  pvabi_u64 module_va;
  pvabi_u64 module_len;
  pvabi_u64 cmdline_va;
  pvabi_u64 memory_frames;
  pvabi_u64 max_frames;
  uint32_t cmdline_len;
  uint32_t max_vcpus;
  uint32_t weight;
  uint32_t flags;
  uint8_t name[32];
  uint16_t domid;
  uint16_t _pad0;
  uint32_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_domctl_create, 112, 8);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, kernel_va, 0);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, kernel_len, 8);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, module_va, 16);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, module_len, 24);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, cmdline_va, 32);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, memory_frames, 40);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, max_frames, 48);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, cmdline_len, 56);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, max_vcpus, 60);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, weight, 64);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, flags, 68);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, name, 72);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, domid, 104);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, _pad0, 106);
PVABI_ASSERT_OFFSET(pvabi_domctl_create, _pad1, 108);

/**
 * PVABI_DOMCTL_PAUSE: stop scheduling a domain's vCPUs (run state OFFLINE)
 * until UNPAUSE. Pauses nest. arg: struct pvabi_domctl_domid.
 * status: PVABI_OK; PVABI_ESRCH; PVABI_EINVAL (the caller itself).
 */
#define PVABI_DOMCTL_PAUSE 1
/**
 * PVABI_DOMCTL_UNPAUSE: undo one PAUSE (and the pause CREATE leaves).
 * status: PVABI_OK; PVABI_ESRCH; PVABI_EINVAL (not paused).
 */
#define PVABI_DOMCTL_UNPAUSE 2
/**
 * PVABI_DOMCTL_DESTROY: end a domain: its ports close (peers see them
 * unbound), its grants mapped by others stay valid until unmapped, and its
 * frames return to the free pool once no reference to them remains.
 * status: PVABI_OK; PVABI_ESRCH; PVABI_EINVAL (the caller itself).
 */
#define PVABI_DOMCTL_DESTROY 3
struct pvabi_domctl_domid {
  uint16_t domid;
  uint16_t _pad0;
  uint32_t _pad1;
};
PVABI_ASSERT_SIZE(pvabi_domctl_domid, 8, 4);
PVABI_ASSERT_OFFSET(pvabi_domctl_domid, domid, 0);
PVABI_ASSERT_OFFSET(pvabi_domctl_domid, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_domctl_domid, _pad1, 4);

/**
 * PVABI_DOMCTL_GET_INFO: what a domain is doing.
 * in: domid. out: the rest.
 * status: PVABI_OK; PVABI_ESRCH.
 */
#define PVABI_DOMCTL_GET_INFO 4
struct pvabi_domctl_info {
  uint16_t domid;
  uint16_t _pad0;
  uint32_t flags; /* PVABI_DOMINFO_* */
  uint32_t shutdown_reason; /* PVABI_SHUTDOWN_*, when SHUTDOWN is set */
  uint32_t nr_vcpus_up;
  pvabi_u64 nr_frames;
  pvabi_u64 cpu_time_ns; /* running time of all its vCPUs */
  uint8_t name[32];
};
PVABI_ASSERT_SIZE(pvabi_domctl_info, 64, 8);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, domid, 0);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, flags, 4);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, shutdown_reason, 8);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, nr_vcpus_up, 12);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, nr_frames, 16);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, cpu_time_ns, 24);
PVABI_ASSERT_OFFSET(pvabi_domctl_info, name, 32);
#define PVABI_DOMINFO_PAUSED 1u
#define PVABI_DOMINFO_BLOCKED 2u
#define PVABI_DOMINFO_SHUTDOWN 4u
#define PVABI_DOMINFO_PRIVILEGED 8u

#endif /* PVABI_DOMCTL_H */
