// tests/fuzz/fuzz_checks.h: what every fuzz target of the core checks: the
// core's invariants after each step, and that tearing a run down gives
// back every frame it took.
#ifndef TESTS_FUZZ_FUZZ_CHECKS_H
#define TESTS_FUZZ_FUZZ_CHECKS_H

#include <cstdint>
#include <cstdio>

#include "hv-core/core/frame_table.h"
#include "hv-core/core/invariants.h"
#include "hv-core/platform/host/host_platform.h"

namespace fuzz {

[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  __builtin_trap();
}

inline void check_invariants(const char* when) {
  const hv::InvariantReport r = hv::check_invariants();
  if (!r.ok()) {
    std::fprintf(stderr, "invariant broken %s: %s\n", when, r.first.c_str());
    __builtin_trap();
  }
}

// After a run: reset the machine; every frame free before it is free again.
inline void check_teardown(uint64_t free_frames_before) {
  hv::host::reset_machine();
  if (hv::frame_table().free_frames() != free_frames_before) {
    std::fprintf(stderr, "references leaked: %llu frames not free after teardown\n",
                 static_cast<unsigned long long>(free_frames_before - hv::frame_table().free_frames()));
    __builtin_trap();
  }
}

}  // namespace fuzz

#endif  // TESTS_FUZZ_FUZZ_CHECKS_H
