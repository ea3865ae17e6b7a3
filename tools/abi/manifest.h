// The checked-in layout manifest: reading, writing, and comparing a new
// reading of the headers against it.
//
// Compatibility rule: nothing recorded may change or disappear; a new fact
// (struct, field, constant) is allowed only together with a higher interface
// minor version. A new major version is a new ABI: record a new baseline.
#ifndef PVABI_TOOLS_ABI_MANIFEST_H
#define PVABI_TOOLS_ABI_MANIFEST_H

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "layout_facts.h"

namespace pvabi::tools {

struct Manifest {
  std::vector<std::string> targets;
  Facts facts;
};

std::string FormatManifest(const Manifest& m);
absl::StatusOr<Manifest> ParseManifest(const std::string& text);

struct TargetFacts {
  std::string target;
  Facts facts;
};

struct Comparison {
  std::vector<std::string> errors;     // each fails the check
  std::vector<std::string> additions;  // allowed by a minor bump
};

Comparison CompareWithBaseline(const Manifest& baseline, const std::vector<TargetFacts>& current);

// Facts that differ between targets (they must all agree), one message each.
std::vector<std::string> CrossTargetDifferences(const std::vector<TargetFacts>& current);

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_MANIFEST_H
