// The rules every ABI struct keeps (docs/abi.md, "Layout rules"): fixed-width
// field types only (no enum, bool, pointer, size_t or plain uint64_t), no
// implicit padding, and a layout assert for its size and every field.
#ifndef PVABI_TOOLS_ABI_LAYOUT_RULES_H
#define PVABI_TOOLS_ABI_LAYOUT_RULES_H

#include <string>
#include <vector>

#include "layout_facts.h"

namespace pvabi::tools {

// One message per broken rule, naming the struct and field.
std::vector<std::string> CheckLayoutRules(const Layout& layout, const std::string& header_text);

// Is `type` (as clang prints a field's type) allowed in an ABI struct?
bool IsAllowedFieldType(const std::string& type);

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_LAYOUT_RULES_H
