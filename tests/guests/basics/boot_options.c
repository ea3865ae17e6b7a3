/*
 * Boot options: hv-core's own words on a boot module's command line.
 * Run with "hv.mem=64M hv.ramdisk some=arg" and the pattern ramdisk
 * (ramdisk_pattern.py) as the next module, it proves the domain has 64 MiB,
 * every page of it mapped, sees "some=arg" without the hv. words, and finds
 * the ramdisk's exact bytes at start info's module_va, after its image and
 * before the builder's pages. Run with "defaults=1", it proves the defaults:
 * 1 MiB and no module.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

#define RAMDISK_BYTES 13288u /* meson.build makes it: three pages and 1000 bytes */
#define PAGE 4096u

extern char __executable_start[], _end[];

static int with_defaults(void) { return pvtest_arg("defaults") != 0; }

static int same_text(const uint8_t *a, const char *b) {
  while (*a != 0 && *a == (uint8_t)*b) ++a, ++b;
  return *a == (uint8_t)*b;
}

static uint8_t pattern_byte(uint64_t i) { return (uint8_t)(i * 13 + (i >> 12) * 101 + 7); }

PVTEST(memory_is_what_hv_mem_asked_for) {
  const struct pvabi_start_info *si = pvtest_start_info();
  const uint64_t want = with_defaults() ? 256 : (64u << 20) / PAGE;
  PVTEST_EXPECT_EQ(si->nr_pages, want);
  /* The last pfn is mapped at virt_base + pfn * 4096, and writable. */
  volatile uint64_t *last = (volatile uint64_t *)(si->virt_base + (si->nr_pages - 1) * PAGE);
  *last = 0x6c617374;
  PVTEST_EXPECT_EQ(*last, 0x6c617374);
}

PVTEST(command_line_lacks_the_hv_words) {
  const struct pvabi_start_info *si = pvtest_start_info();
  const char *want = with_defaults() ? "defaults=1" : "some=arg";
  PVTEST_CHECK_MSG(same_text(si->cmdline, want), "cmdline \"%s\", want \"%s\"", (const char *)si->cmdline, want);
  PVTEST_CHECK(pvtest_arg("hv.mem") == 0);
  PVTEST_CHECK(pvtest_arg("hv.ramdisk") == 0);
}

PVTEST(ramdisk_is_mapped_after_the_image) {
  const struct pvabi_start_info *si = pvtest_start_info();
  if (with_defaults()) {
    PVTEST_EXPECT_EQ(si->module_va, 0);
    PVTEST_EXPECT_EQ(si->module_len, 0);
    return;
  }
  PVTEST_EXPECT_EQ(si->module_len, RAMDISK_BYTES);
  if (si->module_va == 0 || si->module_len != RAMDISK_BYTES) PVTEST_ERROR("no ramdisk to check");
  PVTEST_EXPECT_EQ(si->module_va % PAGE, 0);
  const uint64_t image_end = ((uint64_t)_end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  PVTEST_CHECK(si->module_va >= (uint64_t)__executable_start);
  PVTEST_CHECK(si->module_va >= image_end);
  PVTEST_CHECK(si->module_va + si->module_len <= (uint64_t)si); /* start info follows */
  PVTEST_CHECK(si->module_va + si->module_len <= si->p2m_list_va);
  const uint8_t *rd = (const uint8_t *)si->module_va;
  uint64_t wrong = 0, first_wrong = 0;
  for (uint64_t i = 0; i < si->module_len; ++i) {
    if (rd[i] != pattern_byte(i) && wrong++ == 0) first_wrong = i;
  }
  PVTEST_CHECK_MSG(wrong == 0, "%lu bytes differ, the first at offset %lu", (unsigned long)wrong,
                   (unsigned long)first_wrong);
  /* The rest of its last page is zero, not the next module's bytes. */
  for (uint64_t i = si->module_len; i % PAGE != 0; ++i) {
    if (rd[i] != 0) {
      PVTEST_CHECK_MSG(0, "byte %lu past the ramdisk is %u", (unsigned long)i, rd[i]);
      break;
    }
  }
}
