// The log topic's messages: what is encoded decodes to the same records, and one test
// per error path of DecodeMessage and ReadEpochRecord, each naming what it found.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/little_endian.h"
#include "ecomm/replication/log_message.h"

namespace ecomm::replication {
namespace {

TopicRecord Data(Epoch epoch, Lsn lsn, const std::string& payload = "payload") {
  return MakeDataRecord(epoch, lsn, 4, AsBytes(payload));
}

std::vector<TopicRecord> Batch(Epoch epoch, Lsn first, int n) {
  std::vector<TopicRecord> records;
  for (int i = 0; i < n; ++i) {
    records.push_back(Data(epoch, first + i, "record " + std::to_string(first + i)));
  }
  return records;
}

EpochRecord SampleEpoch() {
  return EpochRecord{7, 41, Uuid{0x1122334455667788, 0x99aabbccddeeff00}, "http://10.0.0.2:8080",
                     1'700'000'000'000};
}

void ExpectCorrupt(const std::string& bytes, const std::string& why) {
  Result<std::vector<TopicRecord>> decoded = DecodeMessage(AsBytes(bytes));
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == ErrorCode::kCorruption);
  CHECK(decoded.status().message().find(why) != std::string::npos);
}

bool SameRecords(const std::vector<TopicRecord>& a, const std::vector<TopicRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].epoch != b[i].epoch || a[i].lsn != b[i].lsn || a[i].type != b[i].type ||
        a[i].payload != b[i].payload || a[i].checksum != b[i].checksum) {
      return false;
    }
  }
  return true;
}

TEST_CASE("a batch of data records decodes to the same records, checksums included") {
  std::vector<TopicRecord> batch = Batch(3, 100, 5);
  batch.push_back(MakeDataRecord(3, 105, 9, {}));  // an empty payload
  Result<std::vector<TopicRecord>> decoded = DecodeMessage(AsBytes(EncodeMessage(batch)));
  REQUIRE(decoded.ok());
  CHECK(SameRecords(*decoded, batch));
}

TEST_CASE("an epoch record keeps every field") {
  EpochRecord epoch = SampleEpoch();
  Result<std::vector<TopicRecord>> decoded =
      DecodeMessage(AsBytes(EncodeMessage(std::vector{MakeEpochRecord(epoch)})));
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 1);
  CHECK((*decoded)[0].is_epoch());
  Result<EpochRecord> read = ReadEpochRecord((*decoded)[0]);
  REQUIRE(read.ok());
  CHECK(read->epoch == 7);
  CHECK(read->base_lsn == 41);
  CHECK(read->promotion_id == epoch.promotion_id);
  CHECK(read->primary_url == "http://10.0.0.2:8080");
  CHECK(read->at == 1'700'000'000'000);
}

TEST_CASE("the checksum names epoch, LSN, type and payload") {
  TopicRecord base = Data(1, 5, "x");
  CHECK(Data(2, 5, "x").checksum != base.checksum);
  CHECK(Data(1, 6, "x").checksum != base.checksum);
  CHECK(Data(1, 5, "y").checksum != base.checksum);
  CHECK(MakeDataRecord(1, 5, 5, AsBytes("x")).checksum != base.checksum);
  CHECK(Data(1, 5, "x").checksum == base.checksum);
}

TEST_CASE("a message shorter than its header is corrupt") {
  std::string bytes = EncodeMessage(Batch(1, 1, 1));
  ExpectCorrupt(bytes.substr(0, 12), "shorter than its header");
  ExpectCorrupt("", "shorter than its header");
}

TEST_CASE("a message of an unknown version is corrupt") {
  std::string bytes = EncodeMessage(Batch(1, 1, 1));
  bytes[0] = 2;
  ExpectCorrupt(bytes, "unknown version 2");
}

TEST_CASE("a record count of zero or past the limit is corrupt") {
  std::string header;
  header.push_back(static_cast<char>(kMessageVersion));
  PutU64(&header, 1);
  std::string zero = header;
  PutU32(&zero, 0);
  ExpectCorrupt(zero, "record count 0 out of range");
  std::string many = header;
  PutU32(&many, kMaxRecordsPerMessage + 1);
  ExpectCorrupt(many, "record count 65537 out of range");
}

TEST_CASE("a record cut inside its header or its payload is corrupt") {
  std::string bytes = EncodeMessage(Batch(1, 1, 2));
  size_t second = bytes.size() - (13 + std::string("record 2").size() + 8);
  ExpectCorrupt(bytes.substr(0, second + 5), "record 1: truncated header");
  ExpectCorrupt(bytes.substr(0, bytes.size() - 1), "record 1: bad length");
}

TEST_CASE("a record length past the payload limit is corrupt") {
  std::string bytes = EncodeMessage(Batch(1, 1, 1));
  std::string length;
  PutU32(&length, kMaxRecordPayload + 1);
  bytes.replace(13 + 9, 4, length);
  ExpectCorrupt(bytes, "record 0: bad length 1048577");
}

TEST_CASE("a flipped byte anywhere in a record fails its checksum") {
  std::string bytes = EncodeMessage(Batch(1, 1, 1));
  for (size_t at : {size_t{13}, size_t{13 + 8}, bytes.size() - 10, bytes.size() - 1}) {
    CAPTURE(at);
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    ExpectCorrupt(damaged, "record 0: checksum mismatch");
  }
  std::string other_epoch = bytes;
  other_epoch[1] = static_cast<char>(other_epoch[1] ^ 0x01);  // the message's epoch
  ExpectCorrupt(other_epoch, "record 0: checksum mismatch");
}

TEST_CASE("bytes after the last record are corrupt") {
  ExpectCorrupt(EncodeMessage(Batch(1, 1, 3)) + "x", "trailing bytes");
}

TEST_CASE("an epoch record sharing a message is corrupt") {
  // Built by hand: EncodeMessage refuses to write one.
  std::string bytes = EncodeMessage(Batch(4, 1, 1));
  bytes.replace(9, 4, std::string("\x02\x00\x00\x00", 4));
  EpochRecord e = SampleEpoch();
  e.epoch = 4;
  e.base_lsn = 2;
  TopicRecord epoch = MakeEpochRecord(e);
  PutU64(&bytes, epoch.lsn);
  bytes.push_back(static_cast<char>(epoch.type));
  PutU32(&bytes, static_cast<uint32_t>(epoch.payload.size()));
  bytes += epoch.payload;
  PutU64(&bytes, epoch.checksum);
  ExpectCorrupt(bytes, "record 1: an epoch record shares a message");
}

TEST_CASE("data records whose LSNs do not follow each other are corrupt") {
  std::string bytes = EncodeMessage(Batch(1, 10, 1));
  bytes.replace(9, 4, std::string("\x02\x00\x00\x00", 4));
  TopicRecord skip = Data(1, 12);
  PutU64(&bytes, skip.lsn);
  bytes.push_back(static_cast<char>(skip.type));
  PutU32(&bytes, static_cast<uint32_t>(skip.payload.size()));
  bytes += skip.payload;
  PutU64(&bytes, skip.checksum);
  ExpectCorrupt(bytes, "record 1: LSN 12 does not follow 10");
}

TEST_CASE("an epoch record whose payload does not decode is corrupt") {
  TopicRecord good = MakeEpochRecord(SampleEpoch());
  auto damaged = [&](std::string payload) {
    TopicRecord r = good;
    r.payload = std::move(payload);
    return ReadEpochRecord(r);
  };
  CHECK(damaged(good.payload.substr(0, 26)).status().message().find("too short") !=
        std::string::npos);
  std::string version = good.payload;
  version[0] = 9;
  CHECK(damaged(version).status().message().find("unknown epoch record version 9") !=
        std::string::npos);
  CHECK(damaged(good.payload + "x").status().message().find("length does not match") !=
        std::string::npos);
  CHECK(ReadEpochRecord(Data(1, 1)).status().message().find("not an epoch record") !=
        std::string::npos);
}

}  // namespace
}  // namespace ecomm::replication
