#include "kafka_sink.h"

#include <chrono>
#include <utility>

namespace ecomm::replication {

namespace {

const kafka::Setting kProducerSettings[] = {
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"compression.type", "lz4"},
    // Not 0: with nothing to linger for, librdkafka's broker thread spins in poll()
    // while its in-flight requests are full (60 % of a core at 4.4k orders/s, a third
    // of the rate reached without the spin; bench/RESULTS.md). 1 ms costs a message
    // at most that.
    {"linger.ms", "1"},
    {"reconnect.backoff.max.ms", "1000"},
};
// A Send finding librdkafka's queue full polls this long before dropping the message
// (it is sent again once the read back misses it).
constexpr int kQueueFullWaitMs = 50;
// How often the poller serves delivery reports while messages are in flight: about
// the most a produce latency is overstated by (half of it on average). While none
// are, it still serves errors and reachability changes this often.
constexpr std::chrono::milliseconds kPollEvery{2};
constexpr std::chrono::milliseconds kIdlePollEvery{100};

}  // namespace

Result<std::unique_ptr<KafkaSink>> KafkaSink::Create(const kafka::KafkaConfig& config,
                                                     std::string topic,
                                                     std::function<void(std::string_view)> log,
                                                     Histogram* produce_latency_us) {
  std::unique_ptr<KafkaSink> sink(
      new KafkaSink(config, std::move(topic), std::move(log), produce_latency_us));
  if (Status s = sink->config_.Apply(kProducerSettings); !s.ok()) return s;
  {
    std::lock_guard lock(sink->mu_);
    if (!sink->Connect()) return Status(ErrorCode::kInvalidArgument, "cannot create a producer");
  }
  sink->poller_ = std::thread([raw = sink.get()] { raw->PollLoop(); });
  return sink;
}

KafkaSink::KafkaSink(const kafka::KafkaConfig& config, std::string topic,
                     std::function<void(std::string_view)> log, Histogram* produce_latency_us)
    : config_(config.Copy()),
      topic_(std::move(topic)),
      log_(std::move(log)),
      produce_latency_us_(produce_latency_us) {}

KafkaSink::~KafkaSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_cv_.notify_one();
  if (poller_.joinable()) poller_.join();
  std::lock_guard lock(mu_);
  if (producer_) producer_->Flush(1000);
}

void KafkaSink::PollLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (producer_) producer_->Poll(0);
    idle_ = !producer_ || producer_->Outstanding() == 0;
    wake_cv_.wait_for(lock, idle_ ? kIdlePollEvery : kPollEvery,
                      [&] { return stopping_ || (idle_ && sent_while_idle_); });
    sent_while_idle_ = false;
  }
}

bool KafkaSink::Connect() {
  auto producer = kafka::Producer::Create(
      config_.Copy(), topic_,
      [this](const kafka::Delivery& d) {
        if (d.error == RD_KAFKA_RESP_ERR_NO_ERROR && d.latency_us >= 0) {
          produce_latency_us_->Record(static_cast<uint64_t>(d.latency_us));
        }
        if (d.error != RD_KAFKA_RESP_ERR_NO_ERROR && log_) {
          log_("log topic: a message was not delivered (" + std::string(rd_kafka_err2str(d.error)) +
               "); it is sent again once the read back misses it");
        }
      },
      [this](bool reachable, const std::string& why) {
        if (log_)
          log_(std::string("log topic ") + (reachable ? "reachable: " : "unreachable: ") + why);
      });
  if (!producer.ok()) {
    if (log_) log_("log topic producer: " + producer.status().message());
    return false;
  }
  producer_ = std::move(producer).value();
  return true;
}

void KafkaSink::Send(std::string message) {
  std::lock_guard lock(mu_);
  if ((!producer_ || producer_->fatal()) && !Connect()) return;
  for (int tries = 0; tries < 2; ++tries) {
    if (producer_->Produce(++sent_, 0, {}, message)) break;
    producer_->Poll(kQueueFullWaitMs);
  }
  producer_->Poll(0);
  if (idle_) {
    sent_while_idle_ = true;  // only an idle poller needs waking; a busy one polls soon
    wake_cv_.notify_one();
  }
}

}  // namespace ecomm::replication
