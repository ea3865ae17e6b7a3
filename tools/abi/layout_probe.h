// Reads the layout of the ABI headers for one target by compiling probes
// with clang: record layouts, macro values and field sizes.
#ifndef PVABI_TOOLS_ABI_LAYOUT_PROBE_H
#define PVABI_TOOLS_ABI_LAYOUT_PROBE_H

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "layout_facts.h"
#include "target.h"

namespace pvabi::tools {

struct ProbeOptions {
  std::string clang = "clang";
  std::string include_dir;           // holds pvabi/*.h
  std::vector<std::string> headers;  // "pvabi/x.h", relative to include_dir
  std::string scratch_dir;           // for probe sources and outputs
};

absl::StatusOr<Layout> ProbeLayout(const ProbeOptions& options, const Target& target);

// Names of the structs a header defines ("struct pvabi_x {" at line start).
std::vector<std::string> StructsDefinedIn(const std::string& header_text);

}  // namespace pvabi::tools

#endif  // PVABI_TOOLS_ABI_LAYOUT_PROBE_H
