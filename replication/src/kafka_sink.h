#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ecomm/histogram.h"
#include "ecomm/replication/primary_journal.h"
#include "kafka/kafka_config.h"
#include "kafka/producer.h"

namespace ecomm::replication {

// The log topic's producer: every message to partition 0, idempotent with acks=all
// (no duplicate from librdkafka's own retries, no reordering), lz4. What it loses a
// primary finds by reading the topic back, and sends again, so a delivery failure is
// only logged. Any thread may Send. Each delivered message's time from Produce to the
// broker's acknowledgement goes into `produce_latency_us`: a thread of its own serves
// the acknowledgements every few milliseconds (librdkafka times a message until its
// report is served, and the next Send may be a while off).
class KafkaSink final : public MessageSink {
 public:
  static Result<std::unique_ptr<KafkaSink>> Create(const kafka::KafkaConfig& config,
                                                   std::string topic,
                                                   std::function<void(std::string_view)> log,
                                                   Histogram* produce_latency_us);
  ~KafkaSink() override;

  void Send(std::string message) override;

 private:
  KafkaSink(const kafka::KafkaConfig& config, std::string topic,
            std::function<void(std::string_view)> log, Histogram* produce_latency_us);
  // A new producer; false (logged) when librdkafka refuses one.
  bool Connect();
  void PollLoop();

  kafka::KafkaConfig config_;
  const std::string topic_;
  std::function<void(std::string_view)> log_;
  Histogram* const produce_latency_us_;
  std::mutex mu_;
  std::unique_ptr<kafka::Producer> producer_;  // guarded by mu_
  uint64_t sent_ = 0;
  bool stopping_ = false;            // guarded by mu_, as are the two below
  bool idle_ = true;                 // the poller found nothing in flight
  bool sent_while_idle_ = false;     // a Send since: it polls at its short period again
  std::condition_variable wake_cv_;  // stopping, or sent_while_idle_
  std::thread poller_;
};

}  // namespace ecomm::replication
