/*
 * lbench: the cost of a few kernel paths as seen from user mode, in TSC
 * ticks per operation, to compare the same kernel running natively and as
 * a pvabi guest. Static, so it runs from a bare initramfs.
 *
 *   lbench                 every figure, one line each: "lbench: NAME TICKS"
 *   lbench NAME...         only those figures
 *   lbench mmapcheck N     N rounds of map, fill, check, unmap (exit 0 if sound)
 *   lbench fsbasecheck N   N switches away from a process with FS base 0 and
 *                          back: its %fs reads must still see base 0
 *   lbench true            exit 0 at once (a tiny external command)
 *
 * Each figure is the median of ROUNDS rounds, each round timing a batch of
 * operations with rdtsc: the TSC is readable in user mode both natively and
 * under hv-core, and under QEMU's -icount it follows the instruction count.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 7
#define PAGE 4096

static inline uint64_t ticks(void)
{
	uint32_t lo, hi;

	/* lfence: the read is not hoisted above the work being timed. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One round: `ops` operations, returns ticks per operation. */
typedef uint64_t (*round_fn)(unsigned ops);

static uint64_t median_round(round_fn fn, unsigned ops)
{
	uint64_t r[ROUNDS];

	fn(ops); /* warm-up: first-touch costs belong to no figure */
	for (int i = 0; i < ROUNDS; i++)
		r[i] = fn(ops);
	qsort(r, ROUNDS, sizeof r[0], cmp_u64);
	return r[ROUNDS / 2];
}

/* The bare system call: entry, dispatch and return. */
static uint64_t round_getppid(unsigned ops)
{
	uint64_t t0 = ticks();

	for (unsigned i = 0; i < ops; i++)
		syscall(SYS_getppid);
	return (ticks() - t0) / ops;
}

/* A whole process: copy the address space, exit, reap. */
static uint64_t round_fork(unsigned ops)
{
	uint64_t t0 = ticks();

	for (unsigned i = 0; i < ops; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
	}
	return (ticks() - t0) / ops;
}

/* First touch of fresh anonymous pages: one fault and one new page each. */
static uint64_t round_pagefault(unsigned ops)
{
	volatile char *p = mmap(NULL, (size_t)ops * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0, t;

	if (p == MAP_FAILED)
		die("mmap");
	t0 = ticks();
	for (unsigned i = 0; i < ops; i++)
		p[(size_t)i * PAGE] = 1;
	t = (ticks() - t0) / ops;
	munmap((void *)p, (size_t)ops * PAGE);
	return t;
}

/*
 * Two processes passing a byte back and forth through two pipes on one
 * CPU: every hand-over is a switch. Ticks per switch (two per round trip).
 */
static uint64_t round_ctxsw(unsigned ops)
{
	int there[2], back[2];
	char c = 0;
	pid_t pid;
	uint64_t t0, t;

	if (pipe(there) || pipe(back))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (unsigned i = 0; i < ops; i++)
			if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = ticks();
	for (unsigned i = 0; i < ops; i++)
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			die("ping-pong");
	t = (ticks() - t0) / (2 * (uint64_t)ops);
	waitpid(pid, NULL, 0);
	close(there[0]), close(there[1]), close(back[0]), close(back[1]);
	return t;
}

/* Mapping and unmapping one page that is never touched. */
static uint64_t round_mmap(unsigned ops)
{
	uint64_t t0 = ticks();

	for (unsigned i = 0; i < ops; i++) {
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		if (munmap(p, PAGE))
			die("munmap");
	}
	return (ticks() - t0) / ops;
}

static const struct figure {
	const char *name;
	round_fn fn;
	unsigned ops;
} figures[] = {
	{ "getppid", round_getppid, 2000 },
	{ "fork", round_fork, 20 },
	{ "pagefault", round_pagefault, 256 },
	{ "ctxsw", round_ctxsw, 500 },
	{ "mmap", round_mmap, 500 },
};

#define NFIGURES (sizeof figures / sizeof figures[0])

/*
 * The smoke test's memory check: each round maps 16 fresh pages, checks
 * they read as zero, fills them with a pattern of the round and page,
 * checks it back and unmaps them. Exit 0 and "ok N" when all rounds held.
 */
static int mmapcheck(long rounds)
{
	enum { PAGES = 16 };
	const size_t words = PAGES * PAGE / sizeof(uint64_t);

	for (long r = 0; r < rounds; r++) {
		uint64_t *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			printf("mmap failed in round %ld\n", r);
			return 1;
		}
		for (size_t i = 0; i < words; i++)
			if (p[i] != 0) {
				printf("round %ld: word %zu of a fresh mapping is %#llx\n",
				       r, i, (unsigned long long)p[i]);
				return 1;
			}
		for (size_t i = 0; i < words; i++)
			p[i] = ((uint64_t)r << 32) ^ i ^ 0x5a5a5a5a00000000ull;
		for (size_t i = 0; i < words; i++)
			if (p[i] != (((uint64_t)r << 32) ^ i ^ 0x5a5a5a5a00000000ull)) {
				printf("round %ld: word %zu reads back wrong\n", r, i);
				return 1;
			}
		if (munmap(p, PAGES * PAGE)) {
			printf("munmap failed in round %ld\n", r);
			return 1;
		}
	}
	printf("ok %ld\n", rounds);
	return 0;
}

/*
 * A process whose FS base is 0 shares the CPU with one whose base is its
 * TLS; after every switch back, an %fs-relative read must land in its own
 * page at FS_PROBE. Raw system calls only once its base is 0: libc reaches
 * its TLS (errno, the stack canary) through %fs.
 */
#define FS_PROBE 0x10000ul
#define FS_MARK 0x5eedf5ba5e000000ull

static long raw_syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static __attribute__((noreturn)) void fs_zero_child(long rounds)
{
	long wrong = 0;

	if (raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, 0))
		raw_syscall2(SYS_exit_group, 3, 0);
	for (long i = 0; i < rounds; i++) {
		uint64_t seen;

		raw_syscall2(SYS_sched_yield, 0, 0);
		__asm__ volatile("movq %%fs:%c1, %0" : "=r"(seen) : "i"(FS_PROBE + 8) : "memory");
		wrong += seen != FS_MARK;
	}
	raw_syscall2(SYS_exit_group, wrong ? 1 : 0, 0);
	__builtin_unreachable();
}

static int fsbasecheck(long rounds)
{
	uint64_t *probe = mmap((void *)FS_PROBE, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	pid_t yielder, zero;
	int status;

	if (probe != (uint64_t *)FS_PROBE)
		die("mmap at FS_PROBE");
	probe[1] = FS_MARK;
	yielder = fork();
	if (yielder < 0)
		die("fork");
	if (yielder == 0) {
		for (long i = 0; i < rounds + 10; i++)
			sched_yield();
		_exit(0);
	}
	zero = fork();
	if (zero < 0)
		die("fork");
	if (zero == 0)
		fs_zero_child(rounds);
	if (waitpid(zero, &status, 0) != zero)
		die("waitpid");
	kill(yielder, SIGKILL);
	waitpid(yielder, NULL, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %ld\n", rounds);
		return 0;
	}
	if (WIFEXITED(status))
		printf("%%fs reads saw another base (exit %d)\n", WEXITSTATUS(status));
	else
		printf("%%fs reads faulted (signal %d)\n", WTERMSIG(status));
	return 1;
}

static int run_figure(const char *name)
{
	for (size_t i = 0; i < NFIGURES; i++)
		if (!strcmp(figures[i].name, name)) {
			printf("lbench: %s %llu\n", name,
			       (unsigned long long)median_round(figures[i].fn, figures[i].ops));
			fflush(stdout);
			return 0;
		}
	fprintf(stderr, "lbench: no figure %s\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc > 1 && !strcmp(argv[1], "true"))
		return 0;
	if (argc > 1 && !strcmp(argv[1], "mmapcheck"))
		return mmapcheck(argc > 2 ? atol(argv[2]) : 100);
	if (argc > 1 && !strcmp(argv[1], "fsbasecheck"))
		return fsbasecheck(argc > 2 ? atol(argv[2]) : 100);
	if (argc == 1)
		for (size_t i = 0; i < NFIGURES; i++)
			status |= run_figure(figures[i].name);
	for (int i = 1; i < argc; i++)
		status |= run_figure(argv[i]);
	return status;
}
