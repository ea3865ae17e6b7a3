#include "layout_rules.h"

#include <array>
#include "absl/strings/string_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace pvabi::tools {

bool IsAllowedFieldType(const std::string& type) {
  absl::string_view t = type;
  // An array: "uint8_t[16]" or "struct pvabi_x[2]".
  if (absl::EndsWith(t, "]")) {
    const size_t open = t.find('[');
    if (open == absl::string_view::npos) return false;
    t = t.substr(0, open);
  }
  static constexpr std::array<absl::string_view, 8> kScalars = {
      "uint8_t", "uint16_t", "uint32_t", "int8_t", "int16_t", "int32_t", "pvabi_u64", "pvabi_s64"};
  for (absl::string_view s : kScalars) {
    if (t == s) return true;
  }
  absl::string_view name = t;
  return absl::ConsumePrefix(&name, "struct pvabi_") && !name.empty() &&
         name.find_first_of(" *&") == absl::string_view::npos;
}

std::vector<std::string> CheckLayoutRules(const Layout& layout, const std::string& header_text) {
  std::vector<std::string> errors;
  for (const Struct& s : layout.structs) {
    if (!absl::StrContains(header_text, absl::StrCat("PVABI_ASSERT_SIZE(", s.name, ", "))) {
      errors.push_back(absl::StrCat(s.name, ": no PVABI_ASSERT_SIZE"));
    }
    uint64_t next = 0;
    for (const Field& f : s.fields) {
      if (!IsAllowedFieldType(f.type)) {
        errors.push_back(absl::StrCat(s.name, ".", f.name, ": type '", f.type,
                                      "' is not allowed in an ABI struct"));
      }
      if (f.offset != next) {
        errors.push_back(absl::StrCat(s.name, ".", f.name, ": ", f.offset - next,
                                      " bytes of implicit padding before it; add a _pad field"));
      }
      next = f.offset + f.size;
      if (!absl::StrContains(header_text,
                             absl::StrCat("PVABI_ASSERT_OFFSET(", s.name, ", ", f.name, ", "))) {
        errors.push_back(absl::StrCat(s.name, ".", f.name, ": no PVABI_ASSERT_OFFSET"));
      }
    }
    if (next != s.size) {
      errors.push_back(absl::StrCat(s.name, ": ", s.size - next,
                                    " bytes of implicit tail padding; add a _pad field"));
    }
  }
  return errors;
}

}  // namespace pvabi::tools
