/*
 * pvabi/shared.h: the pages the hypervisor shares with every domain: the
 * shared info page (event bits, per-vCPU info, wall clock) and the start
 * info page the domain builder hands a new guest.
 *
 * A guest finds start info at the address in rsi when its entry point runs;
 * start info gives the machine address of the shared info page, which the
 * builder has also mapped at start_info->shared_info_va.
 *
 *     const struct pvabi_start_info *si = (void *)rsi;
 *     struct pvabi_shared_info *sh = (void *)si->shared_info_va;
 *     sh->vcpu_info[0].upcall_mask = 0;  // take events
 */
#ifndef PVABI_SHARED_H
#define PVABI_SHARED_H

#include <pvabi/base.h>
#include <pvabi/time.h>

#define PVABI_SHARED_INFO_VCPUS 32

struct pvabi_vcpu_info {
  uint8_t upcall_pending; /* an unmasked event is pending for this vCPU */
  uint8_t upcall_mask;    /* the guest's interrupt flag: 1 = no upcalls */
  uint8_t _pad0[6];
  pvabi_u64 pending_sel; /* 2-level layout: which words of evtchn_pending to scan */
  struct pvabi_vcpu_time_info time;
  pvabi_u64 _pad1[2];
};
PVABI_ASSERT_SIZE(pvabi_vcpu_info, 64, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, upcall_pending, 0);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, upcall_mask, 1);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, _pad0, 2);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, pending_sel, 8);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, time, 16);
PVABI_ASSERT_OFFSET(pvabi_vcpu_info, _pad1, 48);

struct pvabi_shared_info {
  struct pvabi_vcpu_info vcpu_info[32]; /* PVABI_SHARED_INFO_VCPUS */
  pvabi_u64 evtchn_pending[64];
  pvabi_u64 evtchn_mask[64];
  struct pvabi_wallclock wallclock;
  pvabi_u64 _pad0[126]; /* to one page */
};
PVABI_ASSERT_SIZE(pvabi_shared_info, 4096, 8);
PVABI_ASSERT_OFFSET(pvabi_shared_info, vcpu_info, 0);
PVABI_ASSERT_OFFSET(pvabi_shared_info, evtchn_pending, 2048);
PVABI_ASSERT_OFFSET(pvabi_shared_info, evtchn_mask, 2560);
PVABI_ASSERT_OFFSET(pvabi_shared_info, wallclock, 3072);
PVABI_ASSERT_OFFSET(pvabi_shared_info, _pad0, 3088);

#define PVABI_START_INFO_MAGIC_LEN 16
#define PVABI_START_INFO_CMDLINE_LEN 1024
/* "pvabi-1-x86_64" and two zero bytes. */
#define PVABI_START_INFO_MAGIC "pvabi-1-x86_64"

/*
 * What the domain builder hands a new guest. The builder maps, at the
 * guest-virtual addresses below: the kernel image, this page, the shared info
 * page, the hypercall page, the pseudo-physical-to-machine list (one
 * pvabi_u64 machine frame per pseudo-physical frame), the initial page
 * tables (pinned as L4, and installed as the kernel base pointer), and a boot
 * stack. Everything from virt_base up to pt_base + nr_pt_frames pages is
 * mapped writable except the page tables themselves (read-only).
 */
struct pvabi_start_info {
  uint8_t magic[16];         /* PVABI_START_INFO_MAGIC */
  uint32_t abi_version;      /* PVABI_INTERFACE_VERSION the hypervisor speaks */
  uint32_t flags;            /* PVABI_SIF_* */
  pvabi_u64 nr_pages;        /* pseudo-physical frames of the domain */
  pvabi_u64 shared_info_maddr;
  pvabi_u64 shared_info_va;
  pvabi_u64 hypercall_page_va;
  pvabi_u64 pt_base_va;      /* the initial L4 table */
  pvabi_u64 nr_pt_frames;
  pvabi_u64 p2m_list_va;     /* pseudo-physical-to-machine list */
  pvabi_u64 virt_base;       /* lowest address the builder mapped */
  pvabi_u64 first_free_pfn;  /* first pseudo-physical frame not used by the above */
  pvabi_u64 module_va;       /* an initial ramdisk, or 0 */
  pvabi_u64 module_len;
  pvabi_u64 boot_stack_top_va;
  uint32_t console_port;     /* event port for console input, or 0 */
  uint16_t domid;
  uint16_t nr_vcpus;         /* max vCPUs; vCPU 0 is up */
  uint8_t name[32];          /* the domain's name, NUL-terminated */
  uint8_t cmdline[1024];     /* PVABI_START_INFO_CMDLINE_LEN, NUL-terminated */
};
PVABI_ASSERT_SIZE(pvabi_start_info, 1184, 8);
PVABI_ASSERT_OFFSET(pvabi_start_info, magic, 0);
PVABI_ASSERT_OFFSET(pvabi_start_info, abi_version, 16);
PVABI_ASSERT_OFFSET(pvabi_start_info, flags, 20);
PVABI_ASSERT_OFFSET(pvabi_start_info, nr_pages, 24);
PVABI_ASSERT_OFFSET(pvabi_start_info, shared_info_maddr, 32);
PVABI_ASSERT_OFFSET(pvabi_start_info, shared_info_va, 40);
PVABI_ASSERT_OFFSET(pvabi_start_info, hypercall_page_va, 48);
PVABI_ASSERT_OFFSET(pvabi_start_info, pt_base_va, 56);
PVABI_ASSERT_OFFSET(pvabi_start_info, nr_pt_frames, 64);
PVABI_ASSERT_OFFSET(pvabi_start_info, p2m_list_va, 72);
PVABI_ASSERT_OFFSET(pvabi_start_info, virt_base, 80);
PVABI_ASSERT_OFFSET(pvabi_start_info, first_free_pfn, 88);
PVABI_ASSERT_OFFSET(pvabi_start_info, module_va, 96);
PVABI_ASSERT_OFFSET(pvabi_start_info, module_len, 104);
PVABI_ASSERT_OFFSET(pvabi_start_info, boot_stack_top_va, 112);
PVABI_ASSERT_OFFSET(pvabi_start_info, console_port, 120);
PVABI_ASSERT_OFFSET(pvabi_start_info, domid, 124);
PVABI_ASSERT_OFFSET(pvabi_start_info, nr_vcpus, 126);
PVABI_ASSERT_OFFSET(pvabi_start_info, name, 128);
PVABI_ASSERT_OFFSET(pvabi_start_info, cmdline, 160);
/* The domain may control others (PVABI_HC_DOMCTL, foreign mappings). */
#define PVABI_SIF_PRIVILEGED 1u
/* The domain owns the console and physical devices. */
#define PVABI_SIF_INITIAL_DOMAIN 2u

#endif /* PVABI_SHARED_H */
