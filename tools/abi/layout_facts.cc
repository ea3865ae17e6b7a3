#include "layout_facts.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pvabi::tools {

Facts ToFacts(const Layout& layout) {
  Facts facts;
  for (const Struct& s : layout.structs) {
    facts[absl::StrCat("struct ", s.name)] = absl::StrCat("size=", s.size, " align=", s.align);
    for (const Field& f : s.fields) {
      facts[absl::StrCat("field ", s.name, ".", f.name)] =
          absl::StrCat("offset=", f.offset, " size=", f.size, " type=", f.type);
    }
  }
  for (const Constant& c : layout.constants) facts[absl::StrCat("const ", c.name)] = c.value;
  return facts;
}

Version VersionOf(const Facts& facts) {
  Version v;
  auto read = [&](const char* key, int64_t* out) {
    auto it = facts.find(key);
    if (it != facts.end() && !absl::SimpleAtoi(it->second, out)) *out = -1;
  };
  read("const PVABI_INTERFACE_VERSION_MAJOR", &v.major);
  read("const PVABI_INTERFACE_VERSION_MINOR", &v.minor);
  return v;
}

}  // namespace pvabi::tools
