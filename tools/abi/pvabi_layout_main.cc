// pvabi-layout: reads the layout of the pvabi headers on every target
// configuration and checks it against a checked-in manifest.
//
//   pvabi-layout --include=include --baseline=abi/layout.manifest   # check
//   pvabi-layout --include=include --write=abi/layout.manifest      # record
//
// Exit status: 0 compatible, 1 a rule or compatibility check failed, 2 the
// tool could not run (bad flags, clang missing, headers that do not compile).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "layout_probe.h"
#include "layout_rules.h"
#include "manifest.h"
#include "target.h"

ABSL_FLAG(std::string, include, "", "directory holding pvabi/*.h");
ABSL_FLAG(std::string, baseline, "", "manifest to check the headers against");
ABSL_FLAG(std::string, write, "", "write the headers' manifest here instead of checking");
ABSL_FLAG(std::string, targets, "", "comma-separated target names (default: all)");
ABSL_FLAG(std::string, clang, "clang", "the clang to probe layouts with");

namespace fs = std::filesystem;
using namespace pvabi::tools;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "pvabi-layout: %s\n", message.c_str());
  return 2;
}

void PrintAll(const char* prefix, const std::vector<std::string>& lines) {
  for (const std::string& l : lines) std::printf("%s%s\n", prefix, l.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("check the pvabi ABI layout against a manifest");
  absl::ParseCommandLine(argc, argv);
  const std::string include = absl::GetFlag(FLAGS_include);
  const std::string baseline_path = absl::GetFlag(FLAGS_baseline);
  const std::string write_path = absl::GetFlag(FLAGS_write);
  if (include.empty() || (baseline_path.empty() == write_path.empty())) {
    return Fail("usage: pvabi-layout --include=DIR (--baseline=FILE | --write=FILE)");
  }

  ProbeOptions options;
  options.clang = absl::GetFlag(FLAGS_clang);
  options.include_dir = include;
  std::string all_header_text;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(include) / "pvabi", ec)) {
    if (entry.path().extension() != ".h") continue;
    options.headers.push_back("pvabi/" + entry.path().filename().string());
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    all_header_text += ss.str();
  }
  if (ec || options.headers.empty()) return Fail("no headers in " + include + "/pvabi");
  std::sort(options.headers.begin(), options.headers.end());

  std::vector<Target> targets = DefaultTargets();
  if (const std::string wanted = absl::GetFlag(FLAGS_targets); !wanted.empty()) {
    std::vector<std::string> names = absl::StrSplit(wanted, ',');
    std::erase_if(targets, [&](const Target& t) {
      return std::find(names.begin(), names.end(), t.name) == names.end();
    });
    if (targets.size() != names.size()) return Fail("unknown target in --targets=" + wanted);
  }

  char scratch_template[] = "/tmp/pvabi-layout.XXXXXX";
  if (mkdtemp(scratch_template) == nullptr) return Fail("cannot make a scratch directory");
  options.scratch_dir = scratch_template;

  std::vector<TargetFacts> current;
  std::vector<std::string> rule_errors;
  size_t structs = 0, fields = 0, constants = 0;
  for (const Target& t : targets) {
    absl::StatusOr<Layout> layout = ProbeLayout(options, t);
    if (!layout.ok()) {
      fs::remove_all(options.scratch_dir, ec);
      return Fail(t.name + ": " + std::string(layout.status().message()));
    }
    for (const std::string& e : CheckLayoutRules(*layout, all_header_text)) {
      rule_errors.push_back(e + " (" + t.name + ")");
    }
    structs = layout->structs.size();
    fields = 0;
    for (const Struct& s : layout->structs) fields += s.fields.size();
    constants = layout->constants.size();
    current.push_back(TargetFacts{t.name, ToFacts(*layout)});
  }
  fs::remove_all(options.scratch_dir, ec);

  std::vector<std::string> errors = rule_errors;
  for (const std::string& d : CrossTargetDifferences(current)) errors.push_back("not the same everywhere: " + d);

  std::vector<std::string> target_names;
  for (const Target& t : targets) target_names.push_back(t.name);
  std::printf("pvabi-layout: %zu structs, %zu fields, %zu constants on %zu targets (%s)\n", structs,
              fields, constants, targets.size(), absl::StrJoin(target_names, " ").c_str());

  if (!write_path.empty()) {
    if (!errors.empty()) {
      PrintAll("FAIL: ", errors);
      return 1;
    }
    std::ofstream out(write_path);
    out << FormatManifest(Manifest{target_names, current.front().facts});
    if (!out) return Fail("cannot write " + write_path);
    std::printf("wrote %s\n", write_path.c_str());
    return 0;
  }

  std::ifstream in(baseline_path);
  if (!in) return Fail("cannot read " + baseline_path);
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<Manifest> baseline = ParseManifest(ss.str());
  if (!baseline.ok()) return Fail(baseline_path + ": " + std::string(baseline.status().message()));
  const Comparison comparison = CompareWithBaseline(*baseline, current);
  errors.insert(errors.end(), comparison.errors.begin(), comparison.errors.end());
  PrintAll("added: ", comparison.additions);
  PrintAll("FAIL: ", errors);
  if (!errors.empty()) {
    std::printf("pvabi-layout: %zu incompatible changes against %s\n", errors.size(), baseline_path.c_str());
    return 1;
  }
  std::printf("pvabi-layout: compatible with %s%s\n", baseline_path.c_str(),
              comparison.additions.empty() ? "" : " (additions under a new minor version: record them with --write)");
  return 0;
}
