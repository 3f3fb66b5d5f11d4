// Producer against the in-process mock cluster: deliveries name the tag, partition and
// offset the broker assigned; a full queue refuses; an unreachable cluster is reported.
#include "kafka/producer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mock_cluster.h"

namespace ecomm::testing {

TEST_CASE("deliveries carry each record's tag and the partition and offset it was stored at") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  std::vector<kafka::Delivery> deliveries = ProduceAll(kafka, "log", 0, MakeRecords(0, 50));
  for (size_t i = 0; i < deliveries.size(); ++i) {
    CHECK(deliveries[i].tag == i);
    CHECK(deliveries[i].partition == 0);
    CHECK(deliveries[i].offset == static_cast<int64_t>(i));
  }
}

TEST_CASE("records go to the partition given, else where their key sends them") {
  MockCluster kafka;
  kafka.CreateTopic("orders", 4);
  std::vector<kafka::Delivery> to_two = ProduceAll(kafka, "orders", 2, MakeRecords(0, 10));
  for (size_t i = 0; i < to_two.size(); ++i) {
    CHECK(to_two[i].partition == 2);
    CHECK(to_two[i].offset == static_cast<int64_t>(i));
  }
  // The same key twice goes to the same partition, one offset after the other.
  std::vector<TestRecord> same_key = MakeRecords(0, 2);
  same_key[1].key = same_key[0].key;
  std::vector<kafka::Delivery> keyed = ProduceAll(kafka, "orders", std::nullopt, same_key);
  CHECK(keyed[1].partition == keyed[0].partition);
  CHECK(keyed[1].offset == keyed[0].offset + 1);
}

TEST_CASE("a full queue refuses a record until a delivery makes room") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  const kafka::Setting small_queue[] = {{"queue.buffering.max.messages", "2"}};
  int delivered = 0;
  auto producer = kafka::Producer::Create(
      kafka.Config(small_queue), "log",
      [&delivered](const kafka::Delivery& d) {
        CHECK(d.error == RD_KAFKA_RESP_ERR_NO_ERROR);
        ++delivered;
      },
      [](bool, const std::string&) {});
  REQUIRE(producer.ok());
  CHECK((*producer)->Produce(0, std::nullopt, "a", "1"));
  CHECK((*producer)->Produce(1, std::nullopt, "b", "2"));
  CHECK(!(*producer)->Produce(2, std::nullopt, "c", "3"));
  CHECK((*producer)->Outstanding() == 2);
  (*producer)->Flush(5000);
  CHECK(delivered == 2);
  CHECK((*producer)->Produce(2, std::nullopt, "c", "3"));
  (*producer)->Flush(5000);
  CHECK(delivered == 3);
}

TEST_CASE("a cluster whose brokers are all down is reported unreachable") {
  // Nothing listens on port 1 of loopback. (log_level 0: librdkafka's own lines about
  // it would only clutter the test's output.)
  const kafka::Setting fast[] = {
      {"reconnect.backoff.ms", "10"}, {"reconnect.backoff.max.ms", "10"}, {"log_level", "0"}};
  auto config = kafka::KafkaConfig::Build("127.0.0.1:1", "", fast);
  REQUIRE(config.ok());
  std::vector<std::pair<bool, std::string>> reports;
  auto producer = kafka::Producer::Create(
      std::move(config).value(), "log", [](const kafka::Delivery&) {},
      [&reports](bool reachable, const std::string& why) { reports.emplace_back(reachable, why); });
  REQUIRE(producer.ok());
  for (int i = 0; i < 50 && reports.empty(); ++i) (*producer)->Poll(100);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].first == false);
  CHECK(reports[0].second == "1/1 brokers are down");
  CHECK(!(*producer)->fatal());
}

}  // namespace ecomm::testing
