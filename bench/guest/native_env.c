/* The benchmark guest on bare hardware at ring 0, through libpv's native backend. */
#include <libpv/native.h>

#include "bench_env.h"

#define FREE_FIRST_PFN 4096u /* 16 MiB: above the image, inside the identity map */
#define FREE_FRAMES 4096u
#define IDENTITY_FRAMES (1u << 18) /* the first GiB */

static void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

/* The TSC's rate: PIT channel 2 counts down 10 ms. */
static uint64_t calibrate_tsc(void) {
  const uint16_t count = 1193182 / 100;
  outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
  outb(0x43, 0xb0);
  outb(0x42, count & 0xff);
  outb(0x42, count >> 8);
  const uint64_t start = pv_rdtsc();
  while ((inb(0x61) & 0x20) == 0) {
  }
  return (pv_rdtsc() - start) * 100;
}

int env_is_pv(void) { return 0; }
const uint64_t *env_root_table(void) {
  uint64_t cr3;
  __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
  return (const uint64_t *)(cr3 & ~0xfffull);
}
uint64_t env_first_free_pfn(void) { return FREE_FIRST_PFN; }
uint64_t env_free_frames(void) { return FREE_FRAMES; }
const char *env_cmdline(void) { return ""; }

struct idt_gate {
  uint16_t offset_low, selector;
  uint8_t ist, type;
  uint16_t offset_mid;
  uint32_t offset_high, reserved;
};

static void set_gate(struct idt_gate *g, void (*handler)(void)) {
  const uint64_t at = (uint64_t)handler;
  *g = (struct idt_gate){(uint16_t)at, 0x08, 0, 0x8e, (uint16_t)(at >> 16), (uint32_t)(at >> 32), 0};
}

int env_install_skip_handlers(void) {
  static struct idt_gate idt[32];
  set_gate(&idt[6], bench_invalid_opcode_entry);
  set_gate(&idt[14], bench_page_fault_entry);
  const struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } pointer = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(pointer));
  return 0;
}

/* ---- guest_syscall: ring 3 and the syscall instruction ---- */

#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_SFMASK 0xc0000084u
#define EFER_SCE 1u
#define KERNEL_CS 0x08u /* syscall: cs = this, ss = this + 8 */
#define SYSRET_BASE 0x10u /* sysretq: ss = this + 8, cs = this + 16 (RPL 3) */
#define TSS_SELECTOR 0x28u

extern uint64_t native_gdt[];
void native_syscall_entry(void);
uint64_t native_enter_user(uint64_t rip);

static void wrmsr(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (uint64_t)hi << 32 | lo;
}

/* Only rsp0 matters: where a fault in ring 3 would land, instead of a triple fault on no stack. */
static struct __attribute__((packed)) {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3, iomap_base;
} tss;
static uint8_t ring0_stack[4096] __attribute__((aligned(16)));

static void load_tss(void) {
  tss.rsp[0] = (uint64_t)ring0_stack + sizeof ring0_stack;
  tss.iomap_base = sizeof tss; /* no I/O bitmap */
  const uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
  native_gdt[TSS_SELECTOR / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 | /* present, available */
                                 (limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
  native_gdt[TSS_SELECTOR / 8 + 1] = base >> 32;
  __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
}

/* The user bit on every level down to the 2 MiB page holding the user
 * program: that page (kernel image and all) becomes reachable from ring 3,
 * as the identity map offers nothing smaller. */
static void map_for_user(uint64_t va) {
  uint64_t *table = (uint64_t *)env_root_table();
  for (int level = 4; level >= 2; --level) {
    uint64_t *entry = &table[table_slot(va, level)];
    *entry |= PVABI_PTE_USER;
    table = (uint64_t *)(*entry & PVABI_PTE_FRAME_MASK);
  }
  uint64_t cr3;
  __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

int env_user_mode_init(void) {
  load_tss();
  map_for_user((uint64_t)bench_user_syscalls);
  wrmsr(MSR_STAR, (uint64_t)SYSRET_BASE << 48 | (uint64_t)KERNEL_CS << 32);
  wrmsr(MSR_LSTAR, (uint64_t)native_syscall_entry);
  wrmsr(MSR_SFMASK, 0x47700); /* TF, IF, DF, IOPL, NT, AC: what Linux clears on entry, besides the arithmetic flags */
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
  return 0;
}

uint64_t env_run_user(void) { return native_enter_user((uint64_t)bench_user_syscalls); }

void native_main(void) {
  const struct pv_native_config config = {0, IDENTITY_FRAMES, calibrate_tsc(), 1, 0};
  if (pv_native_init(&config) == PVABI_OK) bench_main();
  outb(0xf4, 0); /* isa-debug-exit: QEMU exits with status 1 */
  for (;;) __asm__ volatile("hlt");
}
