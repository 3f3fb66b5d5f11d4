// Checked files (cursors, the replication position): what is written is read back;
// each reader error path names the file.
#include <doctest/doctest.h>

#include <string>

#include "ecomm/wal/checked_file.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

constexpr std::string_view kMagic = "ECOMMTST";

TEST_CASE("a checked file's body is read back as written, and rewritten whole") {
  FaultFileSystem fs{1};
  REQUIRE(wal::WriteCheckedFile(&fs, "/d", "f", kMagic, "first body").ok());
  REQUIRE(wal::WriteCheckedFile(&fs, "/d", "f", kMagic, "second").ok());
  std::string body;
  REQUIRE(wal::ReadCheckedFile(&fs, "/d/f", kMagic, &body).ok());
  CHECK(body == "second");
  CHECK_FALSE(fs.Exists("/d/f.tmp"));
}

TEST_CASE("a checked file that is short, of another magic or damaged is corruption") {
  FaultFileSystem fs{1};
  REQUIRE(wal::WriteCheckedFile(&fs, "/d", "f", kMagic, "body").ok());
  std::string good;
  REQUIRE(fs.ReadFile("/d/f", &good).ok());
  std::string flipped = good;
  flipped[9] = static_cast<char>(flipped[9] ^ 1);
  const std::pair<std::string, std::string> cases[] = {
      {good.substr(0, 15), "bad ECOMMTST file /d/f: too short"},
      {"ECOMMXXX" + good.substr(8), "bad ECOMMTST file /d/f"},
      {flipped, "bad ECOMMTST file /d/f"},
  };
  for (const auto& [contents, why] : cases) {
    CAPTURE(why);
    fs.SetContents("/d/f", contents);
    std::string body = "unchanged";
    Status s = wal::ReadCheckedFile(&fs, "/d/f", kMagic, &body);
    CHECK(s.code() == ErrorCode::kCorruption);
    CHECK(s.message() == why);
    CHECK(body == "unchanged");
  }
}

TEST_CASE("a checked file that is not there is the file system's NotFound") {
  FaultFileSystem fs{1};
  std::string body;
  CHECK(wal::ReadCheckedFile(&fs, "/d/none", kMagic, &body).code() == ErrorCode::kFileNotFound);
}

}  // namespace
}  // namespace ecomm::testing
