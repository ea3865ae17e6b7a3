/*
 * What differs between the benchmark guest on hv-core (pv_env.c) and on
 * bare hardware at ring 0 (native_env.c); bench_guest.c is the same source
 * for both and reaches everything else through libpv.
 */
#ifndef PVABI_BENCH_GUEST_BENCH_ENV_H
#define PVABI_BENCH_GUEST_BENCH_ENV_H

#include <libpv/libpv.h>

/* 1 on hv-core, 0 on bare hardware. */
int env_is_pv(void);
/* The current top-level page table, readable at this address. */
const uint64_t *env_root_table(void);
/* The first of `env_free_frames()` pseudo-physical frames nothing else uses. */
uint64_t env_first_free_pfn(void);
uint64_t env_free_frames(void);
/* The command line ("role=echo peer=0 ..."), or "" natively. */
const char *env_cmdline(void);

/* Installs bench_invalid_opcode_entry (vector 6) and bench_page_fault_entry
 * (vector 14), which skip the trapping instruction; 0 on success. */
int env_install_skip_handlers(void);
void bench_invalid_opcode_entry(void);
void bench_page_fault_entry(void);

/* guest_syscall. env_user_mode_init prepares user mode: the user program
 * bench_user_syscalls (user_syscalls.S) mapped for it, and the kernel's
 * system call entry; 0 on success. env_run_user runs that program once and
 * returns the ticks it passes with its last call. */
int env_user_mode_init(void);
uint64_t env_run_user(void);
void bench_user_syscalls(void);

/* The index of `va`'s entry in its level-`level` table (4 = the root). */
static inline unsigned table_slot(uint64_t va, int level) { return (unsigned)(va >> (12 + 9 * (level - 1))) & 511; }

/* The benchmarks; called once libpv is up. Returns when done. */
void bench_main(void);

#endif
