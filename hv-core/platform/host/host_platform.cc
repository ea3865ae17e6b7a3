#include "host_platform.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "hv-core/core/domain.h"
#include "hv-core/core/platform.h"

namespace hv {
namespace {

struct Machine {
  host::MachineConfig config;
  uint8_t* memory = nullptr;
  uint64_t tsc = 0;
  std::vector<host::ConsoleLine> lines;
  std::unordered_map<uint16_t, uint64_t> flushes;
  uint64_t total_flushes = 0;
  uint64_t preempt_countdown = 0;
};

Machine& machine() {
  static Machine m;
  return m;
}

}  // namespace

namespace platform {

void panic(const char* file, int line, const char* what) {
  std::fprintf(stderr, "hv-core panic at %s:%d: %s\n", file, line, what);
  std::abort();
}

void* alloc_zeroed(size_t bytes) { return std::calloc(1, bytes == 0 ? 1 : bytes); }
void free(void* p, size_t) { std::free(p); }

uint64_t machine_frames() { return machine().config.frames; }
uint64_t first_guest_frame() { return machine().config.hypervisor_frames; }
uint8_t* frame_memory(pvabi::Mfn frame) {
  HV_CHECK(frame.value() < machine().config.frames);
  return machine().memory + frame.value() * PVABI_PAGE_SIZE;
}

uint64_t read_tsc() { return machine().tsc; }
uint64_t tsc_hz() { return 1000000000ull; }

void flush_tlb_domain(pvabi::DomId domain) {
  ++machine().flushes[domain.value()];
  ++machine().total_flushes;
}
void invlpg_domain(pvabi::DomId domain, pvabi::Gva) { flush_tlb_domain(domain); }

uint64_t reserved_l4_entry(unsigned) { return 0; }

bool preemption_requested() {
  Machine& m = machine();
  if (m.preempt_countdown == 0) return false;
  return --m.preempt_countdown == 0;
}

void console_output(pvabi::DomId domain, const char* name, const char* text, size_t len) {
  Machine& m = machine();
  m.lines.push_back(host::ConsoleLine{domain.value(), name, std::string(text, len)});
  if (m.config.echo_console) std::printf("%s: %.*s\n", name, static_cast<int>(len), text);
}

}  // namespace platform

namespace host {

void init_machine(const MachineConfig& config) {
  Machine& m = machine();
  if (m.memory != nullptr) return;  // one machine per process
  m.config = config;
  m.memory = static_cast<uint8_t*>(std::aligned_alloc(PVABI_PAGE_SIZE, config.frames * PVABI_PAGE_SIZE));
  HV_CHECK(m.memory != nullptr);
  std::memset(m.memory, 0, config.frames * PVABI_PAGE_SIZE);
  HV_CHECK(init_core());
}

void reset_machine() {
  std::vector<Domain*> all;
  for_each_domain([&](Domain& d) { all.push_back(&d); });
  for (Domain* d : all) destroy_domain(d);
  Machine& m = machine();
  m.lines.clear();
  m.flushes.clear();
  m.total_flushes = 0;
  m.preempt_countdown = 0;
}

void advance_tsc(uint64_t ticks) { machine().tsc += ticks; }
const std::vector<ConsoleLine>& console_lines() { return machine().lines; }
void clear_console_lines() { machine().lines.clear(); }
uint64_t tlb_flushes(pvabi::DomId domain) {
  auto it = machine().flushes.find(domain.value());
  return it == machine().flushes.end() ? 0 : it->second;
}
uint64_t total_tlb_flushes() { return machine().total_flushes; }
void request_preemption_after(uint64_t calls) { machine().preempt_countdown = calls; }

}  // namespace host
}  // namespace hv
