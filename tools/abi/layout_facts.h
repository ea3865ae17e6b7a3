// The facts a layout manifest records about the ABI headers for one target:
// every struct's size and alignment, every field's offset, size and type, and
// every constant's value. Keys name the thing ("field pvabi_x.y"), values
// its properties ("offset=8 size=4 type=uint32_t").
#ifndef PVABI_TOOLS_ABI_LAYOUT_FACTS_H
#define PVABI_TOOLS_ABI_LAYOUT_FACTS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pvabi::tools {

struct Field {
  std::string name;
  std::string type;
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct Struct {
  std::string name;
  uint64_t size = 0;
  uint64_t align = 0;
  std::vector<Field> fields;
};

struct Constant {
  std::string name;
  std::string value;  // a decimal integer, or a string literal as written
};

struct Layout {
  std::vector<Struct> structs;
  std::vector<Constant> constants;
};

using Facts = std::map<std::string, std::string>;

Facts ToFacts(const Layout& layout);

// The interface version recorded in facts, as (major, minor); (-1, -1) if absent.
struct Version {
  int64_t major = -1;
  int64_t minor = -1;
};
Version VersionOf(const Facts& facts);

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_LAYOUT_FACTS_H
