#include "elf_loader.h"

#include "elf_format.h"
#include "version.h"

namespace hv {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ELF fields are read in host order");

constexpr char kNoteName[] = PVABI_ELFNOTE_NAME;  // with its NUL, as namesz counts it

// A load as the file states it, before placement.
struct RawLoad {
  ElfSegment segment;
  uint64_t vaddr;
  uint64_t paddr;
};

// Notes seen so far, one bit per PVABI_ELFNOTE_* type.
using NoteSet = uint32_t;

// [offset, offset + len) lies inside [0, size), without overflow.
bool within(uint64_t offset, uint64_t len, uint64_t size) { return offset <= size && len <= size - offset; }

uint64_t align4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

template <typename T>
T read_at(const uint8_t* file, uint64_t offset) {
  T value;
  copy_bytes(&value, file + offset, sizeof value);
  return value;
}

bool bytes_equal(const uint8_t* a, const void* b, size_t n) {
  const auto* bb = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != bb[i]) return false;
  }
  return true;
}

Status check_header(const Elf64Header& h, uint64_t size) {
  if (!bytes_equal(h.ident, kElfMagic, sizeof kElfMagic) || h.ident[4] != kElfClass64 || h.ident[5] != kElfLittleEndian ||
      h.ident[6] != kElfCurrentVersion || h.type != kElfTypeExec || h.machine != kElfMachineX86_64 ||
      h.version != kElfCurrentVersion || h.ehsize != sizeof(Elf64Header) || h.phentsize != sizeof(Elf64ProgramHeader)) {
    return Status::kInvalid;
  }
  if (h.phnum == 0 || h.phnum > kElfMaxProgramHeaders) return Status::kInvalid;
  return within(h.phoff, uint64_t{h.phnum} * sizeof(Elf64ProgramHeader), size) ? Status::kOk : Status::kInvalid;
}

Status take_note(ElfImage& img, NoteSet& seen, uint32_t type, const uint8_t* desc, uint64_t descsz) {
  if (type >= 32) return Status::kOk;
  const NoteSet bit = NoteSet{1} << type;
  switch (type) {
    case PVABI_ELFNOTE_ABI_VERSION:
      if (descsz != 4) return Status::kInvalid;
      img.abi_version = read_at<uint32_t>(desc, 0);
      break;
    case PVABI_ELFNOTE_FEATURES:
      if (descsz == 0 || descsz % 4 != 0 || descsz > sizeof img.features) return Status::kInvalid;
      img.nr_feature_words = static_cast<uint32_t>(descsz / 4);
      copy_bytes(img.features, desc, descsz);
      break;
    case PVABI_ELFNOTE_ENTRY:
    case PVABI_ELFNOTE_HYPERCALL_PAGE:
    case PVABI_ELFNOTE_VIRT_BASE: {
      if (descsz != 8) return Status::kInvalid;
      const uint64_t value = read_at<uint64_t>(desc, 0);
      if (type == PVABI_ELFNOTE_ENTRY) img.entry = value;
      if (type == PVABI_ELFNOTE_HYPERCALL_PAGE) img.hypercall_page = value;
      if (type == PVABI_ELFNOTE_VIRT_BASE) img.virt_base = value;
      break;
    }
    default:
      return Status::kOk;  // a later minor version's note: not needed by this one
  }
  // Two values for one note: which would the kernel mean?
  if ((seen & bit) != 0) return Status::kInvalid;
  seen |= bit;
  return Status::kOk;
}

// Walks the notes of one PT_NOTE segment, [offset, offset + len) of the file.
Status take_notes(ElfImage& img, NoteSet& seen, const uint8_t* notes, uint64_t len) {
  uint64_t pos = 0;
  while (pos < len) {
    if (len - pos < sizeof(pvabi_elfnote_header)) return Status::kInvalid;
    const auto h = read_at<pvabi_elfnote_header>(notes, pos);
    const uint64_t body = sizeof h + align4(h.namesz);
    if (len - pos < body || len - pos - body < h.descsz) return Status::kInvalid;
    const uint8_t* name = notes + pos + sizeof h;
    if (h.namesz == sizeof kNoteName && bytes_equal(name, kNoteName, sizeof kNoteName)) {
      if (const Status s = take_note(img, seen, h.type, notes + pos + body, h.descsz); s != Status::kOk) return s;
    }
    pos += body + align4(h.descsz);
  }
  return Status::kOk;
}

Elf64ProgramHeader program_header(const uint8_t* file, const Elf64Header& h, uint32_t i) {
  return read_at<Elf64ProgramHeader>(file, h.phoff + uint64_t{i} * sizeof(Elf64ProgramHeader));
}

Status collect_notes(ElfImage& img, NoteSet& seen, const uint8_t* file, uint64_t size, const Elf64Header& h) {
  for (uint32_t i = 0; i < h.phnum; ++i) {
    const Elf64ProgramHeader ph = program_header(file, h, i);
    if (ph.type != kPtNote) continue;
    if (!within(ph.offset, ph.filesz, size)) return Status::kInvalid;
    if (const Status s = take_notes(img, seen, file + ph.offset, ph.filesz); s != Status::kOk) return s;
  }
  return Status::kOk;
}

Status collect_loads(RawLoad* loads, uint32_t& count, const uint8_t* file, uint64_t size, const Elf64Header& h) {
  count = 0;
  for (uint32_t i = 0; i < h.phnum; ++i) {
    const Elf64ProgramHeader ph = program_header(file, h, i);
    if (ph.type != kPtLoad) continue;
    if (!within(ph.offset, ph.filesz, size) || ph.filesz > ph.memsz || ph.memsz > kElfMaxImageBytes) {
      return Status::kInvalid;
    }
    if (ph.memsz == 0) continue;  // occupies nothing
    if (count == kElfMaxSegments) return Status::kInvalid;
    loads[count++] = RawLoad{ElfSegment{ph.offset, ph.filesz, ph.memsz, 0}, ph.vaddr, ph.paddr};
  }
  return count == 0 ? Status::kInvalid : Status::kOk;
}

// Sets each load's offset in the image and the image's virt_base (banner).
Status place_loads(RawLoad* loads, uint32_t count, bool have_virt_base, uint64_t& virt_base) {
  if (have_virt_base) {
    for (uint32_t i = 0; i < count; ++i) {
      if (loads[i].vaddr < virt_base) return Status::kInvalid;
      loads[i].segment.load_offset = loads[i].vaddr - virt_base;
    }
    return Status::kOk;
  }
  uint64_t lowest = loads[0].paddr;
  for (uint32_t i = 1; i < count; ++i) lowest = loads[i].paddr < lowest ? loads[i].paddr : lowest;
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t offset = loads[i].paddr - lowest;
    if (loads[i].vaddr < offset) return Status::kInvalid;
    const uint64_t base = loads[i].vaddr - offset;
    if (i > 0 && base != virt_base) return Status::kInvalid;  // vaddr and paddr disagree
    virt_base = base;
    loads[i].segment.load_offset = offset;
  }
  return Status::kOk;
}

// Bounded, non-overlapping loads; returns the image size through `bytes`.
Status check_layout(const RawLoad* loads, uint32_t count, uint64_t virt_base, uint64_t& bytes) {
  bytes = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const ElfSegment& s = loads[i].segment;
    if (!within(s.load_offset, s.memory_size, kElfMaxImageBytes)) return Status::kInvalid;
    const uint64_t end = s.load_offset + s.memory_size;
    bytes = end > bytes ? end : bytes;
    for (uint32_t j = 0; j < i; ++j) {
      const ElfSegment& o = loads[j].segment;
      if (s.load_offset < o.load_offset + o.memory_size && o.load_offset < end) return Status::kInvalid;
    }
  }
  return virt_base <= ~uint64_t{0} - bytes ? Status::kOk : Status::kInvalid;
}

bool in_image(const ElfImage& img, uint64_t va, uint64_t len) {
  return va >= img.virt_base && within(va - img.virt_base, len, img.image_bytes);
}

Status check_addresses(const ElfImage& img, NoteSet seen) {
  if (!in_image(img, img.entry, 1)) return Status::kInvalid;
  if ((seen & (NoteSet{1} << PVABI_ELFNOTE_HYPERCALL_PAGE)) == 0) return Status::kOk;
  const bool aligned = (img.hypercall_page & (PVABI_PAGE_SIZE - 1)) == 0;
  return aligned && in_image(img, img.hypercall_page, PVABI_PAGE_SIZE) ? Status::kOk : Status::kInvalid;
}

// ENOSYS when the kernel needs more than this hypervisor offers.
Status check_offered(const ElfImage& img) {
  const uint32_t v = img.abi_version;
  if (PVABI_VERSION_MAJOR(v) != PVABI_INTERFACE_VERSION_MAJOR || v > PVABI_INTERFACE_VERSION) {
    return Status::kNotSupported;
  }
  for (uint32_t i = 0; i < img.nr_feature_words; ++i) {
    if ((img.features[i] & ~feature_word(i)) != 0) return Status::kNotSupported;
  }
  return Status::kOk;
}

}  // namespace

Result<ElfImage> parse_elf(const uint8_t* file, uint64_t size) {
  using R = Result<ElfImage>;
  if (file == nullptr || size < sizeof(Elf64Header) || size > kElfMaxImageBytes) return R::error(Status::kInvalid);
  const auto h = read_at<Elf64Header>(file, 0);
  if (const Status s = check_header(h, size); s != Status::kOk) return R::error(s);

  ElfImage img{};
  NoteSet seen = 0;
  if (const Status s = collect_notes(img, seen, file, size, h); s != Status::kOk) return R::error(s);
  if ((seen & (NoteSet{1} << PVABI_ELFNOTE_ABI_VERSION)) == 0) return R::error(Status::kInvalid);
  if ((seen & (NoteSet{1} << PVABI_ELFNOTE_ENTRY)) == 0) img.entry = h.entry;

  RawLoad loads[kElfMaxSegments];
  uint32_t count = 0;
  const bool have_virt_base = (seen & (NoteSet{1} << PVABI_ELFNOTE_VIRT_BASE)) != 0;
  Status s = collect_loads(loads, count, file, size, h);
  if (s == Status::kOk) s = place_loads(loads, count, have_virt_base, img.virt_base);
  if (s == Status::kOk) s = check_layout(loads, count, img.virt_base, img.image_bytes);
  if (s != Status::kOk) return R::error(s);
  img.nr_segments = count;
  for (uint32_t i = 0; i < count; ++i) img.segments[i] = loads[i].segment;

  if (const Status a = check_addresses(img, seen); a != Status::kOk) return R::error(a);
  if (const Status o = check_offered(img); o != Status::kOk) return R::error(o);
  return R::ok(img);
}

}  // namespace hv
