// pv_init and what it recorded (libpv/init.h).
#include <libpv/init.h>

#include "call.h"
#include "state.h"

namespace libpv {
namespace {

bool page_aligned(uint64_t va) { return va != 0 && (va & (PVABI_PAGE_SIZE - 1)) == 0; }

bool nul_terminated(const uint8_t* s, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (s[i] == 0) return true;
  }
  return false;
}

bool magic_ok(const uint8_t* magic) {
  static constexpr char kMagic[PVABI_START_INFO_MAGIC_LEN] = PVABI_START_INFO_MAGIC;
  for (size_t i = 0; i < PVABI_START_INFO_MAGIC_LEN; ++i) {
    if (magic[i] != static_cast<uint8_t>(kMagic[i])) return false;
  }
  return true;
}

// Version, feature words and limits: what pv_init asks the hypervisor.
int query_hypervisor(State& s) {
  const int64_t version = hc(PVABI_HC_VERSION, PVABI_VERSION_OP_GET);
  if (version < 0) return status(version);
  if (PVABI_VERSION_MAJOR(static_cast<uint64_t>(version)) != PVABI_INTERFACE_VERSION_MAJOR) return PVABI_ENOSYS;
  s.version = static_cast<uint32_t>(version);
  for (uint32_t i = 0; i < PVABI_FEATURE_WORDS; ++i) {
    pvabi_feature_query q{i, 0};
    if (const int rc = op_on(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_FEATURES, &q); rc < 0) return rc;
    s.features[i] = q.bits;
  }
  return op_on(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_LIMITS, &s.limits);
}

}  // namespace
}  // namespace libpv

using namespace libpv;

extern "C" int pv_start_info_check(const pvabi_start_info* si) {
  if (si == nullptr || !magic_ok(si->magic)) return PVABI_EINVAL;
  if (PVABI_VERSION_MAJOR(si->abi_version) != PVABI_INTERFACE_VERSION_MAJOR) return PVABI_ENOSYS;
  const bool ok = si->nr_pages != 0 && si->first_free_pfn <= si->nr_pages && si->nr_vcpus != 0 &&
                  page_aligned(si->shared_info_va) && page_aligned(si->hypercall_page_va) &&
                  page_aligned(si->p2m_list_va) && page_aligned(si->pt_base_va) &&
                  page_aligned(si->virt_base) && (si->module_va != 0 || si->module_len == 0) &&
                  nul_terminated(si->name, sizeof si->name) &&
                  nul_terminated(si->cmdline, sizeof si->cmdline);
  return ok ? PVABI_OK : PVABI_EINVAL;
}

extern "C" int pv_init(const pvabi_start_info* si) {
  reset_state();
  if (const int rc = pv_start_info_check(si); rc != PVABI_OK) return rc;
  State& s = state();
  s.hypercall_page = si->hypercall_page_va;  // the pv backend needs it for the queries below
  if (const int rc = query_hypervisor(s); rc < 0) {
    reset_state();
    return rc;
  }
  s.start_info = si;
  s.shared_info = guest_ptr<pvabi_shared_info>(si->shared_info_va);
  s.p2m_list = si->p2m_list_va;
  s.nr_pages = si->nr_pages;
  s.virt_base = si->virt_base;
  return PVABI_OK;
}

extern "C" const pvabi_start_info* pv_start_info(void) { return state().start_info; }

extern "C" pvabi_shared_info* pv_shared_info(void) { return state().shared_info; }

extern "C" pvabi_vcpu_info* pv_vcpu_info(uint32_t vcpu) {
  pvabi_shared_info* sh = state().shared_info;
  return sh == nullptr || vcpu >= PVABI_SHARED_INFO_VCPUS ? nullptr : &sh->vcpu_info[vcpu];
}

extern "C" uint32_t pv_interface_version(void) { return state().version; }

extern "C" uint32_t pv_feature_word(uint32_t index) {
  return index < PVABI_FEATURE_WORDS ? state().features[index] : 0;
}

extern "C" const pvabi_limits* pv_limits(void) { return &state().limits; }
