#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sales_window.h"
#include "stats_board.h"

namespace ecomm::stats {

struct ConsumerOptions {
  std::string brokers;
  std::string kafka_config;  // librdkafka properties file (TLS, SASL); empty: none
  std::string topic = "orders";
  std::string group = "ecomm-stats";
};

// A member of a consumer group on the orders topic, feeding a SalesWindow and
// publishing its answers on a StatsBoard after every batch.
//
// Every assignment rebuilds: the window is emptied and every assigned partition is
// read again from its beginning, so a restarted or rebalanced member holds the whole
// window of exactly the partitions it owns (the eager assignor revokes everything
// before each assignment). Offsets are committed after the records are applied;
// they serve to watch the group's lag, not to resume from.
//
// One thread: Run() polls, and librdkafka calls the rebalance, error and commit
// callbacks from inside that poll.
class OrderConsumer {
 public:
  // Nothing, with `*error`, when the properties file cannot be read or librdkafka
  // refuses the configuration.
  static std::unique_ptr<OrderConsumer> Create(const ConsumerOptions& options, StatsBoard* board,
                                               std::string* error);
  ~OrderConsumer();
  OrderConsumer(const OrderConsumer&) = delete;
  OrderConsumer& operator=(const OrderConsumer&) = delete;

  // Consumes until `stop_requested` answers true (asked between batches, at least
  // every 100 ms), then commits and leaves the group.
  void Run(const std::function<bool()>& stop_requested);

 private:
  OrderConsumer(std::string topic, StatsBoard* board);

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void OnCommit(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t* offsets, void* opaque);

  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke();
  // Forgets everything read: the state of a new assignment (`partitions`).
  void Reset(std::vector<int32_t> partitions);
  void Handle(const rd_kafka_message_t& message);
  void ReachedEnd(int32_t partition);
  void NoteBrokerError(rd_kafka_resp_err_t err, const char* reason);
  void NoteCommit(rd_kafka_resp_err_t err);
  // Commits the offsets past the records applied, if any were applied since the
  // last commit; `sync` waits for the answer.
  void Commit(bool sync);
  void Publish();

  rd_kafka_t* rk_ = nullptr;
  std::string topic_;
  StatsBoard* board_;

  SalesWindow window_;
  std::vector<int32_t> partitions_;  // assigned, ascending
  std::set<int32_t> at_end_;         // assigned partitions read to their end
  bool caught_up_ = false;
  uint64_t malformed_ = 0;
  std::map<int32_t, int64_t> next_offsets_;  // per partition, past the last record applied
  bool uncommitted_ = false;                 // next_offsets_ moved since the last commit
  std::chrono::steady_clock::time_point assigned_at_;

  // The last error reported, so that a repeated one is logged once.
  rd_kafka_resp_err_t broker_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_resp_err_t commit_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
};

}  // namespace ecomm::stats
