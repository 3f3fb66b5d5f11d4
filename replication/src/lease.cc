#include "lease.h"

#include <algorithm>
#include <cstring>

#include "kafka/topic_metadata.h"

namespace ecomm::replication {

namespace {

constexpr int kMetadataTimeoutMs = 10'000;
constexpr int kPollMs = 100;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Whether `partitions` names partition 0 of `topic`: the lease.
bool HasLease(const rd_kafka_topic_partition_list_t* partitions, const std::string& topic) {
  for (int i = 0; i < partitions->cnt; ++i) {
    if (partitions->elems[i].partition == 0 && topic == partitions->elems[i].topic) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Lease>> Lease::Join(const kafka::KafkaConfig& config, Options options) {
  Result<int32_t> partitions = kafka::PartitionCount(config, options.topic, kMetadataTimeoutMs);
  if (!partitions.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "lease topic " + options.topic + ": " + partitions.status().message());
  }
  if (*partitions != 1) {
    return Status(ErrorCode::kInvalidArgument, "lease topic " + options.topic + " has " +
                                                   std::to_string(*partitions) +
                                                   " partitions; the lease needs exactly one");
  }
  auto lease = std::unique_ptr<Lease>(new Lease(std::move(options)));
  const Options& o = lease->options_;
  kafka::KafkaConfig member = config.Copy();
  const kafka::Setting settings[] = {
      {"group.id", o.group},
      {"client.id", o.member_name.empty() ? "ecomm-replica" : o.member_name},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"session.timeout.ms", std::to_string(o.session_timeout.count())},
      {"heartbeat.interval.ms",
       std::to_string(std::max<int64_t>(100, o.session_timeout.count() / 6))},
      {"enable.auto.commit", "false"},
      {"log.connection.close", "false"},
  };
  if (Status s = member.Apply(settings); !s.ok()) return s;
  rd_kafka_conf_set_opaque(member.get(), lease.get());
  rd_kafka_conf_set_rebalance_cb(member.get(), &Lease::OnRebalance);
  Result<kafka::Client> client = kafka::NewClient(RD_KAFKA_CONSUMER, std::move(member));
  if (!client.ok()) return client.status();
  lease->client_ = std::move(client).value();
  rd_kafka_poll_set_consumer(lease->client_.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, o.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(lease->client_.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kInvalidArgument,
                  "cannot join the lease group on " + o.topic + ": " + rd_kafka_err2str(err));
  }
  Lease* raw = lease.get();
  lease->poller_ = std::thread([raw] {
    const int64_t session_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(raw->options_.session_timeout).count();
    int64_t last = NowNs();
    while (!raw->stopping_.load(std::memory_order_acquire)) {
      int64_t now = NowNs();
      if (now - last > session_ns / 2) {
        raw->trusted_from_ns_.store(now + session_ns, std::memory_order_release);
        raw->Log("the failover group was not polled for " +
                 std::to_string((now - last) / 1'000'000) +
                 " ms: the lease is not trusted until the group has had a session to say");
      }
      // Nothing is ever written to the lease topic: polling serves the group alone.
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(raw->client_.get(), kPollMs)) {
        rd_kafka_message_destroy(m);
      }
      last = NowNs();
    }
  });
  lease->Log("joined the failover group " + o.group + " on " + o.topic);
  return lease;
}

Lease::~Lease() {
  stopping_.store(true, std::memory_order_release);
  if (poller_.joinable()) poller_.join();
  if (client_) {
    held_.store(false, std::memory_order_release);
    rd_kafka_consumer_close(client_.get());
  }
}

bool Lease::held() const {
  return held_.load(std::memory_order_acquire) &&
         NowNs() >= trusted_from_ns_.load(std::memory_order_acquire);
}

void Lease::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Lease*>(opaque)->Rebalance(err, partitions);
}

void Lease::Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = client_.get();
  const bool lease = HasLease(partitions, options_.topic);
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  rd_kafka_error_t* error = nullptr;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      error = rd_kafka_incremental_assign(rk, partitions);
    } else {
      rd_kafka_assign(rk, partitions);
    }
    if (lease && error == nullptr) {
      held_.store(true, std::memory_order_release);
      Log("holds the failover lease");
    }
  } else {
    // Revoked, or lost (the session timed out while this member was away).
    if (lease && held_.exchange(false, std::memory_order_acq_rel)) {
      Log(std::string("lost the failover lease") +
          (rd_kafka_assignment_lost(rk) ? " (the group moved on without this member)" : ""));
    }
    if (cooperative) {
      error = rd_kafka_incremental_unassign(rk, partitions);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }
  if (error != nullptr) {
    Log(std::string("failover group rebalance: ") + rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

void Lease::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

}  // namespace ecomm::replication
