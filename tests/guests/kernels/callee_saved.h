/*
 * Assembler macros for kernels that leave C for another context (user
 * mode) and come back on a saved stack: the registers the C calling
 * convention asks a callee to keep.
 */
#ifndef TESTS_GUESTS_KERNELS_CALLEE_SAVED_H
#define TESTS_GUESTS_KERNELS_CALLEE_SAVED_H

/* clang-format off */
.macro push_callee_saved
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
.endm

.macro pop_callee_saved
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
.endm
/* clang-format on */

#endif
