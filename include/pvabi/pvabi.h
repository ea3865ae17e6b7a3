/*
 * pvabi/pvabi.h: the whole v1 interface in one include.
 *
 *     #define PVABI_REQUESTED_VERSION PVABI_MAKE_VERSION(1, 0)  // optional
 *     #include <pvabi/pvabi.h>
 */
#ifndef PVABI_PVABI_H
#define PVABI_PVABI_H

#include <pvabi/base.h>
#include <pvabi/version.h>
#include <pvabi/status.h>
#include <pvabi/hypercall.h>
#include <pvabi/console.h>
#include <pvabi/mmu.h>
#include <pvabi/memory.h>
#include <pvabi/cpu.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/time.h>
#include <pvabi/event.h>
#include <pvabi/event_queue.h>
#include <pvabi/shared.h>
#include <pvabi/grant.h>
#include <pvabi/ring.h>
#include <pvabi/elfnote.h>
#include <pvabi/domctl.h>

#endif /* PVABI_PVABI_H */
