#include "console_input.h"

#include "hv-core/core/console.h"
#include "hv-core/core/domain.h"
#include "serial.h"

namespace hv::arch {
namespace {
bool g_have_domain = false;
bool g_chosen = false;
DomId g_domain{0};
}  // namespace

void offer_console_input(DomId id, bool chosen) {
  if (g_chosen || (g_have_domain && !chosen)) return;
  g_domain = id;
  g_have_domain = true;
  g_chosen = chosen;
}

bool forward_console_input() {
  char bytes[kConsoleInputMax];
  const size_t n = serial_read(bytes, sizeof bytes);
  if (n == 0 || !g_have_domain) return false;
  Domain* d = domain_by_id(g_domain);
  return d != nullptr && console_input(*d, bytes, static_cast<uint32_t>(n)) > 0;
}

}  // namespace hv::arch
