// parse_elf against images assembled in memory: well-formed ones, and
// malformed ones of every kind the banner of elf_loader.h names.
#include "elf_loader.h"

#include "elf_format.h"

#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "version.h"

namespace hv {
namespace testing {

using Ehdr = Elf64Header;
using Phdr = Elf64ProgramHeader;

// Assembles an image: header, program headers (the note segment first),
// the notes, then each load's bytes.
class ElfWriter {
 public:
  Ehdr header;

  void note(uint32_t type, const void* desc, uint32_t descsz, const char* name = PVABI_ELFNOTE_NAME,
            uint32_t namesz = sizeof(PVABI_ELFNOTE_NAME)) {
    const uint32_t h[3] = {namesz, descsz, type};
    append(notes_, h, sizeof h);
    append(notes_, name, namesz);
    pad4(notes_);
    append(notes_, desc, descsz);
    pad4(notes_);
  }
  void note32(uint32_t type, uint32_t value) { note(type, &value, 4); }
  void note64(uint32_t type, uint64_t value) { note(type, &value, 8); }
  void version(uint32_t v = PVABI_INTERFACE_VERSION) { note32(PVABI_ELFNOTE_ABI_VERSION, v); }

  void load(uint64_t vaddr, uint64_t paddr, std::vector<uint8_t> data, uint64_t memsz) {
    loads_.push_back(Load{vaddr, paddr, memsz, std::move(data)});
  }

  std::vector<uint8_t> bytes() const {
    Ehdr h = header;
    const bool has_notes = !notes_.empty();
    h.phnum = static_cast<uint16_t>(loads_.size() + (has_notes ? 1 : 0));
    std::vector<uint8_t> out;
    append(out, &h, sizeof h);
    uint64_t offset = sizeof(Ehdr) + h.phnum * sizeof(Phdr);
    if (has_notes) {
      const Phdr p{kPtNote, 4, offset, 0, 0, notes_.size(), notes_.size(), 4};
      append(out, &p, sizeof p);
      offset += notes_.size();
    }
    for (const Load& l : loads_) {
      const Phdr p{kPtLoad, 7, offset, l.vaddr, l.paddr, l.data.size(), l.memsz, 4096};
      append(out, &p, sizeof p);
      offset += l.data.size();
    }
    append(out, notes_.data(), notes_.size());
    for (const Load& l : loads_) append(out, l.data.data(), l.data.size());
    return out;
  }

 private:
  struct Load {
    uint64_t vaddr, paddr, memsz;
    std::vector<uint8_t> data;
  };
  static void append(std::vector<uint8_t>& v, const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    v.insert(v.end(), b, b + n);
  }
  static void pad4(std::vector<uint8_t>& v) {
    while (v.size() % 4 != 0) v.push_back(0);
  }
  std::vector<uint8_t> notes_;
  std::vector<Load> loads_;
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + seed);
  return v;
}

// A minimal kernel: one load of `text_bytes` (pattern(text_bytes, 1)) plus
// `bss_bytes` of zeros at virt_base (paddr 0), entry at virt_base, built for
// `abi_version`. domctl_test.cc uses it too.
std::vector<uint8_t> test_kernel(uint32_t abi_version, uint64_t virt_base, uint64_t text_bytes, uint64_t bss_bytes) {
  ElfWriter w;
  w.version(abi_version);
  w.header.entry = virt_base;
  w.load(virt_base, 0, pattern(text_bytes, 1), text_bytes + bss_bytes);
  return w.bytes();
}

}  // namespace testing

namespace {

using testing::ElfWriter;
using testing::Phdr;
using testing::pattern;

constexpr uint64_t kBase = 0xffffffff80000000ull;

Result<ElfImage> parse(const std::vector<uint8_t>& f) { return parse_elf(f.data(), f.size()); }

// Edits program header `i` of a built image (with notes, 0 is the note
// segment's, the loads follow).
std::vector<uint8_t> with_phdr(std::vector<uint8_t> f, size_t i, const std::function<void(Phdr&)>& edit) {
  Phdr p;
  const size_t at = sizeof(testing::Ehdr) + i * sizeof(Phdr);
  std::memcpy(&p, f.data() + at, sizeof p);
  edit(p);
  std::memcpy(f.data() + at, &p, sizeof p);
  return f;
}

std::vector<uint8_t> with_header(std::vector<uint8_t> f, const std::function<void(testing::Ehdr&)>& edit) {
  testing::Ehdr h;
  std::memcpy(&h, f.data(), sizeof h);
  edit(h);
  std::memcpy(f.data(), &h, sizeof h);
  return f;
}

ElfWriter simple(uint64_t text = 100, uint64_t bss = 4000) {
  ElfWriter w;
  w.version();
  w.header.entry = kBase + 16;
  w.load(kBase, 0x200000, pattern(text, 3), text + bss);
  return w;
}

Status status_of(const std::vector<uint8_t>& f) { return parse(f).status; }

TEST(ElfLoader, ParsesAMinimalKernel) {
  const std::vector<uint8_t> f = simple().bytes();
  const Result<ElfImage> r = parse(f);
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.abi_version, PVABI_INTERFACE_VERSION);
  EXPECT_EQ(r.value.virt_base, kBase);
  EXPECT_EQ(r.value.entry, kBase + 16);
  EXPECT_EQ(r.value.image_bytes, 4100u);
  EXPECT_EQ(r.value.hypercall_page, 0u);
  ASSERT_EQ(r.value.nr_segments, 1u);
  const ElfSegment& s = r.value.segments[0];
  EXPECT_EQ(s.load_offset, 0u);
  EXPECT_EQ(s.file_size, 100u);
  EXPECT_EQ(s.memory_size, 4100u);
  EXPECT_EQ(f[s.file_offset], pattern(1, 3)[0]);
}

TEST(ElfLoader, PlacesLoadsByPhysicalAddressWithoutAVirtBaseNote) {
  ElfWriter w;
  w.version();
  w.header.entry = kBase;
  w.load(kBase + 0x3000, 0x1003000, pattern(10, 1), 0x1000);  // listed first, placed second
  w.load(kBase, 0x1000000, pattern(20, 2), 0x2000);
  const Result<ElfImage> r = parse(w.bytes());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.virt_base, kBase);
  EXPECT_EQ(r.value.segments[0].load_offset, 0x3000u);
  EXPECT_EQ(r.value.segments[1].load_offset, 0u);
  EXPECT_EQ(r.value.image_bytes, 0x4000u);
}

TEST(ElfLoader, VirtBaseNotePlacesLoadsByVirtualAddress) {
  ElfWriter w;
  w.version();
  w.note64(PVABI_ELFNOTE_VIRT_BASE, kBase);
  w.header.entry = kBase + 0x5000;
  w.load(kBase + 0x5000, 0x77, pattern(10, 1), 0x1000);  // paddr ignored
  const Result<ElfImage> r = parse(w.bytes());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.virt_base, kBase);
  EXPECT_EQ(r.value.segments[0].load_offset, 0x5000u);
  EXPECT_EQ(r.value.image_bytes, 0x6000u);
  // A load below virt_base has no place.
  ElfWriter below;
  below.version();
  below.note64(PVABI_ELFNOTE_VIRT_BASE, kBase);
  below.header.entry = kBase;
  below.load(kBase - 0x1000, 0, pattern(10, 1), 0x2000);
  EXPECT_EQ(status_of(below.bytes()), Status::kInvalid);
}

TEST(ElfLoader, EntryAndHypercallPageNotes) {
  ElfWriter w = simple(100, 0x3000);
  w.note64(PVABI_ELFNOTE_ENTRY, kBase + 0x40);
  w.note64(PVABI_ELFNOTE_HYPERCALL_PAGE, kBase + 0x2000);
  const Result<ElfImage> r = parse(w.bytes());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.entry, kBase + 0x40);
  EXPECT_EQ(r.value.hypercall_page, kBase + 0x2000);

  ElfWriter misaligned = simple(100, 0x3000);
  misaligned.note64(PVABI_ELFNOTE_HYPERCALL_PAGE, kBase + 0x2001);
  EXPECT_EQ(status_of(misaligned.bytes()), Status::kInvalid);
  ElfWriter outside = simple(100, 0x3000);
  outside.note64(PVABI_ELFNOTE_HYPERCALL_PAGE, kBase + 0x3000);  // image ends at 0x3064
  EXPECT_EQ(status_of(outside.bytes()), Status::kInvalid);
  ElfWriter far_entry = simple();
  far_entry.note64(PVABI_ELFNOTE_ENTRY, kBase + 0x100000);
  EXPECT_EQ(status_of(far_entry.bytes()), Status::kInvalid);
  ElfWriter low_entry = simple();
  low_entry.header.entry = kBase - 1;
  EXPECT_EQ(status_of(low_entry.bytes()), Status::kInvalid);
}

TEST(ElfLoader, VersionNoteIsRequiredAndChecked) {
  ElfWriter none;
  none.header.entry = kBase;
  none.load(kBase, 0, pattern(10, 1), 10);
  EXPECT_EQ(status_of(none.bytes()), Status::kInvalid);

  ElfWriter other_name;
  const uint32_t v = PVABI_INTERFACE_VERSION;
  other_name.note(PVABI_ELFNOTE_ABI_VERSION, &v, 4, "Xen", 4);
  other_name.header.entry = kBase;
  other_name.load(kBase, 0, pattern(10, 1), 10);
  EXPECT_EQ(status_of(other_name.bytes()), Status::kInvalid);

  for (uint32_t bad : {uint32_t{PVABI_INTERFACE_VERSION + 1}, uint32_t{PVABI_MAKE_VERSION(2u, 0u)},
                       uint32_t{PVABI_MAKE_VERSION(0u, 9u)}}) {
    ElfWriter w;
    w.version(bad);
    w.header.entry = kBase;
    w.load(kBase, 0, pattern(10, 1), 10);
    EXPECT_EQ(status_of(w.bytes()), Status::kNotSupported) << bad;
  }

  ElfWriter wide = simple();
  wide.note64(PVABI_ELFNOTE_ABI_VERSION + 0, PVABI_INTERFACE_VERSION);  // 8-byte desc, and a repeat
  EXPECT_EQ(status_of(wide.bytes()), Status::kInvalid);
  ElfWriter twice = simple();
  twice.version();
  EXPECT_EQ(status_of(twice.bytes()), Status::kInvalid);
  ElfWriter short_base = simple();
  short_base.note32(PVABI_ELFNOTE_VIRT_BASE, 0);
  EXPECT_EQ(status_of(short_base.bytes()), Status::kInvalid);
}

TEST(ElfLoader, UnknownPvabiNotesAndForeignNotesAreIgnored) {
  ElfWriter w = simple();
  w.note32(99, 1);
  const uint32_t gnu = 5;
  w.note(PVABI_ELFNOTE_FEATURES, &gnu, 4, "GNU", 4);
  EXPECT_EQ(status_of(w.bytes()), Status::kOk);
}

TEST(ElfLoader, FeatureBitsMustBeOffered) {
  const uint32_t offered = feature_word(0);
  ElfWriter ok = simple();
  const uint32_t words[2] = {offered, 0};
  ok.note(PVABI_ELFNOTE_FEATURES, words, sizeof words);
  const Result<ElfImage> r = parse(ok.bytes());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.nr_feature_words, 2u);
  EXPECT_EQ(r.value.features[0], offered);

  const uint32_t missing = ~offered & (0u - ~offered);  // lowest bit not offered
  ElfWriter no = simple();
  no.note32(PVABI_ELFNOTE_FEATURES, missing);
  EXPECT_EQ(status_of(no.bytes()), Status::kNotSupported);
  ElfWriter word1 = simple();
  const uint32_t later[2] = {0, 1};
  word1.note(PVABI_ELFNOTE_FEATURES, later, sizeof later);
  EXPECT_EQ(status_of(word1.bytes()), Status::kNotSupported);

  ElfWriter odd = simple();
  odd.note(PVABI_ELFNOTE_FEATURES, words, 6);
  EXPECT_EQ(status_of(odd.bytes()), Status::kInvalid);
  ElfWriter too_many = simple();
  const std::vector<uint32_t> many(kElfMaxFeatureWords + 1, 0);
  too_many.note(PVABI_ELFNOTE_FEATURES, many.data(), static_cast<uint32_t>(many.size() * 4));
  EXPECT_EQ(status_of(too_many.bytes()), Status::kInvalid);
}

TEST(ElfLoader, MalformedEarlierThanUnsupported) {
  ElfWriter w;
  w.version(PVABI_MAKE_VERSION(9u, 0u));
  w.header.entry = kBase;
  w.load(kBase, 0, pattern(10, 1), 5);  // filesz > memsz
  EXPECT_EQ(status_of(w.bytes()), Status::kInvalid);
}

TEST(ElfLoader, RejectsBadHeaders) {
  const std::vector<uint8_t> good = simple().bytes();
  ASSERT_EQ(status_of(good), Status::kOk);
  const std::vector<std::function<void(testing::Ehdr&)>> edits = {
      [](testing::Ehdr& h) { h.ident[0] = 0x7e; },
      [](testing::Ehdr& h) { h.ident[4] = 1; },  // ELFCLASS32
      [](testing::Ehdr& h) { h.ident[5] = 2; },  // big-endian
      [](testing::Ehdr& h) { h.ident[6] = 0; },
      [](testing::Ehdr& h) { h.type = 3; },      // ET_DYN
      [](testing::Ehdr& h) { h.machine = 3; },   // i386
      [](testing::Ehdr& h) { h.version = 2; },
      [](testing::Ehdr& h) { h.ehsize = 52; },
      [](testing::Ehdr& h) { h.phentsize = 32; },
      [](testing::Ehdr& h) { h.phnum = 0; },
      [](testing::Ehdr& h) { h.phnum = kElfMaxProgramHeaders + 1; },
      [](testing::Ehdr& h) { h.phnum = 0xffff; },  // PN_XNUM
      [](testing::Ehdr& h) { h.phoff = 1u << 20; },
      [](testing::Ehdr& h) { h.phoff = ~uint64_t{0} - 8; },  // offset + size overflows
  };
  for (size_t i = 0; i < edits.size(); ++i) EXPECT_EQ(status_of(with_header(good, edits[i])), Status::kInvalid) << i;
  EXPECT_EQ(parse_elf(nullptr, 100).status, Status::kInvalid);
  EXPECT_EQ(parse_elf(good.data(), kElfMaxImageBytes + 1).status, Status::kInvalid);
}

TEST(ElfLoader, EveryTruncationIsRefused) {
  const std::vector<uint8_t> good = simple().bytes();
  for (size_t n = 0; n < good.size(); ++n) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
    EXPECT_EQ(status_of(cut), Status::kInvalid) << n;
  }
}

TEST(ElfLoader, RejectsLoadsOutsideTheFileOrTooLarge) {
  const std::vector<uint8_t> good = simple().bytes();
  const std::vector<std::function<void(Phdr&)>> edits = {
      [&](Phdr& p) { p.offset = good.size() - 10; },           // data runs past the end
      [](Phdr& p) { p.offset = ~uint64_t{0} - 1; },            // offset + filesz overflows
      [](Phdr& p) { p.filesz = ~uint64_t{0}; },
      [](Phdr& p) { p.filesz = p.memsz + 1; },
      [](Phdr& p) { p.memsz = kElfMaxImageBytes + 1; },
      [](Phdr& p) { p.memsz = ~uint64_t{0}; },
      [](Phdr& p) {  // then no load at all
        p.memsz = 0;
        p.filesz = 0;
      },
      [](Phdr& p) { p.type = 6; },                             // PT_PHDR: no load at all
  };
  for (size_t i = 0; i < edits.size(); ++i) EXPECT_EQ(status_of(with_phdr(good, 1, edits[i])), Status::kInvalid) << i;
}

TEST(ElfLoader, RejectsOverlappingLoadsAndAcceptsAdjacentOnes) {
  auto two = [](uint64_t second_paddr) {
    ElfWriter w;
    w.version();
    w.header.entry = kBase;
    w.load(kBase, 0, pattern(10, 1), 0x2000);
    w.load(kBase + second_paddr, second_paddr, pattern(10, 2), 0x1000);
    return w.bytes();
  };
  EXPECT_EQ(status_of(two(0x2000)), Status::kOk);
  EXPECT_EQ(status_of(two(0x1fff)), Status::kInvalid);
  EXPECT_EQ(status_of(two(0x1000)), Status::kInvalid);
  // Contained entirely, and the same range twice.
  ElfWriter same;
  same.version();
  same.header.entry = kBase;
  same.load(kBase, 0, pattern(10, 1), 0x1000);
  same.load(kBase, 0, pattern(10, 1), 0x1000);
  EXPECT_EQ(status_of(same.bytes()), Status::kInvalid);
}

TEST(ElfLoader, RejectsInconsistentOrOutOfRangePlacement) {
  ElfWriter skew;  // vaddr - paddr differs between loads
  skew.version();
  skew.header.entry = kBase;
  skew.load(kBase, 0, pattern(10, 1), 0x1000);
  skew.load(kBase + 0x5000, 0x2000, pattern(10, 2), 0x1000);
  EXPECT_EQ(status_of(skew.bytes()), Status::kInvalid);

  ElfWriter far;  // the second load is placed past the largest image
  far.version();
  far.header.entry = kBase;
  far.load(kBase, 0, pattern(10, 1), 0x1000);
  far.load(kBase + kElfMaxImageBytes, kElfMaxImageBytes, pattern(10, 2), 0x1000);
  EXPECT_EQ(status_of(far.bytes()), Status::kInvalid);

  ElfWriter wraps;  // the image would run past the top of the address space
  wraps.version();
  wraps.header.entry = ~uint64_t{0} - 0xfff;
  wraps.load(~uint64_t{0} - 0xfff, 0, pattern(10, 1), 0x2000);
  EXPECT_EQ(status_of(wraps.bytes()), Status::kInvalid);

  ElfWriter low;  // vaddr below its offset in the image
  low.version();
  low.header.entry = 0;
  low.load(0, 0, pattern(10, 1), 0x1000);
  low.load(0x100, 0x2000, pattern(10, 2), 0x1000);
  EXPECT_EQ(status_of(low.bytes()), Status::kInvalid);
}

TEST(ElfLoader, LoadCountIsBounded) {
  auto loads = [](uint32_t n) {
    ElfWriter w;
    w.version();
    w.header.entry = kBase;
    for (uint32_t i = 0; i < n; ++i) w.load(kBase + i * 0x1000ull, i * 0x1000ull, pattern(8, 1), 0x1000);
    return w.bytes();
  };
  const Result<ElfImage> r = parse(loads(kElfMaxSegments));
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.value.nr_segments, kElfMaxSegments);
  EXPECT_EQ(status_of(loads(kElfMaxSegments + 1)), Status::kInvalid);
}

TEST(ElfLoader, RejectsMalformedNotes) {
  const std::vector<uint8_t> good = simple().bytes();
  const std::vector<std::function<void(Phdr&)>> edits = {
      [&](Phdr& p) { p.filesz = good.size(); },        // past the end of the file
      [](Phdr& p) { p.offset = ~uint64_t{0}; },
      [](Phdr& p) { p.filesz -= 1; },                  // desc cut short
      [](Phdr& p) { p.filesz += 4; },                  // a trailing partial header
  };
  for (size_t i = 0; i < edits.size(); ++i) EXPECT_EQ(status_of(with_phdr(good, 0, edits[i])), Status::kInvalid) << i;

  // Header sizes that run past the segment, including ones that overflow 32 bits.
  for (uint32_t namesz : {0xffffffffu, 0xfffffffdu, 64u}) {
    std::vector<uint8_t> f = good;
    const size_t notes = sizeof(testing::Ehdr) + 2 * sizeof(Phdr);
    std::memcpy(f.data() + notes, &namesz, 4);
    EXPECT_EQ(status_of(f), Status::kInvalid) << namesz;
  }
  for (uint32_t descsz : {0xffffffffu, 0xfffffffcu, 8u}) {
    std::vector<uint8_t> f = good;
    const size_t notes = sizeof(testing::Ehdr) + 2 * sizeof(Phdr);
    std::memcpy(f.data() + notes + 4, &descsz, 4);
    EXPECT_EQ(status_of(f), Status::kInvalid) << descsz;
  }
}

TEST(ElfLoader, RandomCorruptionNeverEscapesTheFile) {
  const std::vector<uint8_t> good = [] {
    ElfWriter w = simple(300, 0x2000);
    w.note64(PVABI_ELFNOTE_ENTRY, kBase + 8);
    w.note64(PVABI_ELFNOTE_HYPERCALL_PAGE, kBase + 0x1000);
    w.load(kBase + 0x4000, 0x204000, pattern(50, 9), 0x1000);
    return w.bytes();
  }();
  ASSERT_EQ(status_of(good), Status::kOk);
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> f = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) f[rng() % f.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    const Result<ElfImage> r = parse(f);
    if (!r.is_ok()) {
      EXPECT_TRUE(r.status == Status::kInvalid || r.status == Status::kNotSupported);
      continue;
    }
    for (uint32_t s = 0; s < r.value.nr_segments; ++s) {
      const ElfSegment& seg = r.value.segments[s];
      ASSERT_LE(seg.file_offset + seg.file_size, f.size());
      ASSERT_LE(seg.file_size, seg.memory_size);
      ASSERT_LE(seg.load_offset + seg.memory_size, r.value.image_bytes);
    }
    ASSERT_LE(r.value.image_bytes, kElfMaxImageBytes);
  }
}

}  // namespace
}  // namespace hv
