/*
 * Page faults: touching an unmapped page and writing a read-only one bounce
 * the extended frame (faulting address, x86 error code, rip, cs, ss, rsp,
 * vector 14, flags) onto the stack below the faulting code; the handler maps
 * the page with update_va_mapping, returns with iret, and the instruction
 * runs again and succeeds. A handler registered to mask events runs masked
 * and the iret restores the mask; a read of the hypervisor's reserved range
 * is bounced too (the handler skips it).
 */
#include "../pvtest/pvtest.h"
#include "cpu_stubs.h"

PVTEST_KERNEL_NOTES();

#define PF_PRESENT 1u
#define PF_WRITE 2u
#define PF_USER 4u /* set for the guest kernel too: it runs in ring 3 */

uint64_t fault_rip, resume_rip, fault_rsp;

enum fix { FIX_MAP_WRITABLE, FIX_SKIP };

static struct {
  enum fix fix;
  unsigned count;
  struct pvabi_page_fault_frame pf;
  struct pv_page_fault decoded;
  uint64_t entry_rsp;
  uint8_t mask_in_handler;
  int64_t fix_status;
  uint64_t fix_pte;
} seen;

void cpu_trap(unsigned kind, const void *entry_rsp, struct cpu_regs *regs, struct pvabi_iret_frame *out) {
  const struct pvabi_page_fault_frame *pf = entry_rsp;
  ++seen.count;
  seen.pf = *pf;
  seen.entry_rsp = (uint64_t)entry_rsp;
  seen.mask_in_handler = pv_vcpu_info(0)->upcall_mask;
  if (kind != CPU_KIND_PAGE_FAULT || pv_page_fault_decode(entry_rsp, &seen.decoded) != PVABI_OK) {
    seen.fix = FIX_SKIP; /* not ours: get past it, the checks will tell */
  }
  pv_iret_frame_from_exception(&pf->frame, regs->rax, out);
  if (seen.fix == FIX_MAP_WRITABLE && seen.count == 1) {
    seen.fix_status = pv_mmu_update_va_mapping(NULL, pf->fault_addr & ~0xfffull, seen.fix_pte,
                                               PVABI_UVMF_INVLPG | PVABI_UVMF_LOCAL);
  } else if (pf->frame.rip == fault_rip) {
    out->rip = resume_rip;
  }
}

/* One access at label 1, which the handler may skip to label 2. */
static void store(volatile uint64_t *p, uint64_t value) {
  __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, fault_rip(%%rip)\n\t"
                       "leaq 2f(%%rip), %%rax\n\tmovq %%rax, resume_rip(%%rip)\n\t"
                       "movq %%rsp, fault_rsp(%%rip)\n\t"
                       "1: movq %1, (%0)\n2:"
                       : : "r"(p), "r"(value) : "rax", "memory");
}

static uint64_t load(volatile uint64_t *p) {
  uint64_t v = 0;
  __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, fault_rip(%%rip)\n\t"
                       "leaq 2f(%%rip), %%rax\n\tmovq %%rax, resume_rip(%%rip)\n\t"
                       "movq %%rsp, fault_rsp(%%rip)\n\t"
                       "1: movq (%1), %0\n2:"
                       : "+r"(v) : "r"(p) : "rax", "memory");
  return v;
}

/* A free frame of the domain, and its address in the builder's linear
 * map (inside its L1 tables; unmapped by pvtest_setup). */
static uint64_t scratch_pfn(unsigned i) { return pvtest_start_info()->first_free_pfn + 8 + i; }
static uint64_t scratch_va(unsigned i) { return pvtest_start_info()->virt_base + scratch_pfn(i) * PVABI_PAGE_SIZE; }
static uint64_t scratch_pte(unsigned i, uint64_t flags) { return pv_pfn_to_mfn(scratch_pfn(i)) << 12 | flags; }

static void arm(enum fix fix, uint64_t fix_pte) {
  seen.count = 0;
  seen.fix = fix;
  seen.fix_pte = fix_pte;
  seen.fix_status = -1;
  seen.pf.frame.vector = ~0u;
}

int pvtest_setup(void) {
  static struct pvabi_trap_info t[1];
  if (pvtest_start_info()->first_free_pfn + 16 > pvtest_start_info()->nr_pages) return 1;
  /* The scratch pages start unmapped, whatever the builder mapped. */
  for (unsigned i = 0; i < 2; ++i) {
    if (pv_mmu_update_va_mapping(NULL, scratch_va(i), 0, PVABI_UVMF_INVLPG) != PVABI_OK) return 1;
  }
  if (pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 0, (uint64_t)cpu_page_fault_entry) != PVABI_OK) return 1;
  return pv_set_trap_table(t, 1) == PVABI_OK ? 0 : 1;
}

/* Every field of the extended frame of a fault in the guest kernel. */
static void check_frame(uint64_t address, uint64_t error_code) {
  PVTEST_EXPECT_EQ(seen.pf.fault_addr, address);
  PVTEST_EXPECT_EQ(seen.pf._pad0, 0);
  PVTEST_EXPECT_EQ(seen.pf.frame.vector, PVABI_VECTOR_PAGE_FAULT);
  PVTEST_EXPECT_EQ(seen.pf.frame.error_code, error_code);
  PVTEST_EXPECT_EQ(seen.pf.frame.rip, fault_rip);
  PVTEST_EXPECT_EQ(seen.pf.frame.cs, PVABI_FLAT_CS64);
  PVTEST_EXPECT_EQ(seen.pf.frame.ss, PVABI_FLAT_SS);
  PVTEST_EXPECT_EQ(seen.pf.frame.rsp, fault_rsp);
  PVTEST_EXPECT_EQ(seen.pf.frame.flags & PVABI_FRAME_FROM_USER, 0);
  PVTEST_EXPECT_EQ(seen.pf.frame._pad0 | seen.pf.frame._pad1, 0);
  PVTEST_EXPECT_EQ(seen.entry_rsp, (fault_rsp & ~15ull) - sizeof(struct pvabi_page_fault_frame));
  PVTEST_EXPECT_EQ(seen.decoded.address, address);
  PVTEST_EXPECT_EQ(seen.decoded.rip, fault_rip);
  PVTEST_EXPECT_EQ(seen.decoded.present, (error_code & PF_PRESENT) != 0);
  PVTEST_EXPECT_EQ(seen.decoded.write, (error_code & PF_WRITE) != 0);
  PVTEST_EXPECT_EQ(seen.decoded.from_user, 0);
  PVTEST_EXPECT_EQ(seen.decoded.instruction_fetch, 0);
}

PVTEST(write_to_an_unmapped_page_is_fixed_and_reexecuted) {
  volatile uint64_t *p = (volatile uint64_t *)(scratch_va(0) + 0x18);
  arm(FIX_MAP_WRITABLE, scratch_pte(0, PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE));
  store(p, 0x1234abcd);
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_STATUS(seen.fix_status, PVABI_OK);
  check_frame((uint64_t)p, PF_USER | PF_WRITE);
  PVTEST_EXPECT_EQ(*p, 0x1234abcd); /* the store ran again, on the new mapping */
  PVTEST_REQUIRE_OK(pv_mmu_update_va_mapping(NULL, scratch_va(0), 0, PVABI_UVMF_INVLPG));
}

PVTEST(read_of_an_unmapped_page_is_fixed_and_reexecuted) {
  volatile uint64_t *p = (volatile uint64_t *)(scratch_va(0) + 0x18);
  arm(FIX_MAP_WRITABLE, scratch_pte(0, PVABI_PTE_PRESENT));
  const uint64_t v = load(p);
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_STATUS(seen.fix_status, PVABI_OK);
  check_frame((uint64_t)p, PF_USER);
  PVTEST_EXPECT_EQ(v, 0x1234abcd); /* what the last case stored in that frame */
}

PVTEST(write_to_a_read_only_page_is_fixed_and_reexecuted) {
  volatile uint64_t *p = (volatile uint64_t *)(scratch_va(0) + 0xff8);
  /* Still mapped read-only by the last case. */
  arm(FIX_MAP_WRITABLE, scratch_pte(0, PVABI_PTE_PRESENT | PVABI_PTE_WRITABLE));
  store(p, 0x55aa);
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_STATUS(seen.fix_status, PVABI_OK);
  check_frame((uint64_t)p, PF_USER | PF_WRITE | PF_PRESENT);
  PVTEST_EXPECT_EQ(*p, 0x55aa);
  /* Once writable, no more faults. */
  arm(FIX_SKIP, 0);
  store(p, 0x66bb);
  PVTEST_EXPECT_EQ(seen.count, 0);
  PVTEST_EXPECT_EQ(*p, 0x66bb);
  PVTEST_REQUIRE_OK(pv_mmu_update_va_mapping(NULL, scratch_va(0), 0, PVABI_UVMF_INVLPG));
}

PVTEST(a_fault_after_unmapping_proves_the_tlb_was_flushed) {
  volatile uint64_t *p = (volatile uint64_t *)scratch_va(0);
  arm(FIX_SKIP, 0);
  (void)load(p);
  PVTEST_EXPECT_EQ(seen.count, 1);
  check_frame((uint64_t)p, PF_USER);
}

/* A handler registered with mask_events runs masked; iret restores the mask
 * the frame recorded. */
PVTEST(a_masking_handler_runs_masked_and_iret_restores_the_mask) {
  static struct pvabi_trap_info t[1];
  struct pvabi_vcpu_info *vi = pv_vcpu_info(0);
  PVTEST_REQUIRE_OK(pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 1, (uint64_t)cpu_page_fault_entry));
  PVTEST_REQUIRE_OK(pv_set_trap_table(t, 1));
  const uint8_t was = vi->upcall_mask;
  for (uint8_t before = 0; before <= 1; ++before) {
    vi->upcall_mask = before;
    arm(FIX_SKIP, 0);
    (void)load((volatile uint64_t *)scratch_va(1));
    const uint8_t after = vi->upcall_mask;
    vi->upcall_mask = was;
    PVTEST_EXPECT_EQ(seen.count, 1);
    PVTEST_EXPECT_EQ(seen.mask_in_handler, 1);
    PVTEST_EXPECT_EQ((seen.pf.frame.flags & PVABI_FRAME_EVENTS_WERE_MASKED) != 0, before);
    PVTEST_EXPECT_EQ(after, before);
  }
  PVTEST_REQUIRE_OK(pv_trap_entry(&t[0], PVABI_VECTOR_PAGE_FAULT, 0, 0, (uint64_t)cpu_page_fault_entry));
  PVTEST_REQUIRE_OK(pv_set_trap_table(t, 1));
  vi->upcall_mask = 0;
  arm(FIX_SKIP, 0);
  (void)load((volatile uint64_t *)scratch_va(1));
  PVTEST_EXPECT_EQ(seen.mask_in_handler, 0); /* without mask_events the mask stays as it was */
  vi->upcall_mask = was;
}

PVTEST(reading_the_hypervisors_range_is_bounced) {
  volatile uint64_t *p = (volatile uint64_t *)(PVABI_HV_VIRT_START + 0x8000000000ull + 0x100000);
  arm(FIX_SKIP, 0);
  (void)load(p);
  PVTEST_EXPECT_EQ(seen.count, 1);
  PVTEST_EXPECT_EQ(seen.pf.frame.vector, PVABI_VECTOR_PAGE_FAULT);
  PVTEST_EXPECT_EQ(seen.pf.fault_addr, (uint64_t)p);
  PVTEST_EXPECT_EQ(seen.pf.frame.rip, fault_rip);
}
