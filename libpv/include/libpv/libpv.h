/*
 * libpv/libpv.h: the whole C API of libpv in one include (libpv/native.h,
 * for the native backend only, is separate).
 *
 *     #include <libpv/libpv.h>
 *     pv_init(start_info);
 *
 * docs/porting.md walks a port through it step by step.
 */
#ifndef LIBPV_LIBPV_H
#define LIBPV_LIBPV_H

#include <libpv/api.h>
#include <libpv/console.h>
#include <libpv/event.h>
#include <libpv/event_queue.h>
#include <libpv/grant.h>
#include <libpv/hypercall.h>
#include <libpv/init.h>
#include <libpv/mmu.h>
#include <libpv/multicall.h>
#include <libpv/ring.h>
#include <libpv/sched.h>
#include <libpv/time.h>
#include <libpv/trap.h>
#include <libpv/vcpu.h>

#endif /* LIBPV_LIBPV_H */
