#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "ecomm/result.h"
#include "kafka/kafka_config.h"

namespace ecomm::replication {

// --failover auto (SPEC "Promotion"): the replicas are members of one Kafka consumer
// group on a one-partition lease topic, and the member the group assigns that partition
// holds the lease. Kafka decides who holds it (a member that stops heartbeating loses it
// after the session timeout); the lease only says who should promote itself: what
// counts is still decided by the log topic's epoch records, so two members that both
// believe they hold it (a stopped one not yet told) cannot both write.
//
// Cooperative-sticky assignment: a member joining never takes the partition from a
// live holder. One thread of its own polls the group (heartbeats, rebalances).
class Lease {
 public:
  struct Options {
    std::string topic = "ecomm.lease";
    std::string group = "ecomm-failover";
    std::chrono::milliseconds session_timeout{6000};
    std::string member_name;  // client.id: the replica's URL, for the brokers' logs
    std::function<void(std::string_view)> log;
  };
  // Joins the group. kInvalidArgument when the lease topic does not have exactly one
  // partition or librdkafka refuses the configuration.
  static Result<std::unique_ptr<Lease>> Join(const kafka::KafkaConfig& config, Options options);
  // Leaves the group at once, so another member takes the lease without waiting for
  // this one's session to time out.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Assigned the lease, and not just back from a pause (a stopped process, a stalled
  // host) long enough that the group may have moved it without telling this member
  // yet: then it is trusted again only after a session timeout of polling without news.
  bool held() const;

 private:
  explicit Lease(Options options) : options_(std::move(options)) {}
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void Log(const std::string& line) const;

  kafka::Client client_;
  const Options options_;
  std::atomic<bool> held_{false};
  std::atomic<int64_t> trusted_from_ns_{0};  // steady clock
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace ecomm::replication
