// pvabi/types.hpp: strong types for the numbers the ABI passes around.
//
// A machine frame, a pseudo-physical frame, a machine address and a
// guest-virtual address are all 64-bit integers on the wire; in C++ they are
// distinct types, so passing one where another is meant does not compile:
//
//     pvabi::Mfn table{0x1234};
//     pvabi::Maddr entry = table.address() + 8 * slot;
//     pvabi::Mfn back = entry.frame();
#ifndef PVABI_TYPES_HPP
#define PVABI_TYPES_HPP

#include <pvabi/base.h>

namespace pvabi {

template <typename Tag, typename Rep>
class Strong {
 public:
  constexpr Strong() = default;
  constexpr explicit Strong(Rep value) : value_(value) {}
  [[nodiscard]] constexpr Rep value() const { return value_; }
  friend constexpr bool operator==(Strong, Strong) = default;
  friend constexpr bool operator<(Strong a, Strong b) { return a.value_ < b.value_; }

 private:
  Rep value_ = 0;
};

class Maddr;
class Gva;

// A machine frame number.
class Mfn : public Strong<struct MfnTag, uint64_t> {
 public:
  using Strong::Strong;
  [[nodiscard]] constexpr Maddr address() const;
};

// A pseudo-physical frame number: the guest's own contiguous numbering.
class Pfn : public Strong<struct PfnTag, uint64_t> {
 public:
  using Strong::Strong;
};

// A machine address.
class Maddr : public Strong<struct MaddrTag, uint64_t> {
 public:
  using Strong::Strong;
  [[nodiscard]] constexpr Mfn frame() const { return Mfn{value() >> PVABI_PAGE_SHIFT}; }
  [[nodiscard]] constexpr uint64_t page_offset() const { return value() & (PVABI_PAGE_SIZE - 1); }
  [[nodiscard]] constexpr Maddr operator+(uint64_t bytes) const { return Maddr{value() + bytes}; }
};

constexpr Maddr Mfn::address() const { return Maddr{value() << PVABI_PAGE_SHIFT}; }

// A guest-virtual address.
class Gva : public Strong<struct GvaTag, uint64_t> {
 public:
  using Strong::Strong;
  // Bits 63..47 all equal: the only addresses x86-64 translates.
  [[nodiscard]] constexpr bool canonical() const {
    const uint64_t top = value() >> 47;
    return top == 0 || top == 0x1ffff;
  }
  [[nodiscard]] constexpr uint64_t page_offset() const { return value() & (PVABI_PAGE_SIZE - 1); }
  // Index into the page table of `level` (1 = L1 ... 4 = L4).
  [[nodiscard]] constexpr unsigned table_index(unsigned level) const {
    return static_cast<unsigned>((value() >> (PVABI_PAGE_SHIFT + 9 * (level - 1))) & 511);
  }
  [[nodiscard]] constexpr Gva operator+(uint64_t bytes) const { return Gva{value() + bytes}; }
};

class DomId : public Strong<struct DomIdTag, uint16_t> {
 public:
  using Strong::Strong;
  static constexpr DomId self() { return DomId{PVABI_DOMID_SELF}; }
};

class VcpuId : public Strong<struct VcpuIdTag, uint32_t> {
 public:
  using Strong::Strong;
};

class Port : public Strong<struct PortTag, uint32_t> {
 public:
  using Strong::Strong;
};

class GrantRef : public Strong<struct GrantRefTag, uint32_t> {
 public:
  using Strong::Strong;
};

}  // namespace pvabi

#endif  // PVABI_TYPES_HPP
