#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecomm/database.h"
#include "ecomm/histogram.h"
#include "ecomm/replication/log_follower.h"
#include "ecomm/replication/primary_journal.h"
#include "ecomm/result.h"
#include "ecomm/wal/file.h"

namespace ecomm::kafka {
class KafkaConfig;
class PartitionReader;
struct ReadMessage;
}  // namespace ecomm::kafka

// A server's replica under --replication kafka (SPEC "Replication and failover"): one
// reader thread follows the log topic from where the replica stands and applies every
// counted record to the Database (Database::ApplyCounted: the live path's checks, the
// local log at the counted LSN), keeps its place durable beside the data directory,
// and answers who the primary is, how far behind this replica is, and when an LSN has
// counted here (Ecomm-Min-Lsn).
namespace ecomm::replication {

class Lease;
class SnapshotPlaces;

struct ReplicatorOptions {
  std::string data_dir;           // the database's; the place is kept in <data_dir>/replication/
  wal::FileSystem* fs = nullptr;  // null: the real one
  std::string brokers;            // --brokers
  std::string kafka_config;       // --kafka-config: librdkafka properties (TLS, SASL)
  std::string log_topic = "ecomm.log";
  std::string advertise_url;
  // How long a broker holds a fetch that finds nothing (the mock answers only then).
  int fetch_wait_ms = 10;
  // --replication-timeout: a primary's mutation not counted by then answers 503, and a
  // promotion whose epoch record has not come back answers 503 (it goes on).
  std::chrono::milliseconds replication_timeout{5000};
  std::function<void(std::string_view)> log;
  // --failover auto: the holder of the lease (a consumer group on `lease_topic`)
  // promotes itself once it has read the topic to its end; a primary that loses it
  // writes no more; a manual promotion answers NOT_PROMOTED.
  bool failover_auto = false;
  std::string lease_topic = "ecomm.lease";
  std::string failover_group = "ecomm-failover";
  std::chrono::milliseconds failover_timeout{6000};  // the group's session timeout
  // Called once, on the reader thread, when the topic no longer holds the next record
  // (retention): the replica follows no more and must bootstrap again (the server
  // restarts itself in place for that).
  std::function<void()> off_retention;
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

// POST /admin/promote's answer.
struct Promoted {
  Epoch epoch = 0;
  Lsn lsn = 0;  // the last LSN counted before this primary's epoch record
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

  Role role() const { return role_.load(std::memory_order_acquire); }
  // Promotion (SPEC "Promotion"): once this replica has read the topic to its end, it
  // appends an epoch record (the highest epoch + 1, a random promotion id, its URL);
  // once that record comes back as counted it takes writes. `done` gets Promoted; or
  // kNotPromoted when another epoch record counted first; or kUnavailable when it cannot
  // tell within the replication timeout (it keeps reading, and becomes primary should
  // its record count later). Called on the reader thread or, when decided, this one.
  void Promote(std::function<void(Result<Promoted>)> done);
  // Stops reading the topic (before the Database closes); the replica answers no more.
  void StopReading();
  ReplicationState State() const;
  // Calls `done(true)` once `lsn` has counted and been applied here, or `done(false)`
  // once `timeout` passed first or the replica stopped following; on the reader thread
  // or, when already decided, on this one.
  void OnCounted(Lsn lsn, std::chrono::milliseconds timeout, std::function<void(bool)> done);

  // As primary, in microseconds (/metrics): each record's time from its append to its
  // read back as counted (when its mutation may be answered), and each message's from
  // its produce to the broker's acknowledgement. The difference is the read back's.
  const Histogram& CountedLatencyMicros() const { return counted_latency_us_; }
  const Histogram& ProduceLatencyMicros() const { return produce_latency_us_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    Clock::time_point deadline;
    std::function<void(bool)> done;
  };

  Replicator(Database& db, ReplicatorOptions options, TopicPlace from, Lsn local_last,
             std::vector<uint64_t> local_records, std::unique_ptr<kafka::PartitionReader> reader,
             std::unique_ptr<kafka::KafkaConfig> config, std::unique_ptr<Lease> lease);
  // Applies a counted record here. A record the local log holds already (from before
  // a start or a rewind) is passed over when it is the same record; the local log is
  // cut back before a counted record whose LSN it holds another record at (a deposed
  // primary's, a divergent restart's, one numbered after a local log failure).
  Status ApplyRecord(const TopicRecord& record);
  bool LocalRecordIs(const TopicRecord& record) const;
  // Takes the local records past `last` back (Database::CutBack), saying why.
  Status CutLocalLog(Lsn last, const std::string& why);
  // False while the local log is not ready for records: after a drop-back (a log
  // failure), a primary retires (it promotes itself again once the topic is read) and
  // the follower reads again from its kept place once the log works (Rewind).
  bool LocalLogReady();
  void Rewind();
  // At the topic's end a follower holds no record that has not counted (the promoter
  // of a topic's first epoch excepted: its log is that epoch's base).
  void TrimUncounted();
  void AddPromotionWaiter(std::function<void(Result<Promoted>)> done);
  void ReadLoop();
  // One message: to the follower, then to the primary's read back.
  Status Consume(const kafka::ReadMessage& message);
  // Sends this replica's epoch record once it has read to the end; decides a
  // promotion whose record counted (or another's did); times out waiting callers.
  void ProgressPromotion(bool at_end);
  void BecomePrimary(const CountedPosition& position);
  // --failover auto: promotes this replica while it holds the lease and has read the
  // topic to its end (at most once a second); retires a primary that lost it.
  void FollowLease(bool at_end);
  // The topic's end from the broker, for the lag (a round trip: not while reading).
  void AskHighWatermark();
  // This primary writes no more (its local log failed, it lost the lease, it stopped
  // following); it reads on as a follower.
  void RetirePrimary();
  // A newer epoch counted while this replica was primary.
  void StepDown();
  // Before the primaries and the sink that record into them, so that they outlive both.
  Histogram counted_latency_us_{Histogram::kCoarse};
  Histogram produce_latency_us_{Histogram::kCoarse};
  // Writes the follower's place once the local log holds it durably.
  void KeepPlace();
  // The kept place is also a reader's cursor of the local log (`cursors/replication`),
  // so that snapshots never let go of the records a restart checks against the topic.
  void KeepCursor();
  void Stop(const Status& why);
  void DecideWaiters();
  void Log(const std::string& line) const;

  Database& db_;
  const ReplicatorOptions options_;
  wal::FileSystem* const fs_;
  // The reader thread's: records up to this LSN were in the local log at start (or at
  // a rewind): counted again, they are passed over instead of applied twice.
  Lsn local_last_;
  // XXH3 of type and payload of those local records, from local_records_from_ (the
  // kept place's next LSN) on; empty when a replica without a kept place could not
  // read them: then they are taken as the topic's.
  std::vector<uint64_t> local_records_;
  Lsn local_records_from_;
  uint64_t reloads_seen_ = 0;      // the Database's drop-backs this thread has handled
  bool rewind_needed_ = false;     // the local log dropped back: read again from kept_
  bool repromote_ = false;         // a primary whose local log failed promotes itself again
  std::optional<Lsn> cut_before_;  // ApplyRecord found other local records from this LSN
  std::unique_ptr<kafka::PartitionReader> reader_;
  LogFollower follower_;

  mutable std::mutex mu_;
  std::multimap<Lsn, Waiter> waiters_;
  std::string stopped_;
  int64_t high_watermark_ = 0;
  Clock::time_point caught_up_at_;
  bool caught_up_ = false;
  TopicPlace kept_;  // the place last written (reader thread, then the destructor)
  // The annex of this replica's snapshots: a peer bootstrapping from one reads on there.
  std::unique_ptr<SnapshotPlaces> places_;
  std::unique_ptr<Lease> lease_;  // --failover auto
  Clock::time_point next_lease_promotion_;

  struct Promotion {
    Uuid id;
    Epoch epoch = 0;  // 0 until its record is sent
    Clock::time_point deadline;
    std::vector<std::function<void(Result<Promoted>)>> waiting;
    std::string message;  // its epoch record, once sent: sent again if lost
    Clock::time_point sent_at;
  };
  std::unique_ptr<kafka::KafkaConfig> config_;
  std::optional<Promotion> promotion_;  // guarded by mu_
  std::unique_ptr<MessageSink> sink_;   // the reader thread's, once promoting
  // After the sink, so that they are gone (their sender threads joined) before it is.
  // Primaries of earlier epochs: kept, since the local log may still answer them.
  std::vector<std::unique_ptr<PrimaryJournal>> retired_;
  std::unique_ptr<PrimaryJournal> primary_;
  std::atomic<Role> role_{Role::kFollower};
  std::atomic<Epoch> primary_epoch_{0};

  std::atomic<bool> stopping_{false};
  std::thread reader_thread_;
};

}  // namespace ecomm::replication
