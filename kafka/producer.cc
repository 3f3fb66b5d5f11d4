#include "kafka/producer.h"

#include <utility>

namespace ecomm::kafka {

// The tag travels as the record's opaque pointer.
static_assert(sizeof(void*) >= sizeof(uint64_t), "a tag must fit in a pointer");

Result<std::unique_ptr<Producer>> Producer::Create(KafkaConfig config, std::string topic,
                                                   OnDelivery on_delivery,
                                                   OnReachability on_reachability) {
  auto producer = std::unique_ptr<Producer>(
      new Producer(std::move(topic), std::move(on_delivery), std::move(on_reachability)));
  rd_kafka_conf_set_opaque(config.get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(config.get(), &Producer::DeliveryReport);
  rd_kafka_conf_set_error_cb(config.get(), &Producer::Error);
  Result<Client> client = NewClient(RD_KAFKA_PRODUCER, std::move(config));
  if (!client.ok()) return client.status();
  producer->kafka_ = std::move(client).value();
  return producer;
}

Producer::Producer(std::string topic, OnDelivery on_delivery, OnReachability on_reachability)
    : topic_(std::move(topic)),
      on_delivery_(std::move(on_delivery)),
      on_reachability_(std::move(on_reachability)) {}

Producer::~Producer() = default;

bool Producer::Produce(uint64_t tag, std::optional<int32_t> partition, std::string_view key,
                       std::string_view value, std::span<const Header> headers) {
  rd_kafka_headers_t* record_headers = nullptr;
  if (!headers.empty()) {
    record_headers = rd_kafka_headers_new(headers.size());
    for (const Header& h : headers) {
      rd_kafka_header_add(record_headers, h.name.data(), static_cast<ssize_t>(h.name.size()),
                          h.value.data(), static_cast<ssize_t>(h.value.size()));
    }
  }
  int32_t to = partition.value_or(RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      kafka_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(to),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_HEADERS(record_headers),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(tag))), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;  // librdkafka owns the headers now
  if (record_headers != nullptr) rd_kafka_headers_destroy(record_headers);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  on_delivery_(Delivery{tag, err, to, RD_KAFKA_OFFSET_INVALID});
  return true;
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(kafka_.get(), timeout_ms); }

void Producer::Flush(int timeout_ms) { rd_kafka_flush(kafka_.get(), timeout_ms); }

int Producer::Outstanding() const { return rd_kafka_outq_len(kafka_.get()); }

void Producer::DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  bool delivered = message->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (delivered && !self->reachable_) {
    self->reachable_ = true;
    self->on_reachability_(true, "a record was delivered");
  }
  self->on_delivery_(Delivery{static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message->_private)),
                              message->err, message->partition,
                              delivered ? message->offset : RD_KAFKA_OFFSET_INVALID,
                              rd_kafka_message_latency(message)});
}

void Producer::Error(rd_kafka_t* kafka, int error, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char why[512];
    rd_kafka_fatal_error(kafka, why, sizeof why);
    self->fatal_ = true;
    self->on_reachability_(false, std::string("fatal producer error: ") + why);
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && self->reachable_) {
    self->reachable_ = false;
    self->on_reachability_(false, reason);
  }
}

}  // namespace ecomm::kafka
