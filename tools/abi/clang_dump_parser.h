// Parsers for what clang prints about the ABI headers: the record layouts of
// -fdump-record-layouts, the macros of -dM -E, and the integer constants of
// a probe compiled to LLVM IR.
#ifndef PVABI_TOOLS_ABI_CLANG_DUMP_PARSER_H
#define PVABI_TOOLS_ABI_CLANG_DUMP_PARSER_H

#include <map>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "layout_facts.h"

namespace pvabi::tools {

// Structs named pvabi_* with their top-level fields (nested ones are
// recorded under their own struct). Field sizes are left 0: the record
// dump does not print them.
std::vector<Struct> ParseRecordLayouts(absl::string_view dump);

struct Macro {
  std::string name;
  std::string body;
};
// Object-like PVABI_* macros that stand for values: not include guards, not
// function-like, not empty.
std::vector<Macro> ParseValueMacros(absl::string_view defines);

// `@name = ... constant i64 VALUE` lines of LLVM IR, by name.
std::map<std::string, int64_t> ParseIrConstants(absl::string_view ir);

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_CLANG_DUMP_PARSER_H
