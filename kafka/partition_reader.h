#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecomm/result.h"
#include "kafka/kafka_config.h"

// Reads one partition of a topic from an offset of the caller's choosing, outside any
// consumer group: a log (a replication topic of one partition) whose reader keeps its
// own position. Nothing is committed, nobody else is assigned the partition, and an
// offset the topic no longer holds is an error, never a silent jump to another one.
//
// One thread calls every method.
namespace ecomm::kafka {

struct PartitionReaderOptions {
  std::string topic;
  int32_t partition = 0;
  // How long a broker holds a fetch that finds nothing new. librdkafka's default
  // (500 ms) is a reader's latency on librdkafka's mock cluster, which answers an
  // empty fetch only when this runs out (it does not wake on new records).
  int fetch_wait_max_ms = 10;
  // Records one Poll returns at most.
  size_t max_batch = 1000;
};

// One record read.
struct ReadMessage {
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;  // in the record's order
};

struct ReadBatch {
  std::vector<ReadMessage> messages;  // consecutive offsets, ascending
  // The reader has read everything the partition held when it last looked: the end
  // of the partition came after the last record read (so far). False again once a
  // newer record arrives.
  bool at_end = false;
};

// The offsets a partition holds: [low, high). high is the offset its next record
// will get; low == high when it holds none.
struct WatermarkOffsets {
  int64_t low = 0;
  int64_t high = 0;
};

class PartitionReader {
 public:
  // A reader configured by `config` (brokers, the operator's properties), with its own
  // needs on top: no commits, no offset reset, end-of-partition events. A group.id
  // the configuration lacks is a throwaway one (librdkafka's assign needs one; no
  // group is joined). kInvalidArgument when librdkafka refuses the configuration.
  static Result<std::unique_ptr<PartitionReader>> Create(KafkaConfig config,
                                                         PartitionReaderOptions options);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Reads from `offset` (0 or more) on; may be called again to move. kInvalidArgument
  // for a negative offset or a refused assignment.
  Status Start(int64_t offset);

  // Waits up to `timeout_ms` for records, then takes whatever else is ready, up to
  // options.max_batch. Failures, each leaving the reader as it was unless said:
  //   kNotFound: the next offset is below the partition's low watermark (deleted by
  //     retention): "offset N is no longer in topic T (oldest is M)"; the reader
  //     stops until Start moves it.
  //   kInvalidArgument: the next offset is past the partition's end (stopped
  //     likewise), or the topic or partition does not exist (librdkafka keeps looking).
  //   kUnavailable: anything else librdkafka reports about the partition (it retries
  //     by itself): Poll again.
  // Records read before a failure in the same call are returned first; the failure
  // comes with the next call.
  Result<ReadBatch> Poll(int timeout_ms);

  // The partition's offsets as the broker holds them now. kUnavailable when it does
  // not answer within `timeout_ms`.
  Result<WatermarkOffsets> Watermarks(int timeout_ms);

  // The partition's high watermark as the last fetch response gave it, without asking
  // the broker (Watermarks waits for a round trip); nothing before the first one.
  std::optional<int64_t> LastFetchedHigh() const;

  // The offset of the next record to read.
  int64_t next_offset() const { return next_offset_; }

 private:
  PartitionReader(Client consumer, PartitionReaderOptions options);

  // The Status for an error event of librdkafka's at the next offset.
  Status Failure(rd_kafka_resp_err_t error, const std::string& reason);

  Client consumer_;
  const PartitionReaderOptions options_;
  int64_t next_offset_ = 0;
  bool started_ = false;
  bool at_end_ = false;
  Status pending_failure_;  // found after records a Poll returned
};

}  // namespace ecomm::kafka
