/*
 * libpv/init.h: starting libpv from the start info page, and what it learned.
 *
 * A guest's entry point gets the start info page in rsi (pvabi/shared.h).
 * pv_init checks it, records where the hypercall page, the shared info page
 * and the pseudo-physical-to-machine list are, then asks the hypervisor for
 * its version, feature word 0 and the domain's limits. Nothing else in
 * libpv works before it (the native backend starts with pv_native_init
 * instead, libpv/native.h).
 *
 *     void start_kernel(const struct pvabi_start_info *si) {
 *         if (pv_init(si) != PVABI_OK) for (;;) {}
 *         pv_console_puts("hello from the guest\n");
 *     }
 */
#ifndef LIBPV_INIT_H
#define LIBPV_INIT_H

#include <libpv/api.h>

PV_BEGIN_DECLS

/**
 * pv_start_info_check: is `si` a start info page these headers understand?
 * in: si, the page the domain builder handed over.
 * status: PVABI_OK; PVABI_ENOSYS if its abi_version has another major
 *   version; PVABI_EINVAL if the magic is wrong, an address that must be
 *   page-aligned is not, a count is zero or out of range, or name or cmdline
 *   is not NUL-terminated.
 */
PV_NODISCARD int pv_start_info_check(const struct pvabi_start_info *si);

/**
 * pv_init: start libpv. Checks `si` (pv_start_info_check), records its
 * addresses (the page must stay mapped), then queries PVABI_HC_VERSION for
 * the interface version, feature word 0 and the limits. Calling it again
 * starts over (every earlier registration in libpv is forgotten).
 * in: si, the start info page.
 * status: PVABI_OK; the status of pv_start_info_check; PVABI_ENOSYS if the
 *   hypervisor speaks another major version; a failing query's status.
 *   On failure libpv stays uninitialised.
 */
PV_NODISCARD int pv_init(const struct pvabi_start_info *si);

/** pv_start_info: the page pv_init was given, or NULL before it. */
const struct pvabi_start_info *pv_start_info(void);

/** pv_shared_info: the shared info page (mapped by the builder), or NULL before pv_init. */
struct pvabi_shared_info *pv_shared_info(void);

/**
 * pv_vcpu_info: vCPU `vcpu`'s struct pvabi_vcpu_info in the shared info page.
 * out: NULL before pv_init or if vcpu >= PVABI_SHARED_INFO_VCPUS.
 */
struct pvabi_vcpu_info *pv_vcpu_info(uint32_t vcpu);

/** pv_interface_version: the PVABI_INTERFACE_VERSION the hypervisor speaks (0 before pv_init). */
uint32_t pv_interface_version(void);

/**
 * pv_feature_word: feature word `index` as the hypervisor reported it at
 * pv_init (pvabi/version.h); 0 for a word past PVABI_FEATURE_WORDS.
 */
uint32_t pv_feature_word(uint32_t index);

/** pv_limits: the domain's limits as reported at pv_init (zeroes before it). */
const struct pvabi_limits *pv_limits(void);

PV_END_DECLS

#endif /* LIBPV_INIT_H */
