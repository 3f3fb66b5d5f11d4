// The tools library's command line helpers (tools/common/cli_flags.h) on a CLI::App of
// the test's own; every program's --help is checked on the binaries
// (tests/programs/command_line.sh).
#include "cli_flags.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ecomm::tools {
namespace {

struct Outcome {
  std::optional<int> status;
  std::string output;
};

Outcome Parse(CLI::App& app, std::vector<const char*> args) {
  args.insert(args.begin(), "prog");
  Outcome outcome;
  outcome.status = ParseFlags(app, static_cast<int>(args.size()), args.data(), &outcome.output);
  return outcome;
}

TEST_CASE("ParseNumber takes the whole text, within its bounds") {
  int n = 7;
  CHECK(ParseNumber<int>("42", 1, 100, &n));
  CHECK(n == 42);
  for (const char* bad : {"0", "101", "4x", "", " 5", "-"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseNumber<int>(bad, 1, 100, &n));
  }
  CHECK(n == 42);  // untouched by a refusal
  double share = 0;
  CHECK(ParseNumber("0.25", 0.0, 1.0, &share));
  CHECK(share == 0.25);
  CHECK_FALSE(ParseNumber("1.5", 0.0, 1.0, &share));
  uint64_t big = 0;
  CHECK_FALSE(ParseNumber<uint64_t>("-1", 0, UINT64_MAX, &big));
}

TEST_CASE("AddNumber, AddText, AddParsed: both spellings, and a refusal that names the flag") {
  CLI::App app("test", "prog");
  int threads = 2;
  std::string dir;
  std::string mode;
  AddNumber(app, "--threads", &threads, 1, 256, "threads");
  AddText(app, "--dir", &dir, "a directory");
  AddParsed(
      app, "--mode", [&mode](const std::string& text) { return (mode = text) == "fast"; }, "fast",
      "the mode");

  Outcome ok = Parse(app, {"--threads", "8", "--dir=/tmp", "--mode=fast"});
  CHECK_FALSE(ok.status.has_value());
  CHECK(threads == 8);
  CHECK(dir == "/tmp");
  CHECK(mode == "fast");

  struct Refused {
    std::vector<const char*> args;
    const char* says;
  };
  for (const Refused& bad : std::vector<Refused>{
           {{"--threads=0"}, "prog: --threads takes 1..256, not '0'; see --help\n"},
           {{"--dir", ""}, "prog: --dir takes a value, not ''; see --help\n"},
           {{"--mode", "slow"}, "prog: --mode takes fast, not 'slow'; see --help\n"},
       }) {
    Outcome refused = Parse(app, bad.args);
    CHECK(refused.status == 2);
    CHECK(refused.output == bad.says);
  }
  Outcome unknown = Parse(app, {"--bogus"});
  CHECK(unknown.status == 2);
  CHECK(unknown.output.ends_with("; see --help\n"));
}

TEST_CASE("--help: the usage with each number's default, exit 0, UsageText as refusals say") {
  CLI::App app("A program.", "prog");
  int threads = 2;
  AddNumber(app, "--threads", &threads, 1, 256, "worker threads");
  Outcome help = Parse(app, {"--help"});
  CHECK(help.status == 0);
  CHECK(help.output.find("Usage: prog") != std::string::npos);
  CHECK(help.output.find("worker threads") != std::string::npos);
  CHECK(help.output.find("--threads N=2") != std::string::npos);
  CHECK(UsageText(app, "no clients") == "prog: no clients; see --help\n");
}

TEST_CASE("HOST:PORT and durations") {
  std::string host;
  uint16_t port = 0;
  CHECK(ParseHostPort("[::1]:8080", &host, &port));
  CHECK(host == "::1");
  CHECK(port == 8080);
  CHECK_FALSE(ParseHostPort("localhost", &host, &port));
  CHECK_FALSE(ParseHostPort("h:65536", &host, &port));
  std::chrono::milliseconds duration{};
  CHECK(ParseDuration("90m", std::chrono::hours(2), &duration));
  CHECK(duration == std::chrono::minutes(90));
  CHECK_FALSE(ParseDuration("3h", std::chrono::hours(2), &duration));
  CHECK_FALSE(ParseDuration("10", std::chrono::hours(2), &duration));
}

}  // namespace
}  // namespace ecomm::tools
