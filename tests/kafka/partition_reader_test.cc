// PartitionReader against the in-process mock cluster: a producer's records read back
// in order at the offsets their deliveries gave; from a middle offset; the end of the
// partition; watermarks, asked and as last fetched; and one test per offset the
// partition does not hold.
#include "kafka/partition_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mock_cluster.h"

namespace ecomm::testing {

namespace {

// Each read record equals records[first + i], at offset first + i.
void CheckRead(const std::vector<kafka::ReadMessage>& read, const std::vector<TestRecord>& records,
               size_t first) {
  REQUIRE(read.size() == records.size() - first);
  for (size_t i = 0; i < read.size(); ++i) {
    const TestRecord& r = records[first + i];
    CHECK(read[i].offset == static_cast<int64_t>(first + i));
    CHECK(read[i].key == r.key);
    CHECK(read[i].value == r.value);
    CHECK(read[i].headers == r.headers);
  }
}

}  // namespace

TEST_CASE("records read back in order, each at the offset its delivery reported") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  std::vector<TestRecord> records = MakeRecords(0, 200);
  std::vector<kafka::Delivery> deliveries = ProduceAll(kafka, "log", std::nullopt, records);
  auto reader = StartReader(kafka, "log", 0);
  std::vector<kafka::ReadMessage> read = ReadToEnd(*reader, records.size());
  CheckRead(read, records, 0);
  for (size_t i = 0; i < read.size(); ++i) CHECK(read[i].offset == deliveries[i].offset);
  CHECK(reader->next_offset() == 200);
}

TEST_CASE("reading from a middle offset starts exactly there") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  std::vector<TestRecord> records = MakeRecords(0, 100);
  ProduceAll(kafka, "log", std::nullopt, records);
  auto reader = StartReader(kafka, "log", 37);
  CheckRead(ReadToEnd(*reader, 63), records, 37);
  CHECK(reader->next_offset() == 100);

  // Start again moves the reader back.
  REQUIRE(reader->Start(98).ok());
  CheckRead(ReadToEnd(*reader, 2), records, 98);
}

TEST_CASE("the end of the partition is signalled, and cleared by a newer record") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  auto reader = StartReader(kafka, "log", 0);
  // An empty partition: the end at once.
  CHECK(ReadToEnd(*reader, 0).empty());

  std::vector<TestRecord> records = MakeRecords(0, 3);
  ProduceAll(kafka, "log", std::nullopt, records);
  CheckRead(ReadToEnd(*reader, 3), records, 0);
  // Nothing new: still at the end.
  Result<kafka::ReadBatch> idle = reader->Poll(50);
  REQUIRE(idle.ok());
  CHECK(idle->messages.empty());
  CHECK(idle->at_end);

  // A newer record: read, and the end reported again after it.
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(3, 1));
  std::vector<kafka::ReadMessage> more = ReadToEnd(*reader, 1);
  REQUIRE(more.size() == 1);
  CHECK(more[0].offset == 3);
  CHECK(more[0].key == "key-3");
}

TEST_CASE("a batch holds at most max_batch records") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(0, 25));
  kafka::PartitionReaderOptions options;
  options.topic = "log";
  options.max_batch = 10;
  auto reader = kafka::PartitionReader::Create(kafka.Config(), options);
  REQUIRE(reader.ok());
  REQUIRE((*reader)->Start(0).ok());
  std::vector<size_t> sizes;
  while ((*reader)->next_offset() < 25) {
    Result<kafka::ReadBatch> batch = (*reader)->Poll(1000);
    REQUIRE(batch.ok());
    CHECK(batch->messages.size() <= 10);
    if (!batch->messages.empty()) sizes.push_back(batch->messages.size());
  }
  size_t total = 0;
  for (size_t n : sizes) total += n;
  CHECK(total == 25);
  CHECK(sizes.size() >= 3);
}

TEST_CASE("watermarks: the partition's oldest offset and the next one to be written") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  auto reader = StartReader(kafka, "log", 0);
  Result<kafka::WatermarkOffsets> empty = reader->Watermarks(5000);
  REQUIRE(empty.ok());
  CHECK(empty->low == 0);
  CHECK(empty->high == 0);
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(0, 42));
  Result<kafka::WatermarkOffsets> marks = reader->Watermarks(5000);
  REQUIRE(marks.ok());
  CHECK(marks->low == 0);
  CHECK(marks->high == 42);
}

TEST_CASE("the last fetched high watermark: nothing before a fetch, then the end it saw") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(0, 30));
  auto reader = StartReader(kafka, "log", 0);
  CHECK_FALSE(reader->LastFetchedHigh().has_value());
  ReadToEnd(*reader, 30);
  CHECK(reader->LastFetchedHigh() == 30);
  // Records produced since are unknown until a fetch brings them.
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(30, 12));
  ReadToEnd(*reader, 12);
  CHECK(reader->LastFetchedHigh() == 42);
}

// One test per offset the partition does not hold.

// The mock keeps at most 5 MiB of message sets per partition and drops the oldest
// beyond that (rdkafka_mock.c): 30 records of 256 KiB, one per produce request, leave
// the newest 19 (20 sets would be 5 MiB plus their headers), offsets 11..29.
TEST_CASE("an offset retention deleted is kNotFound naming it and the oldest one left") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  std::vector<TestRecord> records = MakeRecords(0, 30, 256 * 1024);
  ProduceAll(kafka, "log", std::nullopt, records, /*one_per_request=*/true);
  auto reader = StartReader(kafka, "log", 5);
  Result<kafka::WatermarkOffsets> marks = reader->Watermarks(5000);
  REQUIRE(marks.ok());
  CHECK(marks->low == 11);
  CHECK(marks->high == 30);

  Status gone = PollUntilFailure(*reader);
  CHECK(gone.code() == ErrorCode::kNotFound);
  CHECK(gone.message() == "offset 5 is no longer in topic log (oldest is 11)");
  CHECK(reader->next_offset() == 5);

  // The reader stopped there; Start moves it to what is left.
  REQUIRE(reader->Start(11).ok());
  CheckRead(ReadToEnd(*reader, 19), records, 11);
}

TEST_CASE("an offset past the partition's end is kInvalidArgument naming the end") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  ProduceAll(kafka, "log", std::nullopt, MakeRecords(0, 4));
  auto reader = StartReader(kafka, "log", 9);
  Status past = PollUntilFailure(*reader);
  CHECK(past.code() == ErrorCode::kInvalidArgument);
  CHECK(past.message() == "offset 9 is past the end of topic log (next is 4)");
}

TEST_CASE("a negative offset is refused before anything is read") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  auto reader = StartReader(kafka, "log", 0);
  Status s = reader->Start(-2);
  CHECK(s.code() == ErrorCode::kInvalidArgument);
  CHECK(s.message() == "offset -2 of topic log partition 0 is negative");
}

}  // namespace ecomm::testing
