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

void native_main(void) {
  const struct pv_native_config config = {0, IDENTITY_FRAMES, calibrate_tsc(), 1, 0};
  if (pv_native_init(&config) == PVABI_OK) bench_main();
  outb(0xf4, 0); /* isa-debug-exit: QEMU exits with status 1 */
  for (;;) __asm__ volatile("hlt");
}
