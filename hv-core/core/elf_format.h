// hv-core/core/elf_format.h: the ELF64 layouts (the System V gABI) the
// loader reads and its tests write; <elf.h> is not freestanding. Defaults
// describe a well-formed little-endian x86-64 executable header.
#ifndef HV_CORE_CORE_ELF_FORMAT_H
#define HV_CORE_CORE_ELF_FORMAT_H

#include <stdint.h>

namespace hv {

inline constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr uint8_t kElfClass64 = 2;
inline constexpr uint8_t kElfLittleEndian = 1;
inline constexpr uint8_t kElfCurrentVersion = 1;
inline constexpr uint16_t kElfTypeExec = 2;
inline constexpr uint16_t kElfMachineX86_64 = 62;
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPtNote = 4;

struct Elf64Header {
  uint8_t ident[16] = {0x7f, 'E', 'L', 'F', kElfClass64, kElfLittleEndian, kElfCurrentVersion};
  uint16_t type = kElfTypeExec;
  uint16_t machine = kElfMachineX86_64;
  uint32_t version = kElfCurrentVersion;
  uint64_t entry = 0;
  uint64_t phoff = 64;
  uint64_t shoff = 0;
  uint32_t flags = 0;
  uint16_t ehsize = 64;
  uint16_t phentsize = 56;
  uint16_t phnum = 0;
  uint16_t shentsize = 0;
  uint16_t shnum = 0;
  uint16_t shstrndx = 0;
};
static_assert(sizeof(Elf64Header) == 64);

struct Elf64ProgramHeader {
  uint32_t type;
  uint32_t flags;
  uint64_t offset;
  uint64_t vaddr;
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
  uint64_t align;
};
static_assert(sizeof(Elf64ProgramHeader) == 56);

}  // namespace hv

#endif  // HV_CORE_CORE_ELF_FORMAT_H
