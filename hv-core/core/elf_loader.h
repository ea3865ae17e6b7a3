// hv-core/core/elf_loader.h: reads a guest kernel, an ELF64 x86-64
// executable, from a byte buffer the hypervisor owns, trusting nothing in
// it: every offset and size is range-checked without overflow, program
// headers and segments lie inside the file, loads do not overlap and the
// loaded image is bounded. It collects the PT_LOAD segments and the PVABI
// notes of pvabi/elfnote.h.
//
// Placement: a segment loads at byte `load_offset` of the image, which the
// domain builder puts at pseudo-physical frame 0 and maps at `virt_base`:
// load_offset = vaddr - virt_base with a PVABI_ELFNOTE_VIRT_BASE note, else
// paddr - the lowest paddr (and then every segment must have the same
// vaddr - load_offset, which becomes virt_base).
//
//     const Result<ElfImage> r = parse_elf(buf, len);
//     if (!r.is_ok()) return r.status;  // EINVAL malformed, ENOSYS too new
//     for (uint32_t i = 0; i < r.value.nr_segments; ++i) load(r.value.segments[i]);
#ifndef HV_CORE_CORE_ELF_LOADER_H
#define HV_CORE_CORE_ELF_LOADER_H

#include "base.h"

namespace hv {

inline constexpr uint32_t kElfMaxProgramHeaders = 64;
inline constexpr uint32_t kElfMaxSegments = 16;         // PT_LOAD headers with memory
inline constexpr uint64_t kElfMaxImageBytes = 1ull << 30;  // loaded size, and file size
inline constexpr uint32_t kElfMaxFeatureWords = 8;

struct ElfSegment {
  uint64_t file_offset;
  uint64_t file_size;    // bytes copied from the file
  uint64_t memory_size;  // bytes in the image; the rest after file_size is zero
  uint64_t load_offset;  // where in the image (see the banner)
};

struct ElfImage {
  uint32_t abi_version;  // PVABI_ELFNOTE_ABI_VERSION
  uint32_t nr_feature_words;
  uint32_t features[kElfMaxFeatureWords];  // PVABI_ELFNOTE_FEATURES, 0 past nr_feature_words
  uint64_t virt_base;       // the image's byte 0 is mapped here
  uint64_t image_bytes;     // end of the highest segment's memory
  uint64_t entry;           // PVABI_ELFNOTE_ENTRY, else e_entry; inside the image
  uint64_t hypercall_page;  // PVABI_ELFNOTE_HYPERCALL_PAGE (page inside the image), or 0
  uint32_t nr_segments;
  ElfSegment segments[kElfMaxSegments];
};

// EINVAL: not an ELF64 little-endian x86-64 executable, a range outside the
// file, p_filesz > p_memsz, overlapping or out-of-range loads, more than
// kElfMaxSegments loads or kElfMaxProgramHeaders headers, a malformed or
// repeated PVABI note (a FEATURES note of more than kElfMaxFeatureWords
// words included), no ABI_VERSION note, an entry or hypercall page outside
// the image. ENOSYS: the image needs another major version, a newer
// version, or a feature bit feature_word() does not offer.
[[nodiscard]] Result<ElfImage> parse_elf(const uint8_t* file, uint64_t size);

}  // namespace hv

#endif  // HV_CORE_CORE_ELF_LOADER_H
