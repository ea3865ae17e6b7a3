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

void native_main(void) {
  const struct pv_native_config config = {0, IDENTITY_FRAMES, calibrate_tsc(), 1, 0};
  if (pv_native_init(&config) == PVABI_OK) bench_main();
  outb(0xf4, 0); /* isa-debug-exit: QEMU exits with status 1 */
  for (;;) __asm__ volatile("hlt");
}
