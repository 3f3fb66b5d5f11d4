#include "kafka/partition_reader.h"

#include <utility>

#include "ecomm/invariant.h"

namespace ecomm::kafka {

namespace {

// How long the error path waits for the watermarks it quotes.
constexpr int kWatermarkTimeoutMs = 2000;

std::string Describe(const PartitionReaderOptions& options) {
  return "topic " + options.topic + " partition " + std::to_string(options.partition);
}

ReadMessage Copy(const rd_kafka_message_t& m) {
  ReadMessage message;
  message.offset = m.offset;
  if (m.key != nullptr) message.key.assign(static_cast<const char*>(m.key), m.key_len);
  if (m.payload != nullptr) message.value.assign(static_cast<const char*>(m.payload), m.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(name, value == nullptr
                                             ? std::string()
                                             : std::string(static_cast<const char*>(value), size));
    }
  }
  return message;
}

}  // namespace

Result<std::unique_ptr<PartitionReader>> PartitionReader::Create(KafkaConfig config,
                                                                 PartitionReaderOptions options) {
  const Setting settings[] = {
      // The caller keeps its position; a group's offsets would be a second truth.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // An offset the topic no longer holds is the caller's to handle (a follower
      // must re-bootstrap), never a silent jump to the oldest or newest record.
      {"auto.offset.reset", "error"},
      // Tells the caller it has caught up.
      {"enable.partition.eof", "true"},
      {"fetch.wait.max.ms", std::to_string(options.fetch_wait_max_ms)},
      // A replica's reader is on every write's path (a primary's read-back): back
      // within a second of the brokers, not librdkafka's default ten.
      {"reconnect.backoff.max.ms", "1000"},
  };
  if (Status s = config.Apply(settings); !s.ok()) return s;
  // rd_kafka_assign needs a consumer group handle, though none is joined here; an
  // operator's own group.id (one their ACLs allow) is kept.
  if (config.Get("group.id").empty()) {
    const Setting group[] = {{"group.id", "ecomm-partition-reader"}};
    if (Status s = config.Apply(group); !s.ok()) return s;
  }
  Result<Client> consumer = NewClient(RD_KAFKA_CONSUMER, std::move(config));
  if (!consumer.ok()) return consumer.status();
  // Errors and end-of-partition events come out of rd_kafka_consumer_poll.
  rd_kafka_poll_set_consumer(consumer->get());
  return std::unique_ptr<PartitionReader>(
      new PartitionReader(std::move(consumer).value(), std::move(options)));
}

PartitionReader::PartitionReader(Client consumer, PartitionReaderOptions options)
    : consumer_(std::move(consumer)), options_(std::move(options)) {}

PartitionReader::~PartitionReader() {
  // Ends the fetcher and leaves the (never joined) group before the handle goes.
  rd_kafka_consumer_close(consumer_.get());
}

Status PartitionReader::Start(int64_t offset) {
  if (offset < 0) {
    return Status::InvalidArgument("offset " + std::to_string(offset) + " of " +
                                   Describe(options_) + " is negative");
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), options_.partition)->offset =
      offset;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument("cannot read " + Describe(options_) + ": " +
                                   rd_kafka_err2str(err));
  }
  started_ = true;
  next_offset_ = offset;
  at_end_ = false;
  pending_failure_ = Status::Ok();
  return Status::Ok();
}

Result<ReadBatch> PartitionReader::Poll(int timeout_ms) {
  ECOMM_INVARIANT(started_, "PartitionReader::Start comes before Poll");
  if (!pending_failure_.ok()) return std::exchange(pending_failure_, Status::Ok());
  ReadBatch batch;
  for (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), timeout_ms); m != nullptr;
       m = batch.messages.size() < options_.max_batch ? rd_kafka_consumer_poll(consumer_.get(), 0)
                                                      : nullptr) {
    rd_kafka_resp_err_t err = m->err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      batch.messages.push_back(Copy(*m));
      next_offset_ = m->offset + 1;
      at_end_ = false;
    } else if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end_ = true;
    } else {
      pending_failure_ = Failure(err, rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
    if (!pending_failure_.ok()) break;
  }
  batch.at_end = at_end_;
  if (batch.messages.empty() && !pending_failure_.ok()) {
    return std::exchange(pending_failure_, Status::Ok());
  }
  return batch;
}

Status PartitionReader::Failure(rd_kafka_resp_err_t error, const std::string& reason) {
  std::string offset = std::to_string(next_offset_);
  switch (error) {
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET: {
      // The broker refused the offset; the watermarks say on which side it lies.
      Result<WatermarkOffsets> marks = Watermarks(kWatermarkTimeoutMs);
      if (!marks.ok()) {
        return Status(ErrorCode::kUnavailable, "offset " + offset + " of " + Describe(options_) +
                                                   " is out of range (" + reason + "), and " +
                                                   marks.status().message());
      }
      if (next_offset_ < marks->low) {
        return Status(ErrorCode::kNotFound, "offset " + offset + " is no longer in topic " +
                                                options_.topic + " (oldest is " +
                                                std::to_string(marks->low) + ")");
      }
      return Status::InvalidArgument("offset " + offset + " is past the end of topic " +
                                     options_.topic + " (next is " + std::to_string(marks->high) +
                                     ")");
    }
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return Status::InvalidArgument("cannot read " + Describe(options_) + ": " + reason);
    default:
      return Status(ErrorCode::kUnavailable,
                    "reading " + Describe(options_) + " at offset " + offset + ": " + reason);
  }
}

Result<WatermarkOffsets> PartitionReader::Watermarks(int timeout_ms) {
  WatermarkOffsets marks;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(consumer_.get(), options_.topic.c_str(), options_.partition,
                                       &marks.low, &marks.high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kUnavailable, "cannot read the offsets of " + Describe(options_) +
                                               ": " + rd_kafka_err2str(err));
  }
  return marks;
}

std::optional<int64_t> PartitionReader::LastFetchedHigh() const {
  int64_t low = 0;
  int64_t high = 0;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), options_.topic.c_str(), options_.partition,
                                     &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return high;
}

}  // namespace ecomm::kafka
