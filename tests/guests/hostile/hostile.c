/* Helpers for the hostile kernels (hostile.h). */
#include "hostile.h"

struct hostile_fault hostile_last_fault;

struct page hostile_page(unsigned n) {
  const uint64_t pfn = pvtest_start_info()->first_free_pfn + n;
  struct page p = {(volatile uint64_t *)pv_pfn_to_virt(pfn), pv_pfn_to_mfn(pfn)};
  return p;
}

struct page hostile_table_page(unsigned n) {
  struct page p = hostile_page(n);
  (void)hostile_make_writable(p);
  for (unsigned i = 0; i < 512; ++i) p.va[i] = 0;
  if (hostile_uvm((uint64_t)p.va, hostile_pte(p.mfn, 0), PVABI_UVMF_INVLPG) != PVABI_OK) {
    pvtest_error("cannot remap page %u read-only", n);
  }
  return p;
}

int64_t hostile_make_writable(struct page p) {
  return hostile_uvm((uint64_t)p.va, hostile_pte(p.mfn, PVABI_PTE_WRITABLE), PVABI_UVMF_INVLPG);
}

static int64_t checked_batch(int64_t status, uint32_t done) {
  if (done != (status == PVABI_OK ? 1u : 0u)) {
    pvtest_fail_at(__FILE__, __LINE__, "one-item batch gave %s with done count %u", pvtest_status_name(status), done);
  }
  return status;
}

int64_t hostile_mmu_update(uint64_t ptr, uint64_t val) {
  static struct pvabi_mmu_update u;
  static uint32_t done;
  u.ptr = ptr;
  u.val = val;
  done = 0xdead;
  const int64_t s = pv_hypercall4(PVABI_HC_MMU_UPDATE, (uint64_t)&u, 1, (uint64_t)&done, PVABI_DOMID_SELF);
  return checked_batch(s, done);
}

int64_t hostile_pt_write(uint64_t entry_maddr, uint64_t val) {
  return hostile_mmu_update(entry_maddr | PVABI_MMU_NORMAL_PT_UPDATE, val);
}

int64_t hostile_mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2) {
  static struct pvabi_mmuext_op op;
  static uint32_t done;
  op.cmd = cmd;
  op._pad0 = 0;
  op.arg1 = arg1;
  op.arg2 = arg2;
  done = 0xdead;
  const int64_t s = pv_hypercall4(PVABI_HC_MMUEXT_OP, (uint64_t)&op, 1, (uint64_t)&done, PVABI_DOMID_SELF);
  return checked_batch(s, done);
}

int64_t hostile_uvm(uint64_t va, uint64_t pte, uint64_t flags) {
  return pv_hypercall3(PVABI_HC_UPDATE_VA_MAPPING, va, pte, flags);
}

uint64_t hostile_mfn_to_pfn(uint64_t mfn) {
  const uint64_t pages = pvtest_start_info()->nr_pages;
  for (uint64_t pfn = 0; pfn < pages; ++pfn) {
    if (pv_pfn_to_mfn(pfn) == mfn) return pfn;
  }
  return PV_INVALID_FRAME;
}

uint64_t hostile_lowest_mfn(void) {
  uint64_t low = ~0ull;
  for (uint64_t pfn = 0; pfn < pvtest_start_info()->nr_pages; ++pfn) {
    if (pv_pfn_to_mfn(pfn) < low) low = pv_pfn_to_mfn(pfn);
  }
  return low;
}

uint64_t hostile_highest_mfn(void) {
  uint64_t high = 0;
  for (uint64_t pfn = 0; pfn < pvtest_start_info()->nr_pages; ++pfn) {
    if (pv_pfn_to_mfn(pfn) > high) high = pv_pfn_to_mfn(pfn);
  }
  return high;
}

uint64_t hostile_root_mfn(void) { return pv_virt_to_mfn((const void *)pvtest_start_info()->pt_base_va); }

uint64_t hostile_read_entry(uint64_t maddr) {
  const uint64_t pfn = hostile_mfn_to_pfn(maddr >> PVABI_PAGE_SHIFT);
  if (pfn == PV_INVALID_FRAME) return ~0ull;
  const volatile uint64_t *table = pv_pfn_to_virt(pfn);
  return table[(maddr & (PVABI_PAGE_SIZE - 1)) / 8];
}

uint64_t hostile_entry_maddr(uint64_t va, unsigned level) {
  uint64_t table = hostile_root_mfn();
  for (unsigned l = 4;; --l) {
    const uint64_t maddr = (table << PVABI_PAGE_SHIFT) + ((va >> (12 + 9 * (l - 1))) & 511) * 8;
    if (l == level) return maddr;
    const uint64_t e = hostile_read_entry(maddr);
    if ((e & PVABI_PTE_PRESENT) == 0) return 0;
    table = (e & PVABI_PTE_FRAME_MASK) >> PVABI_PAGE_SHIFT;
  }
}

uint64_t hostile_frame_past_memory(void) {
  static struct pvabi_limits l;
  if (pv_hypercall2(PVABI_HC_VERSION, PVABI_VERSION_OP_GET_LIMITS, (uint64_t)&l) != PVABI_OK) return 1ull << 30;
  return l.max_machine_frame;
}

/* ---- probes (probe.S) ---- */

extern const char hostile_read_insn[], hostile_read_fixup[], hostile_write_insn[], hostile_write_fixup[];
void hostile_fault_entry_pf(void);
void hostile_fault_entry_gp(void);
uint64_t hostile_iret_stub;

/* Called by the stubs: a fault at a probe instruction returns to its fixup
 * with rax = HOSTILE_FAULTED; any other fault ends the kernel. */
void hostile_fault(const void *entry_rsp, uint64_t vector, struct pvabi_iret_frame *out) {
  const struct pvabi_exception_frame *f = pv_trap_frame(entry_rsp, (uint32_t)vector);
  hostile_last_fault.vector = vector;
  hostile_last_fault.error_code = f->error_code;
  hostile_last_fault.address = vector == PVABI_VECTOR_PAGE_FAULT ? *(const uint64_t *)entry_rsp : 0;
  pv_iret_frame_from_exception(f, HOSTILE_FAULTED, out);
  if (f->rip == (uint64_t)hostile_read_insn) {
    out->rip = (uint64_t)hostile_read_fixup;
  } else if (f->rip == (uint64_t)hostile_write_insn) {
    out->rip = (uint64_t)hostile_write_fixup;
  } else {
    pvtest_printf("FAIL unexpected fault: vector %lu at rip %p, address %p", vector, (void *)f->rip,
                  (void *)hostile_last_fault.address);
    (void)pv_sched_shutdown(PVABI_SHUTDOWN_CRASH);
  }
}

int hostile_install_traps(void) {
  static struct pvabi_trap_info t[2];
  hostile_iret_stub = pvtest_start_info()->hypercall_page_va + PVABI_HC_IRET * PVABI_HYPERCALL_STUB_SIZE;
  if (pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 1, (uint64_t)hostile_fault_entry_pf) != PVABI_OK ||
      pv_trap_entry(&t[1], 13, 0, 1, (uint64_t)hostile_fault_entry_gp) != PVABI_OK) {
    return -1;
  }
  return pv_set_trap_table(t, 2) == PVABI_OK ? 0 : -1;
}
