#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ecomm/types.h"

// librdkafka's producer, configured for a log that must not lose or reorder a record:
// idempotent (no duplicates from its own retries, per-partition order kept), acks=all,
// no message timeout (a record waits for Kafka however long it is down), lz4.
namespace ecomm::shipper {

class KafkaProducer {
 public:
  // Called from Poll, once per produced record, with its LSN: delivered, or the
  // error that made librdkafka give up on it.
  using OnDelivery = std::function<void(Lsn lsn, rd_kafka_resp_err_t error)>;
  // Called from Poll when Kafka becomes unreachable or reachable again.
  using OnReachability = std::function<void(bool reachable, const std::string& why)>;

  KafkaProducer(std::string brokers, std::string topic, OnDelivery on_delivery,
                OnReachability on_reachability);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // False with `*error` when the configuration is refused.
  bool Start(std::string* error);
  // Queues one record (key = orderId, header "lsn"). False when librdkafka's queue is
  // full: Poll and try again. Other failures are delivery errors reported by Poll.
  bool Produce(Lsn lsn, std::string_view key, std::string_view value);
  // Serves delivery reports and errors for up to `timeout_ms`.
  void Poll(int timeout_ms);
  // Waits up to `timeout_ms` for every queued record to be delivered or failed.
  void Flush(int timeout_ms);
  // Records queued or in flight.
  int Outstanding() const;
  // The producer hit a fatal error (its idempotence guarantees broke): it accepts no
  // more records and must be replaced.
  bool fatal() const { return fatal_; }

 private:
  static void DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
  static void Error(rd_kafka_t*, int error, const char* reason, void* opaque);

  const std::string brokers_;
  const std::string topic_;
  OnDelivery on_delivery_;
  OnReachability on_reachability_;
  rd_kafka_t* kafka_ = nullptr;
  bool reachable_ = true;  // as last reported
  bool fatal_ = false;
};

}  // namespace ecomm::shipper
