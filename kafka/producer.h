#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ecomm/result.h"
#include "kafka/kafka_config.h"

// librdkafka's producer for one topic, as its owner configured it (KafkaConfig: an
// outbox sets enable.idempotence, acks=all and message.timeout.ms=0, so that no
// record is lost, duplicated by a retry or reordered within its partition). Each
// record carries a tag of the caller's (an LSN, say), handed back with its fate.
//
// One thread at a time: Produce, Poll and Flush are called by one thread, or by several
// that take turns under a lock of their own (KafkaSink), and the callbacks run on the
// caller, inside Poll and Flush (and inside Produce for a record refused at once).
namespace ecomm::kafka {

// One header of a record to produce, e.g. {"lsn", "42"}.
struct Header {
  std::string_view name;
  std::string_view value;
};

// What became of one produced record.
struct Delivery {
  uint64_t tag = 0;                                        // Produce's
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // NO_ERROR: delivered
  // Where the broker stored it; the offset is RD_KAFKA_OFFSET_INVALID unless delivered.
  int32_t partition = RD_KAFKA_PARTITION_UA;
  int64_t offset = RD_KAFKA_OFFSET_INVALID;
  // Microseconds from Produce to this report (librdkafka's), or -1 when unknown.
  int64_t latency_us = -1;
};

class Producer {
 public:
  // Once per produced record: delivered, or the error librdkafka gave up with.
  using OnDelivery = std::function<void(const Delivery& delivery)>;
  // When Kafka becomes unreachable (every broker down, or a fatal error) or
  // reachable again (a record was delivered).
  using OnReachability = std::function<void(bool reachable, const std::string& why)>;

  // kInvalidArgument when librdkafka refuses `config`.
  static Result<std::unique_ptr<Producer>> Create(KafkaConfig config, std::string topic,
                                                  OnDelivery on_delivery,
                                                  OnReachability on_reachability);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record for `partition` (nothing: the partitioner's choice by key);
  // key, value and headers are copied. False when librdkafka's queue is full: Poll
  // and try again. Any other refusal is reported as the record's delivery.
  bool Produce(uint64_t tag, std::optional<int32_t> partition, std::string_view key,
               std::string_view value, std::span<const Header> headers = {});
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
  Producer(std::string topic, OnDelivery on_delivery, OnReachability on_reachability);

  static void DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
  static void Error(rd_kafka_t* kafka, int error, const char* reason, void* opaque);

  const std::string topic_;
  OnDelivery on_delivery_;
  OnReachability on_reachability_;
  Client kafka_;
  bool reachable_ = true;  // as last reported
  bool fatal_ = false;
};

}  // namespace ecomm::kafka
