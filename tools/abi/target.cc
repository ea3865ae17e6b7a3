#include "target.h"

#include "absl/strings/str_cat.h"

namespace pvabi::tools {

std::vector<Target> DefaultTargets() {
  struct Triple {
    const char* name;
    const char* triple;
  };
  static constexpr Triple kTriples[] = {
      {"x86_64-linux", "x86_64-linux-gnu"},
      {"i386-linux", "i686-linux-gnu"},
      {"x86_64-mingw", "x86_64-w64-windows-gnu"},
      {"i686-mingw", "i686-w64-windows-gnu"},
  };
  std::vector<Target> out;
  for (const Triple& t : kTriples) {
    out.push_back(Target{absl::StrCat(t.name, "/c99"), t.triple, "c", "c99"});
    out.push_back(Target{absl::StrCat(t.name, "/c++20"), t.triple, "c++", "c++20"});
  }
  return out;
}

}  // namespace pvabi::tools
