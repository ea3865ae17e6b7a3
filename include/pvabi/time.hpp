// pvabi/time.hpp: the TSC-to-nanoseconds scaling of pvabi/time.h, at compile
// time where the inputs are known.
//
//     uint64_t ns = t.system_time + pvabi::scale_tsc_delta(tsc - t.tsc_timestamp,
//                                                          t.tsc_to_system_mul, t.tsc_shift);
#ifndef PVABI_TIME_HPP
#define PVABI_TIME_HPP

#include <pvabi/time.h>

namespace pvabi {

[[nodiscard]] constexpr uint64_t scale_tsc_delta(uint64_t delta, uint32_t mul, int8_t shift) {
  delta = shift >= 0 ? delta << shift : delta >> -shift;
  // (delta * mul) >> 32 without a 128-bit type, which i386 lacks.
  return (delta >> 32) * mul + (((delta & 0xffffffffu) * mul) >> 32);
}

// The (mul, shift) pair that turns ticks of a `tsc_hz` clock into ns.
struct TscScale {
  uint32_t mul;
  int8_t shift;
};

[[nodiscard]] constexpr TscScale tsc_scale_for(uint64_t tsc_hz) {
  // Find shift so that 1e9 / (tsc_hz * 2^shift) lies in [0.5, 1), then mul = that * 2^32.
  uint64_t target = 1000000000ull;
  uint64_t base = tsc_hz;
  int shift = 0;
  while (base > 2 * target) { base >>= 1; --shift; }
  while (base <= target) { base <<= 1; ++shift; }
  const auto mul = static_cast<uint32_t>((target << 32) / base);
  return {mul, static_cast<int8_t>(shift)};
}

}  // namespace pvabi

#endif  // PVABI_TIME_HPP
