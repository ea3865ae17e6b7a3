// PVABI_HC_DOMCTL from a privileged test guest: creating domains from ELF
// images in its memory, pausing, inspecting and destroying them, with every
// documented status; a failed CREATE leaves no domain and no frame taken.
#include "domctl.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "domain.h"
#include "frame_table.h"
#include "grant.h"
#include "hypercall.h"
#include "gtest/gtest.h"
#include "hv-core/platform/host/core_test.h"
#include "hv-core/platform/host/host_platform.h"
#include "hv-core/platform/host/test_guest.h"
#include "invariants.h"
#include "sched.h"

namespace hv {
namespace testing {
// elf_loader_test.cc: a kernel with one load of pattern bytes and a bss.
std::vector<uint8_t> test_kernel(uint32_t abi_version, uint64_t virt_base, uint64_t text_bytes, uint64_t bss_bytes);
}  // namespace testing

namespace {

using host::TestGuest;
using host::TestGuestConfig;

constexpr uint64_t kBase = 0xffffffff80000000ull;
constexpr uint64_t kText = 5000;
constexpr uint64_t kBss = 9000;

uint8_t text_byte(uint64_t i) { return static_cast<uint8_t>(i * 7 + 1); }  // pattern(…, 1)

class DomctlTest : public host::CoreTest {
 protected:
  void SetUp() override {
    host::CoreTest::SetUp();
    TestGuestConfig priv;
    priv.privileged = true;
    control_ = std::make_unique<TestGuest>("control", priv);
  }
  void TearDown() override {
    host::CoreTest::TearDown();
    guests_.clear();
    control_.reset();
  }

  TestGuest& control() { return *control_; }
  TestGuest& guest(const char* name) {
    guests_.push_back(std::make_unique<TestGuest>(name));
    return *guests_.back();
  }

  Gva put_bytes(TestGuest& g, const void* p, size_t n) {
    const Gva at = g.alloc(n, 16);
    EXPECT_EQ(copy_to_guest(g.vcpu(), at, p, n), Status::kOk);
    return at;
  }

  // A CREATE request for a kernel put into control's memory.
  pvabi_domctl_create request(const std::vector<uint8_t>& kernel, const std::string& cmdline = "console=pv",
                              const std::vector<uint8_t>& module = {}) {
    pvabi_domctl_create c{};
    c.kernel_va = put_bytes(control(), kernel.data(), kernel.size()).value();
    c.kernel_len = kernel.size();
    if (!module.empty()) {
      c.module_va = put_bytes(control(), module.data(), module.size()).value();
      c.module_len = module.size();
    }
    c.cmdline_va = put_bytes(control(), cmdline.data(), cmdline.size() + 1).value();
    c.cmdline_len = static_cast<uint32_t>(cmdline.size());
    c.memory_frames = 64;
    c.max_frames = 128;
    c.max_vcpus = 2;
    c.weight = 512;
    std::memcpy(c.name, "child", 6);
    return c;
  }
  pvabi_domctl_create request() { return request(testing::test_kernel(PVABI_INTERFACE_VERSION, kBase, kText, kBss)); }

  // CREATE; returns the status and the request as written back.
  std::pair<int64_t, pvabi_domctl_create> create(const pvabi_domctl_create& c, TestGuest* caller = nullptr) {
    TestGuest& g = caller == nullptr ? control() : *caller;
    const Gva at = g.put(c);
    const int64_t rc = g.call(PVABI_HC_DOMCTL, PVABI_DOMCTL_CREATE, at.value());
    return {rc, g.get<pvabi_domctl_create>(at)};
  }
  Domain& created(const pvabi_domctl_create& c) {
    const auto [rc, out] = create(c);
    EXPECT_EQ(rc, PVABI_OK);
    Domain* d = domain_by_id(DomId{out.domid});
    HV_CHECK(d != nullptr);
    return *d;
  }
  int64_t on_domain(uint32_t cmd, uint16_t domid, TestGuest* caller = nullptr, uint16_t pad0 = 0) {
    TestGuest& g = caller == nullptr ? control() : *caller;
    const Gva at = g.put(pvabi_domctl_domid{domid, pad0, 0});
    return g.call(PVABI_HC_DOMCTL, cmd, at.value());
  }
  std::pair<int64_t, pvabi_domctl_info> info(uint16_t domid, TestGuest* caller = nullptr) {
    TestGuest& g = caller == nullptr ? control() : *caller;
    pvabi_domctl_info in{};
    in.domid = domid;
    const Gva at = g.put(in);
    const int64_t rc = g.call(PVABI_HC_DOMCTL, PVABI_DOMCTL_GET_INFO, at.value());
    return {rc, g.get<pvabi_domctl_info>(at)};
  }
  template <typename T>
  static T read(Domain& d, Gva va) {
    T value;
    EXPECT_EQ(read_guest(*d.vcpus[0], va, &value), Status::kOk);
    return value;
  }

  // Runs a CREATE expected to fail and checks it left nothing behind.
  void expect_create_fails(const pvabi_domctl_create& c, int64_t status, const char* what) {
    const uint32_t domains = domain_count();
    const uint64_t free = frame_table().free_frames();
    EXPECT_EQ(create(c).first, status) << what;
    EXPECT_EQ(domain_count(), domains) << what;
    EXPECT_EQ(frame_table().free_frames(), free) << what;
  }

 private:
  std::unique_ptr<TestGuest> control_;
  std::vector<std::unique_ptr<TestGuest>> guests_;
};

TEST_F(DomctlTest, CreateLoadsTheKernelAndLeavesItPaused) {
  std::vector<uint8_t> module(6000);
  for (size_t i = 0; i < module.size(); ++i) module[i] = static_cast<uint8_t>(i ^ 0xa5);
  const pvabi_domctl_create c =
      request(testing::test_kernel(PVABI_INTERFACE_VERSION, kBase, kText, kBss), "root=/dev/xvda1", module);
  Domain& d = created(c);
  EXPECT_STREQ(d.name, "child");
  EXPECT_FALSE(d.privileged);
  EXPECT_EQ(d.pause_count, 1u);
  EXPECT_EQ(d.max_vcpus, 2u);
  EXPECT_EQ(d.max_frames, 128u);
  EXPECT_EQ(d.sched.weight, 512u);
  // The image at virt_base: text from the file, then a zero bss.
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, kText - 1}) EXPECT_EQ(read<uint8_t>(d, Gva{kBase + i}), text_byte(i)) << i;
  for (uint64_t i : {kText, kText + kBss - 1}) EXPECT_EQ(read<uint8_t>(d, Gva{kBase + i}), 0) << i;
  // vCPU 0 starts at the entry with start info in rsi.
  const Vcpu& v0 = *d.vcpus[0];
  EXPECT_EQ(v0.cpu.regs.rip, kBase);
  const auto si = read<pvabi_start_info>(d, Gva{v0.cpu.regs.rsi});
  EXPECT_STREQ(reinterpret_cast<const char*>(si.magic), PVABI_START_INFO_MAGIC);
  EXPECT_STREQ(reinterpret_cast<const char*>(si.cmdline), "root=/dev/xvda1");
  EXPECT_STREQ(reinterpret_cast<const char*>(si.name), "child");
  EXPECT_EQ(si.domid, d.id.value());
  EXPECT_EQ(si.nr_pages, 64u);
  // The module follows the image, page-aligned.
  const uint64_t image_pages = (kText + kBss + 4095) / 4096;
  EXPECT_EQ(si.module_va, kBase + image_pages * 4096);
  EXPECT_EQ(si.module_len, module.size());
  EXPECT_EQ(read<uint8_t>(d, Gva{si.module_va}), module[0]);
  EXPECT_EQ(read<uint8_t>(d, Gva{si.module_va + 5999}), module[5999]);
  EXPECT_GE(si.virt_base, kBase);
  EXPECT_TRUE(check_invariants().ok());
}

TEST_F(DomctlTest, PauseUnpauseInfoDestroy) {
  Domain& d = created(request());
  const uint16_t id = d.id.value();
  auto [rc, i] = info(id);
  EXPECT_EQ(rc, PVABI_OK);
  EXPECT_EQ(i.domid, id);
  EXPECT_EQ(i.flags, PVABI_DOMINFO_PAUSED);
  EXPECT_EQ(i.nr_vcpus_up, 1u);
  EXPECT_EQ(i.nr_frames, 64u);
  EXPECT_EQ(i.cpu_time_ns, 0u);
  EXPECT_STREQ(reinterpret_cast<const char*>(i.name), "child");

  EXPECT_EQ(on_domain(PVABI_DOMCTL_UNPAUSE, id), PVABI_OK);  // the pause CREATE left
  EXPECT_EQ(info(id).second.flags, 0u);
  EXPECT_TRUE(sched_runnable(*d.vcpus[0]));
  EXPECT_EQ(on_domain(PVABI_DOMCTL_UNPAUSE, id), PVABI_EINVAL);  // not paused
  EXPECT_EQ(on_domain(PVABI_DOMCTL_PAUSE, id), PVABI_OK);
  EXPECT_EQ(on_domain(PVABI_DOMCTL_PAUSE, id), PVABI_OK);  // pauses nest
  EXPECT_FALSE(sched_runnable(*d.vcpus[0]));
  EXPECT_EQ(on_domain(PVABI_DOMCTL_UNPAUSE, id), PVABI_OK);
  EXPECT_EQ(info(id).second.flags, PVABI_DOMINFO_PAUSED);
  EXPECT_EQ(on_domain(PVABI_DOMCTL_UNPAUSE, id), PVABI_OK);
  EXPECT_EQ(info(id).second.flags, 0u);

  sched_block(*d.vcpus[0]);
  EXPECT_EQ(info(id).second.flags, PVABI_DOMINFO_BLOCKED);
  domain_shutdown(d, PVABI_SHUTDOWN_CRASH);
  i = info(id).second;
  EXPECT_TRUE(i.flags & PVABI_DOMINFO_SHUTDOWN);
  EXPECT_EQ(i.shutdown_reason, PVABI_SHUTDOWN_CRASH);
  const auto self = info(PVABI_DOMID_SELF);
  EXPECT_EQ(self.first, PVABI_OK);
  EXPECT_EQ(self.second.domid, control().domain().id.value());
  EXPECT_EQ(self.second.flags, PVABI_DOMINFO_PRIVILEGED | PVABI_DOMINFO_PAUSED);  // TestGuest stays paused

  const uint32_t domains = domain_count();
  EXPECT_EQ(on_domain(PVABI_DOMCTL_DESTROY, id), PVABI_OK);
  EXPECT_EQ(domain_count(), domains - 1);
  EXPECT_EQ(info(id).first, PVABI_ESRCH);
  EXPECT_EQ(on_domain(PVABI_DOMCTL_DESTROY, id), PVABI_ESRCH);
}

TEST_F(DomctlTest, CreateStatusesLeaveNothingBehind) {
  const pvabi_domctl_create good = request();
  struct Case {
    const char* what;
    void (*edit)(pvabi_domctl_create&);
    int64_t status;
  };
  const Case cases[] = {
      {"pad0", [](pvabi_domctl_create& c) { c._pad0 = 1; }, PVABI_EINVAL},
      {"pad1", [](pvabi_domctl_create& c) { c._pad1 = 1; }, PVABI_EINVAL},
      {"no kernel", [](pvabi_domctl_create& c) { c.kernel_len = 0; }, PVABI_EINVAL},
      {"kernel too long", [](pvabi_domctl_create& c) { c.kernel_len = kMaxKernelImageBytes + 1; }, PVABI_EINVAL},
      {"no memory", [](pvabi_domctl_create& c) { c.memory_frames = 0; }, PVABI_EINVAL},
      {"memory over max", [](pvabi_domctl_create& c) { c.max_frames = c.memory_frames - 1; }, PVABI_EINVAL},
      {"max too large", [](pvabi_domctl_create& c) { c.max_frames = kMaxDomainFrames + 1; }, PVABI_EINVAL},
      {"memory huge", [](pvabi_domctl_create& c) { c.memory_frames = c.max_frames = ~uint64_t{0}; }, PVABI_EINVAL},
      {"no vcpu", [](pvabi_domctl_create& c) { c.max_vcpus = 0; }, PVABI_EINVAL},
      {"too many vcpus", [](pvabi_domctl_create& c) { c.max_vcpus = kMaxVcpus + 1; }, PVABI_EINVAL},
      {"weight", [](pvabi_domctl_create& c) { c.weight = 65536; }, PVABI_EINVAL},
      {"flags", [](pvabi_domctl_create& c) { c.flags = PVABI_SIF_INITIAL_DOMAIN; }, PVABI_EINVAL},
      {"name", [](pvabi_domctl_create& c) { std::memset(c.name, 'x', sizeof c.name); }, PVABI_EINVAL},
      {"cmdline", [](pvabi_domctl_create& c) { c.cmdline_len = PVABI_START_INFO_CMDLINE_LEN; }, PVABI_EINVAL},
      {"module too long", [](pvabi_domctl_create& c) { c.module_len = c.memory_frames * 4096 + 1; }, PVABI_EINVAL},
      {"not ELF", [](pvabi_domctl_create& c) { c.kernel_len = 40; }, PVABI_EINVAL},
      {"memory too small for the image", [](pvabi_domctl_create& c) { c.memory_frames = 8; }, PVABI_EINVAL},
      {"module does not fit", [](pvabi_domctl_create& c) {
         c.module_va = c.kernel_va;
         c.module_len = 60 * 4096;
       }, PVABI_EINVAL},
      {"out of frames", [](pvabi_domctl_create& c) { c.memory_frames = c.max_frames = 1u << 20; }, PVABI_ENOMEM},
      {"kernel unreadable", [](pvabi_domctl_create& c) { c.kernel_va = 0x1000; }, PVABI_EFAULT},
      {"cmdline unreadable", [](pvabi_domctl_create& c) { c.cmdline_va = 0x1000; }, PVABI_EFAULT},
      {"module unreadable", [](pvabi_domctl_create& c) {
         c.module_va = 0x1000;
         c.module_len = 100;
       }, PVABI_EFAULT},
  };
  for (const Case& k : cases) {
    pvabi_domctl_create c = good;
    k.edit(c);
    expect_create_fails(c, k.status, k.what);
  }
  // Image problems: malformed, too new, placed where the builder cannot map it.
  std::vector<uint8_t> broken = testing::test_kernel(PVABI_INTERFACE_VERSION, kBase, kText, kBss);
  broken[18] = 3;  // e_machine
  expect_create_fails(request(broken), PVABI_EINVAL, "malformed image");
  expect_create_fails(request(testing::test_kernel(PVABI_INTERFACE_VERSION + 1, kBase, kText, kBss)), PVABI_ENOSYS,
                      "newer version");
  expect_create_fails(request(testing::test_kernel(PVABI_INTERFACE_VERSION, kBase + 0x200000, kText, kBss)),
                      PVABI_EINVAL, "virt_base not 1 GiB aligned");
  expect_create_fails(request(testing::test_kernel(PVABI_INTERFACE_VERSION, PVABI_HV_VIRT_START, kText, kBss)),
                      PVABI_EINVAL, "image in the reserved range");
  // The struct cannot be read, or the id cannot be written back.
  const uint32_t domains = domain_count();
  const uint64_t free = frame_table().free_frames();
  EXPECT_EQ(control().call(PVABI_HC_DOMCTL, PVABI_DOMCTL_CREATE, 0x1000), PVABI_EFAULT);
  const uint64_t pfn = control().take_pfn();
  ASSERT_EQ(write_guest(control().vcpu(), control().va_of(pfn), good), Status::kOk);
  ASSERT_EQ(control().call(PVABI_HC_UPDATE_VA_MAPPING, control().va_of(pfn).value(),
                           Pte::map(control().mfn(pfn), 0).raw(), PVABI_UVMF_INVLPG),
            PVABI_OK);
  EXPECT_EQ(control().call(PVABI_HC_DOMCTL, PVABI_DOMCTL_CREATE, control().va_of(pfn).value()), PVABI_EFAULT);
  EXPECT_EQ(domain_count(), domains);
  EXPECT_EQ(frame_table().free_frames(), free);
  // The same request works where it can be written.
  EXPECT_EQ(create(good).first, PVABI_OK);
}

TEST_F(DomctlTest, EveryCommandNeedsPrivilege) {
  TestGuest& plain = guest("plain");
  EXPECT_EQ(create(request(), &plain).first, PVABI_EPERM);
  for (uint32_t cmd : {PVABI_DOMCTL_PAUSE, PVABI_DOMCTL_UNPAUSE, PVABI_DOMCTL_DESTROY}) {
    EXPECT_EQ(on_domain(cmd, control().domain().id.value(), &plain), PVABI_EPERM) << cmd;
  }
  EXPECT_EQ(info(PVABI_DOMID_SELF, &plain).first, PVABI_EPERM);
  EXPECT_EQ(plain.call(PVABI_HC_DOMCTL, 5, 0), PVABI_ENOSYS);
  EXPECT_EQ(control().call(PVABI_HC_DOMCTL, 99, 0), PVABI_ENOSYS);
}

TEST_F(DomctlTest, DomainCommandStatuses) {
  TestGuest& other = guest("other");
  const uint16_t self = control().domain().id.value();
  for (uint32_t cmd : {PVABI_DOMCTL_PAUSE, PVABI_DOMCTL_UNPAUSE, PVABI_DOMCTL_DESTROY}) {
    EXPECT_EQ(on_domain(cmd, 999), PVABI_ESRCH) << cmd;
    EXPECT_EQ(on_domain(cmd, 0xffff), PVABI_ESRCH) << cmd;
    EXPECT_EQ(on_domain(cmd, self), PVABI_EINVAL) << cmd;
    EXPECT_EQ(on_domain(cmd, PVABI_DOMID_SELF), PVABI_EINVAL) << cmd;
    EXPECT_EQ(on_domain(cmd, other.domain().id.value(), nullptr, 1), PVABI_EINVAL) << cmd;
    EXPECT_EQ(control().call(PVABI_HC_DOMCTL, cmd, 0x1000), PVABI_EFAULT) << cmd;
  }
  EXPECT_EQ(info(999).first, PVABI_ESRCH);
  pvabi_domctl_info bad{};
  bad.domid = PVABI_DOMID_SELF;
  bad._pad0 = 1;
  EXPECT_EQ(control().call(PVABI_HC_DOMCTL, PVABI_DOMCTL_GET_INFO, control().put(bad).value()), PVABI_EINVAL);
  EXPECT_EQ(control().call(PVABI_HC_DOMCTL, PVABI_DOMCTL_GET_INFO, 0x1000), PVABI_EFAULT);
  EXPECT_EQ(other.domain().pause_count, 1u);  // untouched: TestGuest leaves the builder's pause
}

TEST_F(DomctlTest, DestroyKeepsGrantedFramesUntilUnmapped) {
  // The granter is a domain CREATE made, driven through its own vCPU 0.
  Domain& d = created(request());
  Vcpu& dv = *d.vcpus[0];
  const auto si = read<pvabi_start_info>(d, Gva{dv.cpu.regs.rsi});
  const Gva scratch{si.virt_base + si.first_free_pfn * PVABI_PAGE_SIZE};
  const Mfn frame = translate(dv, scratch + PVABI_PAGE_SIZE, false).value.frame();
  ASSERT_EQ(write_guest(dv, scratch, pvabi_gnttab_setup_table{(scratch + 64).value(), 1, 0}), Status::kOk);
  ASSERT_EQ(hypercall(dv, PVABI_HC_GRANT_TABLE_OP, HypercallArgs{{PVABI_GNTTABOP_SETUP_TABLE, scratch.value(), 1}}),
            PVABI_OK);
  const Mfn table{read<pvabi_u64>(d, scratch + 64)};
  TestGuest& grantee = guest("grantee");
  auto* e = reinterpret_cast<pvabi_grant_entry*>(platform::frame_memory(table));
  e[1].frame = static_cast<uint32_t>(frame.value());
  e[1].domid = grantee.domain().id.value();
  __atomic_store_n(&e[1].flags, uint16_t{PVABI_GTF_PERMIT_ACCESS}, __ATOMIC_RELEASE);

  const Gva host = grantee.va_of(grantee.take_pfn());
  ASSERT_EQ(grantee.call(PVABI_HC_UPDATE_VA_MAPPING, host.value(), 0, 0), PVABI_OK);
  const Gva map = grantee.put(pvabi_gnttab_map_grant_ref{host.value(), 0, 1, d.id.value(), 0, 0, 0, 99, 0});
  ASSERT_EQ(grantee.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_MAP_GRANT_REF, map.value(), 1), PVABI_OK);
  const auto mapped = grantee.get<pvabi_gnttab_map_grant_ref>(map);
  ASSERT_EQ(mapped.status, PVABI_OK);
  platform::frame_memory(frame)[0] = 0x42;

  EXPECT_EQ(on_domain(PVABI_DOMCTL_DESTROY, d.id.value()), PVABI_OK);
  EXPECT_EQ(frame_table().info(frame).owner, kOwnerFree);
  EXPECT_EQ(grantee.get<uint8_t>(host), 0x42);
  const InvariantReport r = check_invariants();
  EXPECT_TRUE(r.ok()) << r.first.c_str();
  const Gva unmap = grantee.put(pvabi_gnttab_unmap_grant_ref{host.value(), mapped.handle, 99});
  const uint64_t free = frame_table().free_frames();
  ASSERT_EQ(grantee.call(PVABI_HC_GRANT_TABLE_OP, PVABI_GNTTABOP_UNMAP_GRANT_REF, unmap.value(), 1), PVABI_OK);
  EXPECT_EQ(grantee.get<pvabi_gnttab_unmap_grant_ref>(unmap).status, PVABI_OK);
  EXPECT_EQ(frame_table().free_frames(), free + 1);
}

}  // namespace
}  // namespace hv
