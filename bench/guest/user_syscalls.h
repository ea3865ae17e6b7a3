/*
 * guest_syscall's user program (user_syscalls.S) and what its system calls
 * ask: plain defines, read by the assembly of both kernels' entries too.
 */
#ifndef PVABI_BENCH_GUEST_USER_SYSCALLS_H
#define PVABI_BENCH_GUEST_USER_SYSCALLS_H

#define BENCH_USER_SYSCALLS 1000 /* null calls per run */
#define BENCH_SYS_NULL 0         /* back to the user at once */
#define BENCH_SYS_DONE 1         /* the run is over: back to the kernel, rdi = its ticks */

#endif
