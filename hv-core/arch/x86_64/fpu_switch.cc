#include "fpu_switch.h"

#include "hv-core/core/domain.h"

namespace hv::arch {
namespace {

constexpr uint64_t kCr0Ts = 1ull << 3;

Vcpu* g_loaded = nullptr;  // whose registers the CPU holds
bool g_ts = false;         // CR0.TS as the CPU has it

void set_ts(bool on) {
  if (on == g_ts) return;
  if (on) {
    uint64_t cr0;
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    asm volatile("mov %0, %%cr0" : : "r"(cr0 | kCr0Ts) : "memory");
  } else {
    asm volatile("clts" : : : "memory");
  }
  g_ts = on;
}

}  // namespace

void fpu_switch_to(Vcpu& v) {
  if (g_loaded != &v) {
    set_ts(false);  // FXSAVE and FXRSTOR would raise #NM
    if (g_loaded != nullptr) asm volatile("fxsave64 %0" : "=m"(g_loaded->cpu.fpu));
    asm volatile("fxrstor64 %0" : : "m"(v.cpu.fpu));
    g_loaded = &v;
  }
  set_ts(v.cpu.fpu_ts);
}

void fpu_forget(const Vcpu& v) {
  if (g_loaded == &v) g_loaded = nullptr;
}

}  // namespace hv::arch
