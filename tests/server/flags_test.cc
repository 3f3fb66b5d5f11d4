#include "flags.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ecomm::server {
namespace {

struct Parsed {
  std::optional<ServerFlags> flags;
  std::string message;
  int exit_code = -1;
};

Parsed Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ecomm-server");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  Parsed parsed;
  parsed.flags =
      ParseFlags(static_cast<int>(argv.size()), argv.data(), &parsed.message, &parsed.exit_code);
  return parsed;
}

TEST_CASE("--segment-bytes sets the WAL's segment size within 4 KiB..1 TiB") {
  Parsed parsed = Parse({"--segment-bytes", "65536"});
  REQUIRE(parsed.flags.has_value());
  CHECK(parsed.flags->database.segment_bytes == 65536);
  CHECK(Parse({}).flags->database.segment_bytes == uint64_t{64} << 20);

  for (const char* bad : {"4095", "0", "-1", "64k", "1099511627777"}) {
    CAPTURE(bad);
    Parsed refused = Parse({"--segment-bytes", bad});
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.find("--segment-bytes takes") != std::string::npos);
  }
  CHECK_FALSE(Parse({"--segment-bytes"}).flags.has_value());
}

TEST_CASE("--snapshot-every takes a record count, 0 for shutdown only") {
  CHECK(Parse({"--snapshot-every", "0"}).flags->database.snapshot_every == 0);
  CHECK(Parse({"--snapshot-every", "500"}).flags->database.snapshot_every == 500);
  CHECK_FALSE(Parse({"--snapshot-every", "x"}).flags.has_value());
}

}  // namespace
}  // namespace ecomm::server
