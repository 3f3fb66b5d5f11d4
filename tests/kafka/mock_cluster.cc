#include "mock_cluster.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

namespace ecomm::testing {

namespace {

constexpr int kBrokers = 3;
constexpr auto kPatience = std::chrono::seconds(5);
constexpr int16_t kProduceApiKey = 0;

}  // namespace

MockCluster::MockCluster() {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The spare handle never connects: its notice that it has no bootstrap.servers
  // would only clutter the test's output.
  REQUIRE(rd_kafka_conf_set(conf, "log_level", "4", why, sizeof why) == RD_KAFKA_CONF_OK);
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  REQUIRE_MESSAGE(handle_ != nullptr, why);
  cluster_ = rd_kafka_mock_cluster_new(handle_, kBrokers);
  REQUIRE(cluster_ != nullptr);
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

void MockCluster::CreateTopic(const std::string& topic, int partitions) {
  REQUIRE(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, kBrokers) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

void MockCluster::SetBrokersUp(bool up) {
  constexpr int32_t kAllBrokers = -1;
  REQUIRE((up ? rd_kafka_mock_broker_set_up(cluster_, kAllBrokers)
              : rd_kafka_mock_broker_set_down(cluster_, kAllBrokers)) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

void MockCluster::PushProduceFault(int32_t broker, rd_kafka_resp_err_t error,
                                   std::chrono::milliseconds delay) {
  REQUIRE(rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker, kProduceApiKey, 1, error,
                                                       static_cast<int>(delay.count())) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

void MockCluster::FailProduces(int32_t broker, const std::vector<rd_kafka_resp_err_t>& errors) {
  for (rd_kafka_resp_err_t error : errors) PushProduceFault(broker, error, {});
}

void MockCluster::DelayProduces(int32_t broker, int count, std::chrono::milliseconds delay) {
  for (int i = 0; i < count; ++i) PushProduceFault(broker, RD_KAFKA_RESP_ERR_NO_ERROR, delay);
}

size_t MockCluster::ProduceFaultsLeft(int32_t broker) {
  size_t left = 0;
  REQUIRE(rd_kafka_mock_broker_error_stack_cnt(cluster_, broker, kProduceApiKey, &left) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  return left;
}

void MockCluster::MoveLeader(const std::string& topic, int32_t partition, int32_t broker) {
  REQUIRE(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
}

kafka::KafkaConfig MockCluster::Config(std::span<const kafka::Setting> settings) const {
  auto config = kafka::KafkaConfig::Build(bootstraps_, "", settings);
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  return std::move(config).value();
}

std::vector<TestRecord> MakeRecords(int first, int count, size_t value_size) {
  std::vector<TestRecord> records;
  for (int n = first; n < first + count; ++n) {
    std::string value = value_size == 0 ? "value-" + std::to_string(n)
                                        : std::string(value_size, static_cast<char>('a' + n % 26));
    records.push_back({"key-" + std::to_string(n),
                       std::move(value),
                       {{"lsn", std::to_string(n)}, {"shard", std::to_string(n % 3)}}});
  }
  return records;
}

std::vector<kafka::Delivery> ProduceAll(const MockCluster& cluster, const std::string& topic,
                                        std::optional<int32_t> partition,
                                        const std::vector<TestRecord>& records,
                                        bool one_per_request) {
  std::vector<kafka::Delivery> deliveries;
  auto producer = kafka::Producer::Create(
      cluster.Config(), topic,
      [&deliveries](const kafka::Delivery& delivery) { deliveries.push_back(delivery); },
      [](bool, const std::string&) {});
  REQUIRE_MESSAGE(producer.ok(), producer.status().ToString());
  for (size_t tag = 0; tag < records.size(); ++tag) {
    const TestRecord& r = records[tag];
    std::vector<kafka::Header> headers;
    for (const auto& [name, value] : r.headers) headers.push_back({name, value});
    REQUIRE((*producer)->Produce(tag, partition, r.key, r.value, headers));
    if (one_per_request) (*producer)->Flush(5000);
  }
  (*producer)->Flush(5000);
  REQUIRE((*producer)->Outstanding() == 0);
  REQUIRE(deliveries.size() == records.size());
  std::sort(deliveries.begin(), deliveries.end(),
            [](const kafka::Delivery& a, const kafka::Delivery& b) { return a.tag < b.tag; });
  for (const kafka::Delivery& d : deliveries) {
    REQUIRE_MESSAGE(d.error == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2str(d.error));
  }
  return deliveries;
}

std::unique_ptr<kafka::PartitionReader> StartReader(const MockCluster& cluster,
                                                    const std::string& topic, int64_t offset,
                                                    int32_t partition) {
  kafka::PartitionReaderOptions options;
  options.topic = topic;
  options.partition = partition;
  auto reader = kafka::PartitionReader::Create(cluster.Config(), options);
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  REQUIRE((*reader)->Start(offset).ok());
  return std::move(reader).value();
}

std::vector<kafka::ReadMessage> ReadToEnd(kafka::PartitionReader& reader, size_t count) {
  std::vector<kafka::ReadMessage> read;
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  for (;;) {
    Result<kafka::ReadBatch> batch = reader.Poll(100);
    REQUIRE_MESSAGE(batch.ok(), batch.status().ToString());
    for (kafka::ReadMessage& m : batch.value().messages) read.push_back(std::move(m));
    if (batch->at_end && read.size() >= count) return read;
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "read ", read.size(), " of ",
                    count, " records and no end of partition in 5 s");
  }
}

Status PollUntilFailure(kafka::PartitionReader& reader) {
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  for (;;) {
    Result<kafka::ReadBatch> batch = reader.Poll(100);
    if (!batch.ok()) return batch.status();
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no failure in 5 s");
  }
}

}  // namespace ecomm::testing
