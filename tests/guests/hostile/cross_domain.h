/*
 * The cross-domain hostile pair: what the victim (cross_domain_victim.c)
 * sets up and tells the attacker (cross_domain_attacker.c) about.
 *
 * The victim lays out its ports, grants and frames, writes this directory
 * into a page it grants the attacker read-only, and offers the attacker one
 * port last: once the attacker has bound it, everything else is in place.
 * The attacker sends one event on that port when it is done; the victim
 * then checks that nothing of its own changed.
 */
#ifndef PVABI_TESTS_GUESTS_HOSTILE_CROSS_DOMAIN_H
#define PVABI_TESTS_GUESTS_HOSTILE_CROSS_DOMAIN_H

#include <stdint.h>

#define CROSS_DOMAIN_MAGIC 0x63726f73732d646dull

struct cross_domain_directory {
  uint64_t magic;
  uint32_t offered_elsewhere; /* unbound, offered to the victim itself, not the attacker */
  uint32_t loop_a, loop_b;    /* two victim ports bound to each other */
  uint32_t done;              /* offered to the attacker, bound by it */
  uint32_t ro_ref;            /* the directory page, granted to the attacker read-only */
  uint32_t other_ref;         /* the secret page, granted writable to other_dom */
  uint16_t other_dom;         /* a domain that is neither of the two */
  uint16_t _pad[3];
  uint64_t secret_mfn;        /* a plain data page of the victim */
  uint64_t directory_mfn;     /* this page */
  uint64_t root_mfn;          /* the victim's L4, pinned and in use */
  uint64_t l1_mfn;            /* a victim L1 table, in use */
  uint64_t grant_table_mfn;   /* the victim's grant table frame */
};

/* The secret page's content: word i holds this. */
static inline uint64_t cross_domain_secret_word(unsigned i) { return 0x5ec2e7000000000ull + i * 0x9e3779b9ull; }

#endif
