// The three functions the compiler may call on its own in freestanding code.
#include <stddef.h>
#include <stdint.h>

extern "C" {

// Eight bytes per step, then the rest: every step of a rep prefix is an
// instruction executed, and copies of registers and frames are hot.
void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  size_t words = n / 8, bytes = n % 8;
  asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
  asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) : : "memory");
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  size_t words = n / 8, bytes = n % 8;
  const uint64_t pattern = 0x0101010101010101ull * static_cast<uint8_t>(c);
  asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
  asm volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(pattern) : "memory");
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  for (size_t i = n; i-- > 0;) d[i] = s[i];
  return dst;
}

}
