#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "ecomm/database.h"
#include "ecomm/replication/log_follower.h"
#include "ecomm/result.h"
#include "ecomm/wal/file.h"

namespace ecomm::kafka {
class PartitionReader;
}

// A server's replica under --replication kafka (SPEC "Replication and failover"): one
// reader thread follows the log topic from where the replica stands and applies every
// counted record to the Database (Database::ApplyCounted: the live path's checks, the
// local log at the counted LSN), keeps its place durable beside the data directory,
// and answers who the primary is, how far behind this replica is, and when an LSN has
// counted here (Ecomm-Min-Lsn).
namespace ecomm::replication {

struct ReplicatorOptions {
  std::string data_dir;           // the database's; the place is kept in <data_dir>/replication/
  wal::FileSystem* fs = nullptr;  // null: the real one
  std::string brokers;            // --brokers
  std::string kafka_config;       // --kafka-config: librdkafka properties (TLS, SASL)
  std::string log_topic = "ecomm.log";
  std::string advertise_url;
  // How long a broker holds a fetch that finds nothing (the mock answers only then).
  int fetch_wait_ms = 10;
  std::function<void(std::string_view)> log;
};

enum class Role : uint8_t { kFollower, kPrimary };
std::string_view RoleName(Role role);  // "follower", "primary"

// GET /admin/replication.
struct ReplicationState {
  Role role = Role::kFollower;
  Epoch epoch = 0;
  Lsn applied_lsn = 0;       // counted and applied here
  std::string primary_url;   // empty while unknown
  int64_t lag_messages = 0;  // topic messages not yet read (each a group-commit batch)
  int64_t lag_ms = 0;        // since this replica last had read the whole topic; 0 when it has
  std::string stopped;       // why it follows no more (replicas disagree, retention), or empty
};

class Replicator {
 public:
  // Checks that the log topic has exactly one partition (kInvalidArgument saying why
  // otherwise), finds where this replica stands (its kept place, and its local log),
  // and starts following.
  static Result<std::unique_ptr<Replicator>> Start(Database& db, ReplicatorOptions options);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  Role role() const { return Role::kFollower; }
  ReplicationState State() const;
  // Calls `done(true)` once `lsn` has counted and been applied here, or `done(false)`
  // once `timeout` passed first or the replica stopped following; on the reader thread
  // or, when already decided, on this one.
  void OnCounted(Lsn lsn, std::chrono::milliseconds timeout, std::function<void(bool)> done);

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    Clock::time_point deadline;
    std::function<void(bool)> done;
  };

  Replicator(Database& db, ReplicatorOptions options, TopicPlace from, Lsn local_last,
             std::unique_ptr<kafka::PartitionReader> reader);
  void ReadLoop();
  // Writes the follower's place once the local log holds it durably.
  void KeepPlace();
  void Stop(const Status& why);
  void DecideWaiters();
  void Log(const std::string& line) const;

  Database& db_;
  const ReplicatorOptions options_;
  wal::FileSystem* const fs_;
  // Records up to this LSN were in the local log at start: counted again, they are
  // passed over instead of applied twice.
  const Lsn local_last_;
  std::unique_ptr<kafka::PartitionReader> reader_;
  LogFollower follower_;

  mutable std::mutex mu_;
  std::multimap<Lsn, Waiter> waiters_;
  std::string stopped_;
  int64_t high_watermark_ = 0;
  Clock::time_point caught_up_at_;
  bool caught_up_ = false;
  TopicPlace kept_;  // the place last written (reader thread, then the destructor)

  std::atomic<bool> stopping_{false};
  std::thread reader_thread_;
};

}  // namespace ecomm::replication
