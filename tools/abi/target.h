// The target configurations the ABI layout is pinned on.
#ifndef PVABI_TOOLS_ABI_TARGET_H
#define PVABI_TOOLS_ABI_TARGET_H

#include <string>
#include <vector>

namespace pvabi::tools {

struct Target {
  std::string name;    // "x86_64-linux/c99"
  std::string triple;  // clang --target
  std::string language;  // "c" or "c++"
  std::string standard;  // "c99" or "c++20"
};

// x86-64 and i386, SysV (Linux) and MS ABI (MinGW), each as C99 and C++20.
std::vector<Target> DefaultTargets();

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_TARGET_H
