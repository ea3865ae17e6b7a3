#include "boot_options.h"

namespace hv {
namespace {

constexpr uint64_t kFramesPerMiB = (1u << 20) / PVABI_PAGE_SIZE;

struct Word {
  const char* at;
  size_t len;
  bool is(const char* s) const {
    size_t i = 0;
    for (; i < len; ++i) {
      if (s[i] != at[i]) return false;
    }
    return s[i] == '\0';
  }
  bool starts_with(const char* s) const {
    for (size_t i = 0; s[i] != '\0'; ++i) {
      if (i == len || s[i] != at[i]) return false;
    }
    return true;
  }
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

// "<N>M" with 1 <= N <= kMaxBootMemoryMiB, digits only, no overflow.
bool parse_mib(const char* s, size_t len, uint64_t& mib) {
  if (len < 2 || s[len - 1] != 'M') return false;
  mib = 0;
  for (size_t i = 0; i + 1 < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    mib = mib * 10 + static_cast<uint64_t>(s[i] - '0');
    if (mib > kMaxBootMemoryMiB) return false;
  }
  return mib != 0;
}

// Applies one hv. word; on a bad one, says why and changes nothing.
const char* take_option(const Word& w, BootOptions& out) {
  constexpr char kMem[] = "hv.mem=";
  if (w.starts_with(kMem)) {
    uint64_t mib = 0;
    if (!parse_mib(w.at + sizeof kMem - 1, w.len - (sizeof kMem - 1), mib)) {
      return "hv.mem wants <N>M, N from 1 to 1024";
    }
    out.memory_frames = mib * kFramesPerMiB;
    return nullptr;
  }
  if (w.is("hv.ramdisk")) {
    out.ramdisk_follows = true;
    return nullptr;
  }
  if (w.is("hv.console")) {
    out.console_input = true;
    return nullptr;
  }
  return "unknown hv. option (there are hv.mem=<N>M, hv.ramdisk and hv.console)";
}

}  // namespace

static_assert(kMaxBootMemoryMiB == 1024, "take_option's message names the maximum");

Status parse_boot_options(const char* words, BootOptions& out) {
  const char* problem = nullptr;  // the first; every word is still read
  size_t used = 0;                // bytes of guest_cmdline, less its NUL
  const char* p = words;
  for (;;) {
    while (is_space(*p)) ++p;
    if (*p == '\0') break;
    Word w{p, 0};
    while (p[w.len] != '\0' && !is_space(p[w.len])) ++w.len;
    p += w.len;
    const char* why = nullptr;
    const size_t gap = used == 0 ? 0 : 1;
    if (w.starts_with("hv.")) {
      why = take_option(w, out);
    } else if (used + gap + w.len + 1 > sizeof out.guest_cmdline) {
      why = "the guest's command line is longer than start info holds";
    } else {
      if (gap != 0) out.guest_cmdline[used++] = ' ';
      copy_bytes(out.guest_cmdline + used, w.at, w.len);
      used += w.len;
      out.guest_cmdline[used] = '\0';
    }
    if (problem == nullptr) problem = why;
  }
  if (problem == nullptr) return Status::kOk;
  out.problem = problem;
  return Status::kInvalid;
}

}  // namespace hv
