/*
 * pvabi/base.h: the types and layout checks every pvabi header is built on.
 *
 * pvabi structs have one layout on every target (x86-64 and i386, SysV and MS
 * ABI). i386 would align a plain uint64_t to 4 inside a struct, so every 64-bit
 * field is a pvabi_u64, aligned to 8 everywhere, and every struct that holds one
 * is padded by hand to a multiple of 8. A 32-bit guest then needs no
 * translation layer.
 *
 * Each struct is followed by PVABI_ASSERT_SIZE and one PVABI_ASSERT_OFFSET per
 * field, so a layout change cannot compile unnoticed:
 *
 *     struct pvabi_example { pvabi_u64 addr; uint32_t len; uint32_t _pad0; };
 *     PVABI_ASSERT_SIZE(pvabi_example, 16, 8);
 *     PVABI_ASSERT_OFFSET(pvabi_example, addr, 0);
 *
 * Guest pointers are guest-virtual addresses held in a pvabi_u64, never C
 * pointers; frame numbers are pvabi_u64 too. Fields named _padN are reserved:
 * the guest writes zero, the hypervisor rejects anything else with
 * PVABI_EINVAL.
 */
#ifndef PVABI_BASE_H
#define PVABI_BASE_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__GNUC__) && !defined(__clang__)
#error "pvabi headers need a GNU C compatible compiler (gcc, clang, MinGW gcc)"
#endif

/* A 64-bit field with the same 8-byte alignment on every target. */
typedef uint64_t pvabi_u64 __attribute__((aligned(8)));
typedef int64_t pvabi_s64 __attribute__((aligned(8)));

#define PVABI_PAGE_SHIFT 12
#define PVABI_PAGE_SIZE 4096u

/* The domain an operation acts on: the caller, unless a control domain names
 * another. Domain ids are 16-bit; ids from here on are reserved. */
#define PVABI_DOMID_SELF 0x7ff0u

#define PVABI_CAT_(a, b) a##b
#define PVABI_CAT(a, b) PVABI_CAT_(a, b)

#if defined(__cplusplus)
#define PVABI_STATIC_ASSERT(cond, tag) static_assert(cond, #tag)
#define PVABI_ALIGNOF(type) alignof(type)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define PVABI_STATIC_ASSERT(cond, tag) _Static_assert(cond, #tag)
#define PVABI_ALIGNOF(type) _Alignof(type)
#else
/* C99 has no _Static_assert: a negative array size stops the build. */
#define PVABI_STATIC_ASSERT(cond, tag) \
  typedef char PVABI_CAT(pvabi_assert_, tag)[(cond) ? 1 : -1]
#define PVABI_ALIGNOF(type) __alignof__(type)
#endif

#define PVABI_ASSERT_SIZE(tag, size, align)                              \
  PVABI_STATIC_ASSERT(sizeof(struct tag) == (size), tag##_size);         \
  PVABI_STATIC_ASSERT(PVABI_ALIGNOF(struct tag) == (align), tag##_align)

#define PVABI_ASSERT_OFFSET(tag, field, offset) \
  PVABI_STATIC_ASSERT(offsetof(struct tag, field) == (offset), tag##_##field)

PVABI_STATIC_ASSERT(sizeof(pvabi_u64) == 8, pvabi_u64_size);
PVABI_STATIC_ASSERT(PVABI_ALIGNOF(pvabi_u64) == 8, pvabi_u64_align);

#endif /* PVABI_BASE_H */
