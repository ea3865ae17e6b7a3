/*
 * Console: writes of every size up to PVABI_CONSOLE_IO_MAX are taken whole,
 * larger ones and unknown operations are refused, buffers the hypervisor
 * cannot read (reserved range, non-canonical, unmapped, or running off the
 * end of the mapping) give PVABI_EFAULT, and a read with no input pending
 * returns 0 and leaves the buffer alone.
 */
#include "../pvtest/pvtest.h"

PVTEST_KERNEL_NOTES();

#define NON_CANONICAL 0x0000800000000000ull
#define UNMAPPED_LOW 0x0000000000400000ull

static int64_t console_io(uint64_t op, uint64_t buf, uint64_t len) {
  return pv_hypercall3(PVABI_HC_CONSOLE_IO, op, buf, len);
}

static int64_t write_buf(const char *buf, uint64_t len) { return console_io(PVABI_CONSOLE_WRITE, (uint64_t)buf, len); }

/* One past the last byte the builder mapped: every pfn, then shared info. */
static uint64_t end_of_mapping(void) {
  const struct pvabi_start_info *si = pvtest_start_info();
  return si->virt_base + (si->nr_pages + 1) * PVABI_PAGE_SIZE;
}

PVTEST(zero_bytes_are_taken) {
  static const char text[] = "never shown";
  PVTEST_EXPECT_EQ(write_buf(text, 0), 0);
}

PVTEST(one_byte_at_a_time) {
  static const char text[] = "one byte at a time\n";
  for (unsigned i = 0; i + 1 < sizeof text; ++i) PVTEST_EXPECT_EQ(write_buf(&text[i], 1), 1);
}

PVTEST(a_partial_line_is_joined_by_the_next_write) {
  static const char first[] = "first half, not shown: ", second[] = "second half\n";
  /* Only a prefix of `first` goes out: len, not the string, says how much. */
  PVTEST_EXPECT_EQ(write_buf(first, 11), 11);
  PVTEST_EXPECT_EQ(write_buf(second, sizeof second - 1), sizeof second - 1);
}

/* The largest write, starting near the end of a page so it spans three. */
PVTEST(a_write_of_io_max_bytes_spans_pages) {
  static char pages[3 * PVABI_PAGE_SIZE] __attribute__((aligned(PVABI_PAGE_SIZE)));
  char *buf = pages + PVABI_PAGE_SIZE - 100;
  for (unsigned i = 0; i < PVABI_CONSOLE_IO_MAX; ++i) buf[i] = (char)('a' + (i / 128) % 26);
  for (unsigned i = 127; i < PVABI_CONSOLE_IO_MAX; i += 128) buf[i] = '\n';
  PVTEST_EXPECT_EQ(write_buf(buf, PVABI_CONSOLE_IO_MAX), PVABI_CONSOLE_IO_MAX);
  PVTEST_EXPECT_STATUS(write_buf(buf, PVABI_CONSOLE_IO_MAX + 1), PVABI_E2BIG);
  PVTEST_EXPECT_STATUS(write_buf(buf, ~0ull), PVABI_E2BIG);
}

PVTEST(unreadable_buffers_give_efault) {
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, PVABI_HV_VIRT_START, 8), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, PVABI_HV_VIRT_END - 8, 8), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, NON_CANONICAL, 8), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, UNMAPPED_LOW, 8), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, 0, 1), PVABI_EFAULT);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, end_of_mapping(), 8), PVABI_EFAULT);
  /* Readable at first, then not: nothing may be written (no garbage line). */
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, end_of_mapping() - 16, 32), PVABI_EFAULT);
  /* A buffer that wraps from the top of the address space. */
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_WRITE, ~0ull - 3, 8), PVABI_EFAULT);
}

PVTEST(unknown_operations_give_enosys) {
  static const char text[] = "never shown\n";
  PVTEST_EXPECT_STATUS(console_io(2, (uint64_t)text, sizeof text - 1), PVABI_ENOSYS);
  PVTEST_EXPECT_STATUS(console_io(0x100000000ull, (uint64_t)text, sizeof text - 1), PVABI_ENOSYS);
  PVTEST_EXPECT_STATUS(console_io(~0ull, (uint64_t)text, sizeof text - 1), PVABI_ENOSYS);
}

PVTEST(a_read_without_input_returns_zero) {
  static char buf[64];
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = 'z';
  PVTEST_EXPECT_EQ(console_io(PVABI_CONSOLE_READ, (uint64_t)buf, sizeof buf), 0);
  PVTEST_EXPECT_EQ(console_io(PVABI_CONSOLE_READ, (uint64_t)buf, 0), 0);
  PVTEST_EXPECT_EQ(pv_console_read(buf, sizeof buf), 0);
  int untouched = 1;
  for (unsigned i = 0; i < sizeof buf; ++i) untouched = untouched && buf[i] == 'z';
  PVTEST_CHECK(untouched);
  PVTEST_EXPECT_STATUS(console_io(PVABI_CONSOLE_READ, (uint64_t)buf, PVABI_CONSOLE_IO_MAX + 1), PVABI_E2BIG);
}

PVTEST(libpv_splits_long_writes) {
  static char buf[PVABI_CONSOLE_IO_MAX + 64];
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (i % 64 == 63) ? '\n' : (char)('0' + (i / 64) % 10);
  PVTEST_EXPECT_EQ(pv_console_write(buf, sizeof buf), sizeof buf);
}
