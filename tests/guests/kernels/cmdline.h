/*
 * A guest kernel's command line (start info's cmdline): space-separated
 * words, "key=value" among them. Shared by pvtest and the benchmark guest.
 */
#ifndef PVABI_TESTS_GUESTS_CMDLINE_H
#define PVABI_TESTS_GUESTS_CMDLINE_H

#include <stdint.h>

/* The value of the word "key=value" (it ends at a space or the end), or 0. */
const char *cmdline_value(const char *line, const char *key);
/* That value as a number, decimal or 0x hex; `fallback` if absent or not a number. */
uint64_t cmdline_u64(const char *line, const char *key, uint64_t fallback);
/* 1 if the line holds the word "key=value" exactly. */
int cmdline_is(const char *line, const char *key, const char *value);

#endif
