// hv-core/core/text.h: building short messages without libc: a fixed
// buffer that appends strings and numbers and truncates when full.
#ifndef HV_CORE_CORE_TEXT_H
#define HV_CORE_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

namespace hv {

class Text {
 public:
  Text& operator<<(const char* s) {
    while (*s != '\0' && len_ + 1 < sizeof buf_) buf_[len_++] = *s++;
    buf_[len_] = '\0';
    return *this;
  }
  Text& operator<<(uint64_t v) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0 && len_ + 1 < sizeof buf_) buf_[len_++] = digits[--n];
    buf_[len_] = '\0';
    return *this;
  }
  // 0x-prefixed hexadecimal, for addresses.
  Text& hex(uint64_t v) {
    *this << "0x";
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
    for (; shift >= 0 && len_ + 1 < sizeof buf_; shift -= 4) buf_[len_++] = "0123456789abcdef"[(v >> shift) & 0xf];
    buf_[len_] = '\0';
    return *this;
  }
  // Spaces up to `column`, for tables; nothing if the text is already wider.
  Text& pad_to(size_t column) {
    while (len_ < column && len_ + 1 < sizeof buf_) buf_[len_++] = ' ';
    buf_[len_] = '\0';
    return *this;
  }
  // v right-aligned in a field of `width` characters.
  Text& right(uint64_t v, size_t width) {
    Text digits;
    digits << v;
    return pad_to(len_ + (digits.size() < width ? width - digits.size() : 0)) << digits.c_str();
  }
  [[nodiscard]] const char* c_str() const { return buf_; }
  [[nodiscard]] size_t size() const { return len_; }
  void clear() { len_ = 0; buf_[0] = '\0'; }

 private:
  char buf_[192] = {};
  size_t len_ = 0;
};

}  // namespace hv

#endif  // HV_CORE_CORE_TEXT_H
