#include "order_consumer.h"

#include <algorithm>
#include <utility>

#include "kafka/kafka_config.h"
#include "order_event.h"
#include "stats_json.h"
#include "stats_log.h"

namespace ecomm::stats {

namespace {

// Records handled before the answers are published and the offsets committed: small
// enough that /top follows a rebuild closely, large enough that a rebuild of millions
// of records is not one commit per record.
constexpr int kMaxBatch = 1000;
constexpr int kTopSize = 5;  // SPEC "Top products"

std::string PartitionList(const std::vector<int32_t>& partitions) {
  std::string text = "[";
  for (int32_t p : partitions) text += (text.size() > 1 ? "," : "") + std::to_string(p);
  return text + "]";
}

}  // namespace

std::unique_ptr<OrderConsumer> OrderConsumer::Create(const ConsumerOptions& options,
                                                     StatsBoard* board, std::string* error) {
  auto consumer = std::unique_ptr<OrderConsumer>(new OrderConsumer(options.topic, board));
  const kafka::Setting settings[] = {
      {"group.id", options.group},
      {"client.id", "ecomm-stats"},
      // Offsets are committed by hand, only past records already applied.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // End-of-partition events tell when a rebuild has caught up.
      {"enable.partition.eof", "true"},
      // Eager: every rebalance revokes the whole assignment first, which is what lets
      // each assignment rebuild the window from nothing.
      {"partition.assignment.strategy", "roundrobin"},
      // A member that dies without leaving holds its partitions this long (default 45 s).
      {"session.timeout.ms", "10000"},
      // Brokers close idle connections; that is not worth a log line.
      {"log.connection.close", "false"},
  };
  auto config = kafka::KafkaConfig::Build(options.brokers, options.kafka_config, settings);
  if (!config.ok()) {
    *error = config.status().message();
    return nullptr;
  }
  rd_kafka_conf_set_opaque(config->get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(config->get(), &OrderConsumer::OnRebalance);
  rd_kafka_conf_set_error_cb(config->get(), &OrderConsumer::OnError);
  // librdkafka's own log repeats each error the error callback reports (and logs every
  // reconnection attempt): the callback's deduplicated lines are enough.
  rd_kafka_conf_set_log_cb(config->get(), nullptr);
  rd_kafka_conf_set_offset_commit_cb(config->get(), &OrderConsumer::OnCommit);
  auto client = kafka::NewClient(RD_KAFKA_CONSUMER, std::move(config).value());
  if (!client.ok()) {
    *error = client.status().message();
    return nullptr;
  }
  consumer->rk_ = std::move(client).value().release();  // destroyed by ~OrderConsumer
  // Error and commit callbacks are served by rd_kafka_consumer_poll from here on.
  rd_kafka_poll_set_consumer(consumer->rk_);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer->rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("cannot subscribe to ") + options.topic + ": " + rd_kafka_err2str(err);
    return nullptr;
  }
  Log("joining group %s on topic %s at %s", options.group.c_str(), options.topic.c_str(),
      options.brokers.c_str());
  return consumer;
}

OrderConsumer::OrderConsumer(std::string topic, StatsBoard* board)
    : topic_(std::move(topic)), board_(board) {
  Publish();
}

OrderConsumer::~OrderConsumer() {
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

void OrderConsumer::Run(const std::function<bool()>& stop_requested) {
  while (!stop_requested()) {
    int handled = 0;
    for (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100); m != nullptr;
         m = handled < kMaxBatch ? rd_kafka_consumer_poll(rk_, 0) : nullptr) {
      Handle(*m);
      rd_kafka_message_destroy(m);
      ++handled;
    }
    if (handled > 0) {
      Commit(/*sync=*/false);
      Publish();
    }
  }
  Commit(/*sync=*/true);
  // Leaves the group at once (the rebalance callback sees the revocation), so the
  // others take over these partitions without waiting for the session to time out.
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Log("closing the consumer: %s", rd_kafka_err2str(err));
  } else {
    Log("consumer closed, left the group");
  }
}

void OrderConsumer::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<OrderConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(partitions);
  } else {
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      Log("rebalance failed: %s", rd_kafka_err2str(err));
    }
    self->Revoke();
  }
}

void OrderConsumer::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<OrderConsumer*>(opaque)->NoteBrokerError(static_cast<rd_kafka_resp_err_t>(err),
                                                       reason);
}

void OrderConsumer::OnCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                             void* opaque) {
  static_cast<OrderConsumer*>(opaque)->NoteCommit(err);
}

void OrderConsumer::Assign(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<int32_t> ids;
  for (int i = 0; i < partitions->cnt; ++i) {
    // Where to start is ours to say here: always the beginning (see the class comment).
    partitions->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    ids.push_back(partitions->elems[i].partition);
  }
  std::sort(ids.begin(), ids.end());
  Reset(std::move(ids));
  rd_kafka_resp_err_t err = rd_kafka_assign(rk_, partitions);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Log("cannot take partitions %s: %s", PartitionList(partitions_).c_str(), rd_kafka_err2str(err));
  } else if (partitions_.empty()) {
    Log("assigned no partitions of %s (more members than partitions)", topic_.c_str());
  } else {
    Log("assigned partitions %s of %s: rebuilding from their beginning",
        PartitionList(partitions_).c_str(), topic_.c_str());
  }
  Publish();
}

void OrderConsumer::Revoke() {
  // Offsets of lost partitions belong to their new owner: committing them would fail.
  if (!rd_kafka_assignment_lost(rk_)) Commit(/*sync=*/true);
  if (!partitions_.empty()) Log("partitions %s revoked", PartitionList(partitions_).c_str());
  rd_kafka_assign(rk_, nullptr);
  Reset({});
  Publish();
}

void OrderConsumer::Reset(std::vector<int32_t> partitions) {
  window_ = SalesWindow();
  partitions_ = std::move(partitions);
  at_end_.clear();
  caught_up_ = partitions_.empty();
  malformed_ = 0;
  next_offsets_.clear();
  uncommitted_ = false;
  assigned_at_ = std::chrono::steady_clock::now();
}

void OrderConsumer::Handle(const rd_kafka_message_t& message) {
  if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    ReachedEnd(message.partition);
    return;
  }
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    NoteBrokerError(message.err, rd_kafka_message_errstr(&message));
    return;
  }
  if (broker_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Log("receiving records again");
    broker_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  std::string_view value = "";  // a null value (a tombstone) is not an event either
  if (message.payload != nullptr) value = {static_cast<const char*>(message.payload), message.len};
  std::string error;
  if (std::optional<OrderEvent> event = DecodeOrderEvent(value, &error)) {
    window_.Apply(*event);
  } else if (malformed_++ == 0) {
    // The first of an assignment, with where to find it; /healthz counts the rest.
    Log("skipping records that are not order events, the first at partition %d offset %lld: %s",
        static_cast<int>(message.partition), static_cast<long long>(message.offset), error.c_str());
  }
  next_offsets_[message.partition] = message.offset + 1;
  uncommitted_ = true;
}

void OrderConsumer::ReachedEnd(int32_t partition) {
  at_end_.insert(partition);
  if (caught_up_ || at_end_.size() < partitions_.size()) return;
  caught_up_ = true;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  assigned_at_)
                .count();
  const SalesWindow::Counts& counts = window_.counts();
  std::string clock = window_.clock() ? FormatTime(*window_.clock()) : "none";
  Log("caught up on partitions %s in %lld ms: %llu events applied, %llu duplicates, "
      "%llu before the window, %llu malformed; clock %s, %zu orders in the window",
      PartitionList(partitions_).c_str(), static_cast<long long>(ms),
      static_cast<unsigned long long>(counts.applied),
      static_cast<unsigned long long>(counts.duplicate),
      static_cast<unsigned long long>(counts.expired), static_cast<unsigned long long>(malformed_),
      clock.c_str(), window_.tracked_orders());
}

void OrderConsumer::NoteBrokerError(rd_kafka_resp_err_t err, const char* reason) {
  if (err == broker_error_) return;
  broker_error_ = err;
  Log("kafka: %s", reason);
}

void OrderConsumer::NoteCommit(rd_kafka_resp_err_t err) {
  // NO_OFFSET: nothing to commit, which is not a failure.
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    if (commit_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) Log("offset commits succeed again");
    commit_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    return;
  }
  // The next commit carries these offsets again (it sends every partition's).
  uncommitted_ = !next_offsets_.empty();
  if (err == commit_error_) return;
  commit_error_ = err;
  Log("offset commit failed: %s", rd_kafka_err2str(err));
}

void OrderConsumer::Commit(bool sync) {
  if (!uncommitted_) return;
  rd_kafka_topic_partition_list_t* offsets =
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets_.size()));
  for (const auto& [partition, offset] : next_offsets_) {
    rd_kafka_topic_partition_list_add(offsets, topic_.c_str(), partition)->offset = offset;
  }
  uncommitted_ = false;
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, offsets, sync ? 0 : 1);
  rd_kafka_topic_partition_list_destroy(offsets);
  // An asynchronous commit's outcome comes to OnCommit; this is a refusal to send it.
  if (sync || err != RD_KAFKA_RESP_ERR_NO_ERROR) NoteCommit(err);
}

void OrderConsumer::Publish() {
  Health health{partitions_,      caught_up_, window_.clock(),
                window_.counts(), malformed_, window_.tracked_orders()};
  board_->Publish(StatsBoard::Answers{TopJson(window_.Top(kTopSize)), HealthJson(health)});
}

}  // namespace ecomm::stats
