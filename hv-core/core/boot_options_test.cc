// parse_boot_options: hv. words are taken out and applied, the guest keeps
// the rest in order, and malformed or unknown options are refused.
#include "boot_options.h"

#include <string>

#include "gtest/gtest.h"

namespace hv {
namespace {

BootOptions parsed(const char* words) {
  BootOptions o;
  EXPECT_EQ(parse_boot_options(words, o), Status::kOk) << words << ": " << o.problem;
  return o;
}

Status status_of(const char* words) {
  BootOptions o;
  return parse_boot_options(words, o);
}

TEST(BootOptions, NoWordsKeepTheDefaults) {
  const BootOptions o = parsed("");
  EXPECT_EQ(o.memory_frames, kDefaultBootFrames);
  EXPECT_EQ(o.memory_frames, 256u);
  EXPECT_FALSE(o.ramdisk_follows);
  EXPECT_FALSE(o.console_input);
  EXPECT_STREQ(o.guest_cmdline, "");
}

TEST(BootOptions, GuestWordsPassThroughOneSpaceApart) {
  EXPECT_STREQ(parsed("peer=1 role=a").guest_cmdline, "peer=1 role=a");
  EXPECT_STREQ(parsed("  a \t b  ").guest_cmdline, "a b");
  EXPECT_STREQ(parsed("hv").guest_cmdline, "hv");          // not an option: no dot
  EXPECT_STREQ(parsed("xhv.mem=4M").guest_cmdline, "xhv.mem=4M");
}

TEST(BootOptions, HvWordsAreTakenOutWhereverTheyStand) {
  const BootOptions o = parsed("console=hvc0 hv.mem=64M root=/dev/ram0 hv.ramdisk some=arg");
  EXPECT_EQ(o.memory_frames, 64u * 256);
  EXPECT_TRUE(o.ramdisk_follows);
  EXPECT_STREQ(o.guest_cmdline, "console=hvc0 root=/dev/ram0 some=arg");
  EXPECT_STREQ(parsed("hv.ramdisk").guest_cmdline, "");
  const BootOptions c = parsed("hv.console console=hvc0");
  EXPECT_TRUE(c.console_input);
  EXPECT_STREQ(c.guest_cmdline, "console=hvc0");
}

TEST(BootOptions, MemoryInMiBUpToTheMaximum) {
  EXPECT_EQ(parsed("hv.mem=1M").memory_frames, 256u);
  EXPECT_EQ(parsed("hv.mem=256M").memory_frames, 65536u);
  EXPECT_EQ(parsed("hv.mem=01024M").memory_frames, kMaxBootMemoryMiB * 256);
  EXPECT_EQ(parsed("hv.mem=2M hv.mem=3M").memory_frames, 768u);  // the last one counts
}

TEST(BootOptions, MalformedMemoryIsRefused) {
  for (const char* bad : {"hv.mem=", "hv.mem=M", "hv.mem=0M", "hv.mem=64", "hv.mem=64m", "hv.mem=64K",
                          "hv.mem=64G", "hv.mem=-1M", "hv.mem=6 4M", "hv.mem=1025M", "hv.mem=99999999999999999999M",
                          "hv.mem=0x10M", "hv.mem", "hv.mem=64MM"}) {
    BootOptions o;
    EXPECT_EQ(parse_boot_options(bad, o), Status::kInvalid) << bad;
    EXPECT_NE(std::string(o.problem), "") << bad;
  }
}

TEST(BootOptions, UnknownHvWordsAreRefused) {
  EXPECT_EQ(status_of("hv."), Status::kInvalid);
  EXPECT_EQ(status_of("hv.ramdisk=1"), Status::kInvalid);
  EXPECT_EQ(status_of("a=b hv.memory=4M"), Status::kInvalid);
  EXPECT_EQ(status_of("hv.Ramdisk"), Status::kInvalid);
  EXPECT_EQ(status_of("hv.console=1"), Status::kInvalid);
}

TEST(BootOptions, ARefusedLineStillSaysWhetherARamdiskFollows) {
  BootOptions o;
  EXPECT_EQ(parse_boot_options("hv.mem=0M hv.bogus hv.ramdisk", o), Status::kInvalid);
  EXPECT_TRUE(o.ramdisk_follows);
  EXPECT_EQ(std::string(o.problem).rfind("hv.mem", 0), 0u);  // the first problem
}

TEST(BootOptions, AGuestLineLongerThanStartInfoHoldsIsRefused) {
  const std::string fits(PVABI_START_INFO_CMDLINE_LEN - 1, 'a');
  EXPECT_EQ(std::string(parsed(("hv.mem=2M " + fits).c_str()).guest_cmdline), fits);
  EXPECT_EQ(status_of((fits + "b").c_str()), Status::kInvalid);
  EXPECT_EQ(status_of((std::string(600, 'a') + " " + std::string(423, 'b')).c_str()), Status::kInvalid);
  EXPECT_EQ(status_of((std::string(600, 'a') + " " + std::string(422, 'b')).c_str()), Status::kOk);
}

}  // namespace
}  // namespace hv
