#include "clang_dump_parser.h"

#include <algorithm>

#include "absl/strings/string_view.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace pvabi::tools {
namespace {

// "  16 |   struct pvabi_x frame" -> offset 16, depth 1, declaration text.
struct DumpLine {
  bool is_field = false;
  uint64_t offset = 0;
  size_t depth = 0;
  absl::string_view text;
};

DumpLine ParseDumpLine(absl::string_view line) {
  DumpLine out;
  const size_t bar = line.find('|');
  if (bar == absl::string_view::npos) return out;
  absl::string_view offset = absl::StripAsciiWhitespace(line.substr(0, bar));
  if (!absl::SimpleAtoi(offset, &out.offset)) return out;
  absl::string_view rest = line.substr(bar + 1);
  const size_t spaces = rest.find_first_not_of(' ');
  if (spaces == absl::string_view::npos) return out;
  out.depth = (spaces - 1) / 2;
  out.text = rest.substr(spaces);
  out.is_field = true;
  return out;
}

bool ReadNumberAfter(absl::string_view line, absl::string_view key, uint64_t* out) {
  const size_t at = line.find(key);
  if (at == absl::string_view::npos) return false;
  absl::string_view digits = line.substr(at + key.size());
  digits = digits.substr(0, digits.find_first_not_of("0123456789"));
  return absl::SimpleAtoi(digits, out);
}

}  // namespace

std::vector<Struct> ParseRecordLayouts(absl::string_view dump) {
  std::vector<Struct> out;
  Struct* current = nullptr;
  for (absl::string_view line : absl::StrSplit(dump, '\n')) {
    if (absl::StrContains(line, "[sizeof=")) {
      if (current != nullptr) {
        ReadNumberAfter(line, "sizeof=", &current->size);
        ReadNumberAfter(line, " align=", &current->align);
      }
      current = nullptr;
      continue;
    }
    DumpLine d = ParseDumpLine(line);
    if (!d.is_field) continue;
    if (d.depth == 0) {
      current = nullptr;
      absl::string_view name = d.text;
      if (!absl::ConsumePrefix(&name, "struct ") || !absl::StartsWith(name, "pvabi_")) continue;
      const bool seen = std::any_of(out.begin(), out.end(),
                                    [&](const Struct& s) { return s.name == name; });
      if (seen) continue;  // clang may dump a record twice
      out.push_back(Struct{std::string(name), 0, 0, {}});
      current = &out.back();
      continue;
    }
    if (current == nullptr || d.depth != 1) continue;
    const size_t space = d.text.rfind(' ');
    if (space == absl::string_view::npos) continue;
    current->fields.push_back(
        Field{std::string(d.text.substr(space + 1)), std::string(d.text.substr(0, space)), d.offset, 0});
  }
  return out;
}

std::vector<Macro> ParseValueMacros(absl::string_view defines) {
  std::vector<Macro> out;
  for (absl::string_view line : absl::StrSplit(defines, '\n')) {
    if (!absl::ConsumePrefix(&line, "#define PVABI_")) continue;
    const size_t end = line.find_first_of(" (");
    if (end == absl::string_view::npos || line[end] == '(') continue;  // empty or function-like
    std::string name = "PVABI_" + std::string(line.substr(0, end));
    absl::string_view body = absl::StripAsciiWhitespace(line.substr(end));
    if (body.empty() || name == "PVABI_REQUESTED_VERSION") continue;
    out.push_back(Macro{name, std::string(body)});
  }
  return out;
}

std::map<std::string, int64_t> ParseIrConstants(absl::string_view ir) {
  std::map<std::string, int64_t> out;
  for (absl::string_view line : absl::StrSplit(ir, '\n')) {
    if (!absl::ConsumePrefix(&line, "@")) continue;
    const size_t eq = line.find(" = ");
    const size_t ty = line.find("constant i64 ");
    if (eq == absl::string_view::npos || ty == absl::string_view::npos) continue;
    absl::string_view value = line.substr(ty + 13);
    value = value.substr(0, value.find(','));
    int64_t v = 0;
    if (absl::SimpleAtoi(value, &v)) out[std::string(line.substr(0, eq))] = v;
  }
  return out;
}

}  // namespace pvabi::tools
