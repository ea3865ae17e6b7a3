/*
 * The demo's work items, on the ring each consumer shares with the
 * producer: a hash chain the consumer computes and the producer checks.
 */
#ifndef PVABI_TESTS_GUESTS_DEMO_WORK_H
#define PVABI_TESTS_GUESTS_DEMO_WORK_H

#include "../domains/peer.h"

enum { WORK_HASH = 1, WORK_STOP = 2 };

struct work_request {
  uint32_t id;
  uint32_t op;
  uint64_t seed;
  uint32_t rounds;
  uint32_t _pad0;
};

struct work_response {
  uint32_t id;
  uint32_t op;
  uint64_t result;
  uint64_t _pad0;
};

union work_slot {
  struct work_request req;
  struct work_response rsp;
};

/* `rounds` rounds of the payload checksum, starting from `seed`. */
static inline uint64_t work_hash(uint64_t seed, uint32_t rounds) {
  for (uint32_t i = 0; i < rounds; ++i) seed = peer_checksum(&seed, sizeof seed);
  return seed;
}

#endif
