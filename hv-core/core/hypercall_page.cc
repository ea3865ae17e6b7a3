#include "hypercall_page.h"

namespace hv {
namespace {

constexpr uint8_t kInt3 = 0xcc;

void put_u32(uint8_t* at, uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

void write_hypercall_page(uint8_t* page) {
  static_assert(PVABI_HYPERCALL_PAGE_SLOTS * PVABI_HYPERCALL_STUB_SIZE == PVABI_PAGE_SIZE);
  for (uint32_t nr = 0; nr < PVABI_HYPERCALL_PAGE_SLOTS; ++nr) {
    uint8_t* stub = page + nr * PVABI_HYPERCALL_STUB_SIZE;
    __builtin_memset(stub, kInt3, PVABI_HYPERCALL_STUB_SIZE);
    if (nr < PVABI_HC_COUNT) {
      stub[0] = 0xb8;  // mov $nr, %eax
      put_u32(stub + 1, nr);
      stub[5] = 0x0f;  // syscall
      stub[6] = 0x05;
      stub[7] = 0xc3;  // ret
    } else {
      stub[0] = 0x48;  // mov $PVABI_ENOSYS, %rax (sign-extended)
      stub[1] = 0xc7;
      stub[2] = 0xc0;
      put_u32(stub + 3, static_cast<uint32_t>(PVABI_ENOSYS));
      stub[7] = 0xc3;  // ret
    }
  }
}

}  // namespace hv
