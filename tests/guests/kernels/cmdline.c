#include "cmdline.h"

const char *cmdline_value(const char *line, const char *key) {
  const char *p = line;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    const char *k = key;
    const char *w = p;
    while (*k != '\0' && *w == *k) {
      ++w;
      ++k;
    }
    if (*k == '\0' && *w == '=') return w + 1;
    while (*p != '\0' && *p != ' ') ++p;
  }
  return 0;
}

uint64_t cmdline_u64(const char *line, const char *key, uint64_t fallback) {
  const char *p = cmdline_value(line, key);
  if (p == 0 || *p == '\0' || *p == ' ') return fallback;
  unsigned base = 10;
  if (p[0] == '0' && p[1] == 'x') {
    base = 16;
    p += 2;
  }
  uint64_t v = 0;
  for (; *p != '\0' && *p != ' '; ++p) {
    unsigned d;
    if (*p >= '0' && *p <= '9') {
      d = (unsigned)(*p - '0');
    } else if (base == 16 && *p >= 'a' && *p <= 'f') {
      d = (unsigned)(*p - 'a' + 10);
    } else {
      return fallback;
    }
    v = v * base + d;
  }
  return v;
}

int cmdline_is(const char *line, const char *key, const char *value) {
  const char *p = cmdline_value(line, key);
  if (p == 0) return 0;
  while (*value != '\0' && *p == *value) {
    ++p;
    ++value;
  }
  return *value == '\0' && (*p == '\0' || *p == ' ');
}
