// PartitionCount against the in-process mock cluster: a topic's partitions, and a
// missing topic reported (and not created by the asking).
#include "kafka/topic_metadata.h"

#include <doctest/doctest.h>

#include "mock_cluster.h"

namespace ecomm::testing {

TEST_CASE("PartitionCount gives each topic's partitions") {
  MockCluster kafka;
  kafka.CreateTopic("log", 1);
  kafka.CreateTopic("orders", 4);
  kafka::KafkaConfig config = kafka.Config();
  Result<int32_t> one = kafka::PartitionCount(config, "log", 5000);
  REQUIRE_MESSAGE(one.ok(), one.status().ToString());
  CHECK(*one == 1);
  Result<int32_t> four = kafka::PartitionCount(config, "orders", 5000);
  REQUIRE_MESSAGE(four.ok(), four.status().ToString());
  CHECK(*four == 4);
}

TEST_CASE("PartitionCount of a missing topic is kNotFound, and asking does not create it") {
  MockCluster kafka;
  kafka::KafkaConfig config = kafka.Config();
  for (int ask = 0; ask < 2; ++ask) {
    Result<int32_t> count = kafka::PartitionCount(config, "missing", 5000);
    REQUIRE(!count.ok());
    CHECK(count.code() == ErrorCode::kNotFound);
    CHECK(count.status().message() == "topic missing does not exist");
  }
}

TEST_CASE("PartitionCount with no broker to answer is kUnavailable") {
  const kafka::Setting quiet[] = {{"log_level", "0"}};  // its refused connections
  auto config = kafka::KafkaConfig::Build("127.0.0.1:1", "", quiet);
  REQUIRE(config.ok());
  Result<int32_t> count = kafka::PartitionCount(*config, "log", 300);
  REQUIRE(!count.ok());
  CHECK(count.code() == ErrorCode::kUnavailable);
  CHECK(count.status().message() ==
        "cannot read the metadata of topic log: Local: Broker transport failure");
}

}  // namespace ecomm::testing
