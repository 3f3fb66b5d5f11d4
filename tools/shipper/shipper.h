#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ecomm/database.h"
#include "ecomm/replica.h"
#include "ecomm/wal/wal_tailer.h"
#include "kafka/kafka_config.h"
#include "kafka/producer.h"

// The sidecar that makes the WAL an outbox: it follows the log of a data directory
// read-only, turns each SUCCESS order and each cancel into an event, produces it to
// Kafka, and moves its cursor (<data-dir>/cursors/shipper) only over LSNs whose
// events were all delivered, in LSN order. The server keeps every segment at or
// after the cursor, so whatever Kafka's state, nothing is skipped: a restart
// resumes at the cursor (events after it may be shipped twice: at-least-once).
//
// On a replica's data directory (--replication kafka) it ships counted records only
// (SPEC "The data platform"): those up to the replica's kept place, the cursor
// `cursors/replication`, which never passes a record that did not count. Records read
// past it wait; should the replica cut them back (they did not count), the log
// changes under the tailer, and the shipper reads again from its last shipped record.
namespace ecomm::shipper {

struct ShipperOptions {
  std::string data_dir = "./data";
  std::string brokers;
  std::string kafka_config;  // librdkafka properties file (TLS, SASL); empty: none
  std::string topic = "orders";
  std::chrono::milliseconds cursor_interval{200};  // at most this stale after a crash
};

// What /metrics shows; written by the shipping thread, read by the metrics thread.
struct ShipperStats {
  std::atomic<uint64_t> cursor_lsn{0};  // shipped up to here, durably
  std::atomic<uint64_t> read_lsn{0};    // the newest record read from the log
  std::atomic<uint64_t> events{0};      // events delivered since start
  std::atomic<uint64_t> delivery_errors{0};
  std::atomic<int64_t> oldest_pending_ms{0};  // occurredAt of the oldest undelivered; 0: none
  std::atomic<bool> kafka_reachable{true};
};

class Shipper {
 public:
  Shipper(ShipperOptions options, ShipperStats* stats);
  ~Shipper();

  // Ships until `stop` is set, then flushes what is in flight (up to `grace`) and saves
  // the cursor. Returns a failure only for what must not be shipped past: a corrupt
  // record, a log that no longer holds the cursor's next record, a cursor write error.
  Status Run(const std::atomic<bool>& stop, std::chrono::milliseconds grace);

 private:
  // Loads the replica and positions the tailer at the cursor; with no cursor (or
  // `fresh`), at the oldest record the log holds, and writes the cursor there.
  Status Open(bool fresh);
  // The producer's configuration: the operator's, then the outbox's needs.
  Status ConfigureKafka();
  Status StartProducer();
  Status Ship(const wal::TailedRecord& record);
  // The replica's counted bound (its `cursors/replication`), or none: not a replica's.
  Result<std::optional<Lsn>> CountedBound() const;
  void Delivered(Lsn lsn, rd_kafka_resp_err_t error);
  // The LSN every event up to which is delivered.
  Lsn Shipped() const;
  Status SaveCursor(bool force);
  void Log(const std::string& line) const;

  const ShipperOptions options_;
  ShipperStats* const stats_;
  std::string cursor_dir_;

  // The state up to its applied LSN, so that a cancel can name its order's lines.
  Replica replica_;
  Lsn start_after_ = 0;  // events for records after this; those up to it were shipped
  std::unique_ptr<wal::WalTailer> tailer_;
  std::optional<kafka::KafkaConfig> kafka_config_;  // each producer gets a copy
  std::unique_ptr<kafka::Producer> producer_;

  // LSN -> occurredAt of each event produced and not yet delivered, lowest first.
  std::map<Lsn, TimeMs> pending_;
  Lsn read_lsn_ = 0;                       // the last record taken from the log
  Lsn saved_cursor_ = 0;                   // what the cursor file says
  std::optional<Lsn> fresh_cursor_;        // the cursor this shipper wrote, having found none
  bool restart_ = false;                   // a delivery failed for good: ship again from the cursor
  std::chrono::seconds restart_pause_{1};  // doubles per restart without a delivery
  std::chrono::steady_clock::time_point saved_at_{};
  std::deque<wal::TailedRecord> held_;  // read, not yet counted: shipped once they are
  bool follows_replica_ = false;        // a counted bound has been seen
  int rereads_ = 0;                     // tailer restarts since the last record shipped
};

}  // namespace ecomm::shipper
