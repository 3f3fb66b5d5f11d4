// The replication position file: what is written is read back; a missing file is
// NotFound (a new replica); each way it can be damaged is corruption naming it.
#include <doctest/doctest.h>

#include <string>

#include "ecomm/replication/position_file.h"
#include "ecomm/wal/checked_file.h"
#include "support/fault_file_system.h"

namespace ecomm::replication {
namespace {

const TopicPlace kPlace{CountedPosition{7, 1234, Uuid{5, 6}, "http://10.0.0.2:8080"}, 98765};

TEST_CASE("a replication place is read back as written") {
  testing::FaultFileSystem fs{1};
  REQUIRE(WritePlace(&fs, "/db", kPlace).ok());
  Result<TopicPlace> read = ReadPlace(&fs, "/db");
  REQUIRE(read.ok());
  CHECK(*read == kPlace);
  TopicPlace empty_url = kPlace;
  empty_url.position.primary_url.clear();
  REQUIRE(WritePlace(&fs, "/db", empty_url).ok());
  CHECK(ReadPlace(&fs, "/db").value() == empty_url);
}

TEST_CASE("a replica without a place file is NotFound") {
  testing::FaultFileSystem fs{1};
  CHECK(ReadPlace(&fs, "/db").code() == ErrorCode::kFileNotFound);
}

TEST_CASE("a place file damaged, of another format or of a wrong length is corruption") {
  testing::FaultFileSystem fs{1};
  REQUIRE(WritePlace(&fs, "/db", kPlace).ok());
  std::string good;
  REQUIRE(fs.ReadFile("/db/replication/position", &good).ok());
  std::string flipped = good;
  flipped[20] = static_cast<char>(flipped[20] ^ 1);
  std::string cursor = good;
  cursor.replace(0, 8, "ECOMMCUR");
  const std::pair<std::string, std::string> cases[] = {
      {flipped, "bad ECOMMRP1 file /db/replication/position"},
      {cursor, "bad ECOMMRP1 file /db/replication/position"},
      {good.substr(0, 20), "bad ECOMMRP1 file /db/replication/position"},
  };
  for (const auto& [contents, why] : cases) {
    CAPTURE(why);
    fs.SetContents("/db/replication/position", contents);
    Result<TopicPlace> read = ReadPlace(&fs, "/db");
    CHECK(read.code() == ErrorCode::kCorruption);
    CHECK(read.status().message().starts_with(why));
  }
  // The checksum intact but the URL's length not the body's: written by a bug.
  TopicPlace long_url = kPlace;
  REQUIRE(WritePlace(&fs, "/db", long_url).ok());
  std::string contents;
  REQUIRE(fs.ReadFile("/db/replication/position", &contents).ok());
  std::string body = contents.substr(8, contents.size() - 16);
  body[40] = static_cast<char>(body[40] + 1);
  REQUIRE(wal::WriteCheckedFile(&fs, "/db/replication", "position", "ECOMMRP1", body).ok());
  CHECK(ReadPlace(&fs, "/db").status().message() ==
        "bad replication position /db/replication/position: length");
}

}  // namespace
}  // namespace ecomm::replication
