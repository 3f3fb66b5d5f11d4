#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ecomm/replication/primary_journal.h"
#include "kafka/kafka_config.h"
#include "kafka/producer.h"

namespace ecomm::replication {

// The log topic's producer: every message to partition 0, idempotent with acks=all
// (no duplicate from librdkafka's own retries, no reordering), lz4. What it loses a
// primary finds by reading the topic back, and sends again, so a delivery failure is
// only logged. Any thread may Send.
class KafkaSink final : public MessageSink {
 public:
  static Result<std::unique_ptr<KafkaSink>> Create(const kafka::KafkaConfig& config,
                                                   std::string topic,
                                                   std::function<void(std::string_view)> log);
  ~KafkaSink() override;

  void Send(std::string message) override;

 private:
  KafkaSink(const kafka::KafkaConfig& config, std::string topic,
            std::function<void(std::string_view)> log);
  // A new producer; false (logged) when librdkafka refuses one.
  bool Connect();

  kafka::KafkaConfig config_;
  const std::string topic_;
  std::function<void(std::string_view)> log_;
  std::mutex mu_;
  std::unique_ptr<kafka::Producer> producer_;  // guarded by mu_
  uint64_t sent_ = 0;
};

}  // namespace ecomm::replication
