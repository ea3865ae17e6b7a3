// The console (libpv/console.h) against hv-core's per-domain console.
#include <libpv/console.h>

#include <string>

#include "host_guest_fixture.h"
#include "hv-core/core/console.h"
#include "hv-core/platform/host/host_platform.h"

namespace libpv::testing {
namespace {

class ConsoleTest : public HostGuestTest {
 protected:
  std::string output() {
    std::string all;
    for (const auto& line : hv::host::console_lines()) all += line.text + "\n";
    return all;
  }
};

TEST_F(ConsoleTest, LinesReachTheDomainsConsole) {
  hv::host::clear_console_lines();
  EXPECT_EQ(pv_console_puts("hello\nworld\n"), 12);
  EXPECT_EQ(output(), "hello\nworld\n");
  EXPECT_EQ(hv::host::console_lines().at(0).name, "libpv");
}

TEST_F(ConsoleTest, LongWritesGoInPiecesOfTheMaximum) {
  hv::host::clear_console_lines();
  const std::string text(2 * PVABI_CONSOLE_IO_MAX + 10, 'x');
  const uint64_t before = hypercalls();
  EXPECT_EQ(pv_console_write(text.data(), text.size()), static_cast<int64_t>(text.size()));
  EXPECT_EQ(hypercalls() - before, 3u);
  EXPECT_EQ(domain().console.bytes_written, text.size());
}

TEST_F(ConsoleTest, AFullBufferStopsTheWriteAndSaysHowMuchWent) {
  HypercallRecorder rec(binding());
  rec.answer = [](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr == PVABI_HC_CONSOLE_IO) return static_cast<int64_t>(c.args[2] / 2);
    return std::nullopt;
  };
  const std::string text(300, 'y');
  EXPECT_EQ(pv_console_write(text.data(), text.size()), 150);
  EXPECT_EQ(rec.calls.size(), 1u);
}

TEST_F(ConsoleTest, AFaultIsReportedOnlyWhenNothingWasWritten) {
  HypercallRecorder rec(binding());
  int calls = 0;
  rec.answer = [&](const HypercallRecorder::Call& c) -> std::optional<int64_t> {
    if (c.nr != PVABI_HC_CONSOLE_IO) return std::nullopt;
    return ++calls == 1 ? static_cast<int64_t>(c.args[2]) : PVABI_EFAULT;
  };
  const std::string text(PVABI_CONSOLE_IO_MAX + 1, 'z');
  EXPECT_EQ(pv_console_write(text.data(), text.size()), PVABI_CONSOLE_IO_MAX);
  calls = 1;
  EXPECT_EQ(pv_console_write("a", 1), PVABI_EFAULT);
}

TEST_F(ConsoleTest, ReadTakesPendingInput) {
  char buf[16] = {};
  EXPECT_EQ(pv_console_read(buf, sizeof buf), 0);
  ASSERT_EQ(hv::console_input(domain(), "typed", 5), 5u);
  EXPECT_EQ(pv_console_read(buf, 3), 3);
  EXPECT_EQ(std::string(buf, 3), "typ");
  EXPECT_EQ(pv_console_read(buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "ed");
}

}  // namespace
}  // namespace libpv::testing
