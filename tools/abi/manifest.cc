#include "manifest.h"

#include <map>
#include <set>

#include "absl/strings/string_view.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace pvabi::tools {
namespace {

constexpr absl::string_view kSeparator = " = ";

// The version facts themselves change with every bump.
bool IsVersionFact(const std::string& key) {
  return key == "const PVABI_INTERFACE_VERSION" || key == "const PVABI_INTERFACE_VERSION_MINOR";
}

// "field pvabi_x.y" -> "struct pvabi_x field y".
std::string Describe(const std::string& key) {
  absl::string_view k = key;
  if (absl::ConsumePrefix(&k, "field ")) {
    const size_t dot = k.find('.');
    return absl::StrCat("struct ", k.substr(0, dot), " field ", k.substr(dot + 1));
  }
  if (absl::ConsumePrefix(&k, "const ")) return absl::StrCat("constant ", k);
  return key;
}

// Messages grouped so each lists the targets it applies to.
class Grouped {
 public:
  void Add(const std::string& message, const std::string& target) { targets_[message].push_back(target); }
  void AppendTo(std::vector<std::string>* out, size_t all_targets) const {
    for (const auto& [message, targets] : targets_) {
      out->push_back(absl::StrCat(message, " on ",
                                  targets.size() == all_targets ? "every target"
                                                                : absl::StrJoin(targets, ", ")));
    }
  }

 private:
  std::map<std::string, std::vector<std::string>> targets_;
};

}  // namespace

std::string FormatManifest(const Manifest& m) {
  std::string out =
      "# pvabi layout manifest: the size, alignment and field offsets of every ABI struct\n"
      "# and the value of every constant, the same on every target listed. Written by\n"
      "# pvabi-layout --write; a change that breaks it fails the abi test suite.\n";
  absl::StrAppend(&out, "targets", kSeparator, absl::StrJoin(m.targets, " "), "\n");
  for (const auto& [key, value] : m.facts) absl::StrAppend(&out, key, kSeparator, value, "\n");
  return out;
}

absl::StatusOr<Manifest> ParseManifest(const std::string& text) {
  Manifest m;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    const size_t sep = line.find(kSeparator);
    if (sep == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("manifest line ", line_number, ": no '='"));
    }
    std::string key(line.substr(0, sep));
    std::string value(line.substr(sep + kSeparator.size()));
    if (key == "targets") {
      m.targets = absl::StrSplit(value, ' ', absl::SkipEmpty());
    } else if (!m.facts.emplace(std::move(key), std::move(value)).second) {
      return absl::InvalidArgumentError(absl::StrCat("manifest line ", line_number, ": repeated key"));
    }
  }
  if (m.targets.empty()) return absl::InvalidArgumentError("manifest lists no targets");
  return m;
}

Comparison CompareWithBaseline(const Manifest& baseline, const std::vector<TargetFacts>& current) {
  Comparison c;
  const Version old_version = VersionOf(baseline.facts);
  Grouped errors;
  Grouped additions;
  for (const TargetFacts& t : current) {
    const Version v = VersionOf(t.facts);
    if (v.major != old_version.major) {
      errors.Add(absl::StrCat("interface major version ", v.major, " differs from the baseline's ",
                              old_version.major, ": a new ABI needs a new baseline (--write)"),
                 t.target);
      continue;
    }
    if (v.minor < old_version.minor) {
      errors.Add(absl::StrCat("interface minor version went down from ", old_version.minor, " to ", v.minor),
                 t.target);
    }
    for (const auto& [key, value] : baseline.facts) {
      if (IsVersionFact(key)) continue;
      auto it = t.facts.find(key);
      if (it == t.facts.end()) {
        errors.Add(absl::StrCat(Describe(key), " was removed (was ", value, ")"), t.target);
      } else if (it->second != value) {
        errors.Add(absl::StrCat(Describe(key), " changed: ", value, " -> ", it->second), t.target);
      }
    }
    for (const auto& [key, value] : t.facts) {
      if (baseline.facts.count(key) != 0) continue;
      if (v.minor > old_version.minor) {
        additions.Add(absl::StrCat(Describe(key), " added (", value, ")"), t.target);
      } else {
        errors.Add(absl::StrCat(Describe(key), " added (", value,
                                ") without a higher PVABI_INTERFACE_VERSION_MINOR"),
                   t.target);
      }
    }
  }
  errors.AppendTo(&c.errors, current.size());
  additions.AppendTo(&c.additions, current.size());
  return c;
}

std::vector<std::string> CrossTargetDifferences(const std::vector<TargetFacts>& current) {
  std::vector<std::string> out;
  if (current.empty()) return out;
  const TargetFacts& first = current.front();
  Grouped differences;
  for (size_t i = 1; i < current.size(); ++i) {
    std::set<std::string> keys;
    for (const auto& [key, value] : first.facts) keys.insert(key);
    for (const auto& [key, value] : current[i].facts) keys.insert(key);
    for (const std::string& key : keys) {
      auto a = first.facts.find(key);
      auto b = current[i].facts.find(key);
      const std::string va = a == first.facts.end() ? "(absent)" : a->second;
      const std::string vb = b == current[i].facts.end() ? "(absent)" : b->second;
      if (va != vb) {
        differences.Add(absl::StrCat(Describe(key), " is ", vb, " but ", va, " on ", first.target),
                        current[i].target);
      }
    }
  }
  differences.AppendTo(&out, current.size() - 1);
  return out;
}

}  // namespace pvabi::tools
