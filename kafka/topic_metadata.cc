#include "kafka/topic_metadata.h"

#include <memory>

namespace ecomm::kafka {

namespace {

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};

}  // namespace

Result<int32_t> PartitionCount(const KafkaConfig& config, const std::string& topic,
                               int timeout_ms) {
  Result<Client> client = NewClient(RD_KAFKA_PRODUCER, config.Copy());
  if (!client.ok()) return client.status();
  // Every topic's metadata, not the one topic's: a request that names a topic creates
  // it on a broker that auto-creates topics and answers Metadata below v4 (where the
  // client has no say), librdkafka's mock cluster among them; so would a topic handle,
  // which asks for its topic's metadata at once.
  const rd_kafka_metadata_t* answer = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(client->get(), /*all_topics=*/1, nullptr, &answer, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kUnavailable,
                  "cannot read the metadata of topic " + topic + ": " + rd_kafka_err2str(err));
  }
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(answer);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(ErrorCode::kUnavailable,
                    "cannot read the metadata of topic " + topic + ": " + rd_kafka_err2str(t.err));
    }
    return t.partition_cnt;
  }
  return Status(ErrorCode::kNotFound, "topic " + topic + " does not exist");
}

}  // namespace ecomm::kafka
