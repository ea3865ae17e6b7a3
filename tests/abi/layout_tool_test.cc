// The pieces of pvabi-layout: parsing what clang prints, the layout rules,
// and the compatibility comparison.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "clang_dump_parser.h"
#include "layout_rules.h"
#include "manifest.h"

namespace pvabi::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDump[] = R"(
*** Dumping AST Record Layout
         0 | struct pvabi_inner
         0 |   uint32_t a
         4 |   uint32_t b
           | [sizeof=8, align=4]

*** Dumping AST Record Layout
         0 | struct pvabi_outer
         0 |   pvabi_u64 x
         8 |   struct pvabi_inner in
         8 |     uint32_t a
        12 |     uint32_t b
        16 |   uint8_t[8] tail
           | [sizeof=24, dsize=24, align=8,
           |  nvsize=24, nvalign=8]

*** Dumping AST Record Layout
         0 | struct other
         0 |   int z
           | [sizeof=4, align=4]
)";

TEST(ClangDumpParser, RecordLayoutsKeepTopLevelFieldsOfPvabiStructs) {
  const std::vector<Struct> s = ParseRecordLayouts(kDump);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].name, "pvabi_outer");
  EXPECT_EQ(s[1].size, 24u);
  EXPECT_EQ(s[1].align, 8u);
  ASSERT_EQ(s[1].fields.size(), 3u);
  EXPECT_EQ(s[1].fields[1].name, "in");
  EXPECT_EQ(s[1].fields[1].type, "struct pvabi_inner");
  EXPECT_EQ(s[1].fields[1].offset, 8u);
  EXPECT_EQ(s[1].fields[2].type, "uint8_t[8]");
}

TEST(ClangDumpParser, ValueMacrosSkipGuardsAndFunctionLikeOnes) {
  const std::vector<Macro> m = ParseValueMacros(
      "#define PVABI_X_H \n#define PVABI_OK 0\n#define PVABI_CAT(a, b) a##b\n"
      "#define OTHER 1\n#define PVABI_NAME \"PVABI\"\n#define PVABI_REQUESTED_VERSION 5\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "PVABI_OK");
  EXPECT_EQ(m[1].body, "\"PVABI\"");
}

TEST(ClangDumpParser, IrConstants) {
  const auto v = ParseIrConstants(
      "@pvabi_probe_k0 = dso_local constant i64 -22, align 8\n"
      "@pvabi_probe_k1 = constant i64 4096, align 8\n@x = global i32 3\n");
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v.at("pvabi_probe_k0"), -22);
  EXPECT_EQ(v.at("pvabi_probe_k1"), 4096);
}

TEST(LayoutRules, FieldTypes) {
  for (const char* ok : {"uint8_t", "int32_t", "pvabi_u64", "pvabi_s64", "uint8_t[16]",
                         "struct pvabi_vcpu_info[32]"}) {
    EXPECT_TRUE(IsAllowedFieldType(ok)) << ok;
  }
  for (const char* bad : {"uint64_t", "_Bool", "bool", "size_t", "enum pvabi_x", "uint8_t *",
                          "struct pvabi_x *", "long", "int", "struct other"}) {
    EXPECT_FALSE(IsAllowedFieldType(bad)) << bad;
  }
}

TEST(LayoutRules, PaddingAndAsserts) {
  Layout layout;
  layout.structs.push_back(Struct{"pvabi_s", 16, 8,
                                  {Field{"a", "uint32_t", 0, 4}, Field{"b", "pvabi_u64", 8, 8}}});
  const std::string asserted =
      "PVABI_ASSERT_SIZE(pvabi_s, 16, 8); PVABI_ASSERT_OFFSET(pvabi_s, a, 0); "
      "PVABI_ASSERT_OFFSET(pvabi_s, b, 8);";
  EXPECT_THAT(CheckLayoutRules(layout, asserted),
              ElementsAre(HasSubstr("pvabi_s.b: 4 bytes of implicit padding")));
  EXPECT_THAT(CheckLayoutRules(layout, ""),
              ElementsAre(HasSubstr("no PVABI_ASSERT_SIZE"), HasSubstr("a: no PVABI_ASSERT_OFFSET"),
                          HasSubstr("implicit padding"), HasSubstr("b: no PVABI_ASSERT_OFFSET")));
  layout.structs[0].fields[0].size = 8;
  layout.structs[0].fields[0].type = "pvabi_u64";
  EXPECT_THAT(CheckLayoutRules(layout, asserted), IsEmpty());
}

Manifest Baseline() {
  return Manifest{{"t1", "t2"},
                  {{"const PVABI_INTERFACE_VERSION_MAJOR", "1"},
                   {"const PVABI_INTERFACE_VERSION_MINOR", "0"},
                   {"const PVABI_OK", "0"},
                   {"struct pvabi_s", "size=8 align=8"},
                   {"field pvabi_s.a", "offset=0 size=8 type=pvabi_u64"}}};
}

TEST(Manifest, FormatParseRoundTrip) {
  absl::StatusOr<Manifest> m = ParseManifest(FormatManifest(Baseline()));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->targets, Baseline().targets);
  EXPECT_EQ(m->facts, Baseline().facts);
  EXPECT_FALSE(ParseManifest("targets = a\nno separator\n").ok());
  EXPECT_FALSE(ParseManifest("const A = 1\n").ok());  // no targets
}

TEST(Manifest, UnchangedIsCompatible) {
  const Comparison c = CompareWithBaseline(Baseline(), {{"t1", Baseline().facts}, {"t2", Baseline().facts}});
  EXPECT_THAT(c.errors, IsEmpty());
  EXPECT_THAT(c.additions, IsEmpty());
}

TEST(Manifest, ChangeOnOneTargetNamesThatTarget) {
  Facts broken = Baseline().facts;
  broken["field pvabi_s.a"] = "offset=4 size=8 type=pvabi_u64";
  const Comparison c = CompareWithBaseline(Baseline(), {{"t1", Baseline().facts}, {"t2", broken}});
  EXPECT_THAT(c.errors, ElementsAre("struct pvabi_s field a changed: offset=0 size=8 type=pvabi_u64 -> "
                                    "offset=4 size=8 type=pvabi_u64 on t2"));
  EXPECT_THAT(CrossTargetDifferences({{"t1", Baseline().facts}, {"t2", broken}}),
              ElementsAre(HasSubstr("struct pvabi_s field a is offset=4")));
}

TEST(Manifest, AdditionNeedsMinorBump) {
  Facts added = Baseline().facts;
  added["const PVABI_NEW"] = "3";
  Comparison c = CompareWithBaseline(Baseline(), {{"t1", added}});
  EXPECT_THAT(c.errors, ElementsAre(HasSubstr("constant PVABI_NEW added (3) without a higher")));
  added["const PVABI_INTERFACE_VERSION_MINOR"] = "1";
  c = CompareWithBaseline(Baseline(), {{"t1", added}});
  EXPECT_THAT(c.errors, IsEmpty());
  EXPECT_THAT(c.additions, ElementsAre("constant PVABI_NEW added (3) on every target"));
}

TEST(Manifest, RemovalAndMajorChangeFail) {
  Facts removed = Baseline().facts;
  removed.erase("const PVABI_OK");
  removed["const PVABI_INTERFACE_VERSION_MINOR"] = "1";  // a bump does not excuse a removal
  EXPECT_THAT(CompareWithBaseline(Baseline(), {{"t1", removed}}).errors,
              ElementsAre(HasSubstr("constant PVABI_OK was removed")));
  Facts major = Baseline().facts;
  major["const PVABI_INTERFACE_VERSION_MAJOR"] = "2";
  EXPECT_THAT(CompareWithBaseline(Baseline(), {{"t1", major}}).errors,
              ElementsAre(HasSubstr("a new ABI needs a new baseline")));
}

}  // namespace
}  // namespace pvabi::tools
