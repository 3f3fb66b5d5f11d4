#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kafka/kafka_config.h"
#include "kafka/partition_reader.h"
#include "kafka/producer.h"

// rdkafka_mock.h refuses to compile unless rdkafka.h came first.
#include <librdkafka/rdkafka_mock.h>

// librdkafka's mock cluster in the test's own process (three brokers on loopback, the
// real protocol over real sockets), and the few steps every Kafka test takes on it.
namespace ecomm::testing {

class MockCluster {
 public:
  MockCluster();  // REQUIREs that it starts
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // "127.0.0.1:PORT,..."
  const std::string& bootstraps() const { return bootstraps_; }
  // A topic of `partitions` partitions, replication factor 3.
  void CreateTopic(const std::string& topic, int partitions);
  // Every broker down (connections closed, new ones refused) or up again.
  void SetBrokersUp(bool up);
  // The next produce requests `broker` takes, any client's, fail with `errors` in turn;
  // RD_KAFKA_RESP_ERR__TRANSPORT closes the client's connection instead of answering.
  void FailProduces(int32_t broker, const std::vector<rd_kafka_resp_err_t>& errors);
  // The next `count` produce requests `broker` takes succeed, each answered `delay` late.
  void DelayProduces(int32_t broker, int count, std::chrono::milliseconds delay);
  // How many of the failures and delays given `broker` no produce request has met yet.
  size_t ProduceFaultsLeft(int32_t broker);
  // `broker` (1, 2 or 3) leads `topic`'s `partition` from now on.
  void MoveLeader(const std::string& topic, int32_t partition, int32_t broker);
  // A configuration that reaches this cluster, with `settings` on top.
  kafka::KafkaConfig Config(std::span<const kafka::Setting> settings = {}) const;

 private:
  // The next produce request `broker` takes is answered `delay` late, with `error`.
  void PushProduceFault(int32_t broker, rd_kafka_resp_err_t error, std::chrono::milliseconds delay);

  rd_kafka_t* handle_ = nullptr;  // the spare client the cluster is built on
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

// A record to produce and, read back, what it should be.
struct TestRecord {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// `count` records numbered from `first`: key "key-N", value "value-N" (or `value_size`
// bytes of 'a' + N % 26 when not 0), headers lsn=N and shard=N%3.
std::vector<TestRecord> MakeRecords(int first, int count, size_t value_size = 0);

// Produces `records` to `topic` (tags 0, 1, ...; `partition` or the partitioner's
// choice), each one alone in its request when `one_per_request`, and REQUIREs every
// one delivered; their deliveries, in tag order.
std::vector<kafka::Delivery> ProduceAll(const MockCluster& cluster, const std::string& topic,
                                        std::optional<int32_t> partition,
                                        const std::vector<TestRecord>& records,
                                        bool one_per_request = false);

// A reader of `topic`'s partition `partition`, started at `offset`.
std::unique_ptr<kafka::PartitionReader> StartReader(const MockCluster& cluster,
                                                    const std::string& topic, int64_t offset,
                                                    int32_t partition = 0);

// Polls until the reader reports the end of the partition with at least `count`
// records read (5 s at most); every record read.
std::vector<kafka::ReadMessage> ReadToEnd(kafka::PartitionReader& reader, size_t count);

// Polls until a Poll fails (5 s at most); that failure.
Status PollUntilFailure(kafka::PartitionReader& reader);

}  // namespace ecomm::testing
