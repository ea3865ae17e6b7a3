#include "workload.h"

namespace pvsim {

std::vector<std::string> workload_names() { return {"pagetable", "pingpong", "timers", "mixed", "demo"}; }

std::unique_ptr<Workload> make_workload(const std::string& name, size_t index, uint64_t iterations) {
  if (name == "pagetable") return make_pagetable_workload(iterations);
  if (name == "pingpong") return make_pingpong_workload(index, iterations);
  if (name == "timers") return make_timer_workload(iterations);
  if (name == "demo") return make_demo_workload(index);
  if (name == "mixed") {
    static const char* const kKinds[] = {"pagetable", "pingpong", "timers"};
    return make_workload(kKinds[index % 3], index, iterations);
  }
  return nullptr;
}

}  // namespace pvsim
