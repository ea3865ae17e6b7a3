#include "state.h"

namespace libpv {
namespace {
constinit State g_state;
}  // namespace

State& state() { return g_state; }

void reset_state() { g_state = State{}; }

}  // namespace libpv
