// The pv backend's transport (backend/pv/hypercall_page.cc) in a host
// process: a fake hypercall page whose stubs record the registers they were
// called with, so the calling convention of pvabi/hypercall.h is checked
// against the real inline assembly (linked from the shared build).
#include <libpv/libpv.h>
#include <sys/mman.h>

#include <cstring>

#include "gtest/gtest.h"

namespace {

// What the stubs saw: rdi, rsi, rdx, r10, r8, r9, rax (the number); and the
// value they return.
struct Seen {
  uint64_t regs[6];
  uint64_t nr;
  uint64_t result;
};
Seen g_seen;

// Stub N: mov eax, N; jmp common. Common: store the registers in g_seen,
// load the result, clobber rcx and r11 as the entry instruction does, ret.
uint8_t* make_hypercall_page() {
  void* mem = mmap(nullptr, 2 * PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  auto* page = static_cast<uint8_t*>(mem);
  uint8_t* common = page + PVABI_PAGE_SIZE;
  for (uint32_t nr = 0; nr < PVABI_HYPERCALL_PAGE_SLOTS; ++nr) {
    uint8_t* stub = page + nr * PVABI_HYPERCALL_STUB_SIZE;
    stub[0] = 0xb8;  // mov eax, imm32
    std::memcpy(stub + 1, &nr, 4);
    stub[5] = 0xe9;  // jmp rel32
    const auto rel = static_cast<int32_t>(common - (stub + 10));
    std::memcpy(stub + 6, &rel, 4);
  }
  const uint64_t seen = reinterpret_cast<uintptr_t>(&g_seen);
  uint8_t code[] = {
      0x49, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0,  // movabs r11, &g_seen
      0x49, 0x89, 0x3b,                    // mov [r11], rdi
      0x49, 0x89, 0x73, 0x08,              // mov [r11+8], rsi
      0x49, 0x89, 0x53, 0x10,              // mov [r11+16], rdx
      0x4d, 0x89, 0x53, 0x18,              // mov [r11+24], r10
      0x4d, 0x89, 0x43, 0x20,              // mov [r11+32], r8
      0x4d, 0x89, 0x4b, 0x28,              // mov [r11+40], r9
      0x49, 0x89, 0x43, 0x30,              // mov [r11+48], rax
      0x49, 0x8b, 0x43, 0x38,              // mov rax, [r11+56]
      0x48, 0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff,  // mov rcx, -1
      0x49, 0xc7, 0xc3, 0xff, 0xff, 0xff, 0xff,  // mov r11, -1
      0xc3,                                // ret
  };
  std::memcpy(code + 2, &seen, 8);
  std::memcpy(common, code, sizeof code);
  return page;
}

alignas(PVABI_PAGE_SIZE) uint8_t g_shared_info[PVABI_PAGE_SIZE];
alignas(PVABI_PAGE_SIZE) uint64_t g_p2m[512];

class PvBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page_ = make_hypercall_page();
    ASSERT_NE(page_, nullptr);
    pvabi_start_info& si = si_;
    std::memcpy(si.magic, PVABI_START_INFO_MAGIC, sizeof PVABI_START_INFO_MAGIC);
    si.abi_version = PVABI_INTERFACE_VERSION;
    si.nr_pages = 512;
    si.shared_info_va = reinterpret_cast<uintptr_t>(g_shared_info);
    si.hypercall_page_va = reinterpret_cast<uintptr_t>(page_);
    si.p2m_list_va = reinterpret_cast<uintptr_t>(g_p2m);
    si.pt_base_va = reinterpret_cast<uintptr_t>(g_p2m);
    si.virt_base = reinterpret_cast<uintptr_t>(g_p2m);
    si.nr_vcpus = 1;
    g_seen.result = PVABI_INTERFACE_VERSION;  // every query at init succeeds
    ASSERT_EQ(pv_init(&si), PVABI_OK);
  }
  void TearDown() override { munmap(page_, 2 * PVABI_PAGE_SIZE); }

  uint8_t* page_ = nullptr;
  pvabi_start_info si_{};
};

TEST_F(PvBackendTest, ArgumentsGoInTheSyscallRegistersAndTheStatusComesBackInRax) {
  g_seen.result = static_cast<uint64_t>(PVABI_EBUSY);
  EXPECT_EQ(pv_hypercall(PVABI_HC_DOMCTL, 11, 22, 33, 44, 55, 66), PVABI_EBUSY);
  EXPECT_EQ(g_seen.nr, static_cast<uint64_t>(PVABI_HC_DOMCTL));
  const uint64_t want[6] = {11, 22, 33, 44, 55, 66};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(g_seen.regs[i], want[i]) << "argument " << i;
}

TEST_F(PvBackendTest, LibpvOperationsUseTheStubOfTheirNumber) {
  g_seen.result = 5;
  EXPECT_EQ(pv_console_write("hello", 5), 5);
  EXPECT_EQ(g_seen.nr, static_cast<uint64_t>(PVABI_HC_CONSOLE_IO));
  EXPECT_EQ(g_seen.regs[0], static_cast<uint64_t>(PVABI_CONSOLE_WRITE));
  EXPECT_EQ(g_seen.regs[2], 5u);
  EXPECT_EQ(std::memcmp(reinterpret_cast<const char*>(g_seen.regs[1]), "hello", 5), 0);
  g_seen.result = 0;
  EXPECT_EQ(pv_set_timer(123456789), PVABI_OK);
  EXPECT_EQ(g_seen.nr, static_cast<uint64_t>(PVABI_HC_SET_TIMER_OP));
  EXPECT_EQ(g_seen.regs[0], 123456789u);
}

TEST_F(PvBackendTest, NumbersPastThePageAreNotSupported) {
  g_seen.nr = 0;
  EXPECT_EQ(pv_hypercall(PVABI_HYPERCALL_PAGE_SLOTS, 0, 0, 0, 0, 0, 0), PVABI_ENOSYS);
  EXPECT_EQ(g_seen.nr, 0u);  // no stub was called
}

}  // namespace
