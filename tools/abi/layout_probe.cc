#include "layout_probe.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clang_dump_parser.h"

namespace pvabi::tools {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

// Runs a command line; returns its standard output, or its errors.
absl::StatusOr<std::string> Run(const std::vector<std::string>& argv, const std::string& err_path) {
  std::vector<std::string> quoted;
  for (const std::string& a : argv) quoted.push_back(ShellQuote(a));
  const std::string command = absl::StrCat(absl::StrJoin(quoted, " "), " 2>", ShellQuote(err_path));
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("cannot run ", argv[0]));
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc != 0) {
    absl::StatusOr<std::string> err = ReadFile(err_path);
    return absl::FailedPreconditionError(
        absl::StrCat(argv[0], " failed: ", err.ok() ? *err : "(no message)"));
  }
  return out;
}

std::vector<std::string> ClangArgs(const ProbeOptions& o, const Target& t) {
  return {o.clang, "--target=" + t.triple, "-x", t.language, "-std=" + t.standard,
          "-ffreestanding", "-w", "-I", o.include_dir};
}

std::string Umbrella(const ProbeOptions& o) {
  std::string out;
  for (const std::string& h : o.headers) absl::StrAppend(&out, "#include <", h, ">\n");
  return out;
}

}  // namespace

std::vector<std::string> StructsDefinedIn(const std::string& header_text) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(header_text, '\n')) {
    if (!absl::ConsumePrefix(&line, "struct pvabi_") || !absl::ConsumeSuffix(&line, " {")) continue;
    out.push_back(absl::StrCat("pvabi_", line));
  }
  return out;
}

absl::StatusOr<Layout> ProbeLayout(const ProbeOptions& o, const Target& t) {
  const std::string stem = absl::StrCat(o.scratch_dir, "/", absl::StrReplaceAll(t.name, {{"/", "_"}, {"+", "p"}}));
  const std::string err = stem + ".err";
  const std::string umbrella = Umbrella(o);

  // 1. Which structs the headers define, and which macros they define.
  std::vector<std::string> struct_names;
  for (const std::string& h : o.headers) {
    absl::StatusOr<std::string> text = ReadFile(absl::StrCat(o.include_dir, "/", h));
    if (!text.ok()) return text.status();
    for (std::string& s : StructsDefinedIn(*text)) struct_names.push_back(std::move(s));
  }
  const std::string umbrella_path = stem + ".umbrella";
  if (absl::Status s = WriteFile(umbrella_path, umbrella); !s.ok()) return s;
  std::vector<std::string> args = ClangArgs(o, t);
  args.insert(args.end(), {"-E", "-dM", umbrella_path});
  absl::StatusOr<std::string> defines = Run(args, err);
  if (!defines.ok()) return defines.status();
  const std::vector<Macro> macros = ParseValueMacros(*defines);

  // 2. Record layouts of every struct.
  std::string probe = umbrella;
  for (size_t i = 0; i < struct_names.size(); ++i) {
    absl::StrAppend(&probe, "extern const long long pvabi_probe_s", i, " = (long long)sizeof(struct ",
                    struct_names[i], ");\n");
  }
  const std::string probe_a = stem + ".records";
  if (absl::Status s = WriteFile(probe_a, probe); !s.ok()) return s;
  args = ClangArgs(o, t);
  args.insert(args.end(), {"-fsyntax-only", "-Xclang", "-fdump-record-layouts", probe_a});
  absl::StatusOr<std::string> dump = Run(args, err);
  if (!dump.ok()) return dump.status();
  Layout layout;
  layout.structs = ParseRecordLayouts(*dump);

  // 3. Field sizes and macro values, as constants in LLVM IR.
  probe = umbrella;
  for (size_t i = 0; i < layout.structs.size(); ++i) {
    const Struct& s = layout.structs[i];
    for (size_t j = 0; j < s.fields.size(); ++j) {
      absl::StrAppend(&probe, "extern const long long pvabi_probe_f", i, "_", j,
                      " = (long long)sizeof(((struct ", s.name, " *)0)->", s.fields[j].name, ");\n");
    }
  }
  for (size_t i = 0; i < macros.size(); ++i) {
    if (absl::StartsWith(macros[i].body, "\"")) continue;
    absl::StrAppend(&probe, "extern const long long pvabi_probe_k", i, " = (long long)(",
                    macros[i].name, ");\nextern const long long pvabi_probe_n", i, " = (",
                    macros[i].name, ") < 0;\n");
  }
  const std::string probe_b = stem + ".values";
  if (absl::Status s = WriteFile(probe_b, probe); !s.ok()) return s;
  args = ClangArgs(o, t);
  args.insert(args.end(), {"-S", "-emit-llvm", "-o", "-", probe_b});
  absl::StatusOr<std::string> ir = Run(args, err);
  if (!ir.ok()) return ir.status();
  const std::map<std::string, int64_t> values = ParseIrConstants(*ir);
  auto value = [&](const std::string& name) -> absl::StatusOr<int64_t> {
    auto it = values.find(name);
    if (it == values.end()) return absl::InternalError(absl::StrCat("probe lost ", name));
    return it->second;
  };

  for (size_t i = 0; i < layout.structs.size(); ++i) {
    for (size_t j = 0; j < layout.structs[i].fields.size(); ++j) {
      absl::StatusOr<int64_t> size = value(absl::StrCat("pvabi_probe_f", i, "_", j));
      if (!size.ok()) return size.status();
      layout.structs[i].fields[j].size = static_cast<uint64_t>(*size);
    }
  }
  for (size_t i = 0; i < macros.size(); ++i) {
    if (absl::StartsWith(macros[i].body, "\"")) {
      layout.constants.push_back(Constant{macros[i].name, macros[i].body});
      continue;
    }
    absl::StatusOr<int64_t> v = value(absl::StrCat("pvabi_probe_k", i));
    absl::StatusOr<int64_t> negative = value(absl::StrCat("pvabi_probe_n", i));
    if (!v.ok()) return v.status();
    if (!negative.ok()) return negative.status();
    layout.constants.push_back(Constant{
        macros[i].name, *negative ? absl::StrCat(*v) : absl::StrCat(static_cast<uint64_t>(*v))});
  }
  return layout;
}

}  // namespace pvabi::tools
