#include "kafka_producer.h"

#include <utility>

namespace ecomm::shipper {

KafkaProducer::KafkaProducer(std::string brokers, std::string topic, OnDelivery on_delivery,
                             OnReachability on_reachability)
    : brokers_(std::move(brokers)),
      topic_(std::move(topic)),
      on_delivery_(std::move(on_delivery)),
      on_reachability_(std::move(on_reachability)) {}

KafkaProducer::~KafkaProducer() {
  if (kafka_ != nullptr) rd_kafka_destroy(kafka_);
}

bool KafkaProducer::Start(std::string* error) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::pair<const char*, const char*> settings[] = {
      {"bootstrap.servers", brokers_.c_str()},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      // 0: never time a record out. Kafka being down delays shipping; it never
      // drops a record, and the cursor never passes one that was not delivered.
      {"message.timeout.ms", "0"},
      {"linger.ms", "5"},
      {"queue.buffering.max.messages", "100000"},
      {"reconnect.backoff.max.ms", "2000"},
  };
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      *error = std::string(name) + ": " + why;
      return false;
    }
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::DeliveryReport);
  rd_kafka_conf_set_error_cb(conf, &KafkaProducer::Error);
  kafka_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);  // owns conf on success
  if (kafka_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    *error = why;
    return false;
  }
  return true;
}

bool KafkaProducer::Produce(Lsn lsn, std::string_view key, std::string_view value) {
  std::string lsn_text = std::to_string(lsn);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      kafka_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_HEADER("lsn", lsn_text.data(), static_cast<ssize_t>(lsn_text.size())),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(lsn))), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) on_delivery_(lsn, err);
  return true;
}

void KafkaProducer::Poll(int timeout_ms) { rd_kafka_poll(kafka_, timeout_ms); }

void KafkaProducer::Flush(int timeout_ms) { rd_kafka_flush(kafka_, timeout_ms); }

int KafkaProducer::Outstanding() const { return rd_kafka_outq_len(kafka_); }

void KafkaProducer::DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && !self->reachable_) {
    self->reachable_ = true;
    self->on_reachability_(true, "a record was delivered");
  }
  self->on_delivery_(static_cast<Lsn>(reinterpret_cast<uintptr_t>(message->_private)),
                     message->err);
}

void KafkaProducer::Error(rd_kafka_t* kafka, int error, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
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

}  // namespace ecomm::shipper
