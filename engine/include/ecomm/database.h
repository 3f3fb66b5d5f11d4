#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecomm/engine.h"
#include "ecomm/histogram.h"
#include "ecomm/record.h"
#include "ecomm/result.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/log_options.h"

namespace ecomm {

namespace wal {
class FileSystem;
class Journal;
class WalWriter;
struct ReplayReport;
struct SnapshotInfo;
}  // namespace wal

struct DatabaseOptions {
  std::string data_dir = "./data";
  wal::SyncPolicy sync;  // --fsync
  // An fdatasync of the log that has not returned after this long is a log failure
  // (--fsync-timeout). 0: wait for ever.
  uint32_t sync_timeout_ms = 30'000;
  // Records between snapshots; 0: only on Close. A snapshot costs time in proportion
  // to the whole state, replay about 1 µs a record: a million records bounds the
  // replay after the newest snapshot to about a second without rewriting a large
  // state every few seconds under load.
  uint64_t snapshot_every = 1'000'000;
  wal::RecoveryMode recovery = wal::RecoveryMode::kStrict;  // --recover=truncate
  uint64_t segment_bytes = uint64_t{64} << 20;
  // Zeros the log keeps written ahead of its frames (wal::WalOptions::zeros_ahead_bytes).
  uint64_t log_zeros_ahead_bytes = uint64_t{1} << 20;
  // An account's snapshot payload is split into chunks of at most this many bytes, so
  // that no history, however long, outgrows a chunk's u32 length.
  size_t snapshot_chunk_bytes = size_t{64} << 20;
  // A mutation finding the log's backlog full waits for room instead of failing
  // UNAVAILABLE (wal::WalOptions::wait_for_room): for bulk loaders, never a server.
  bool wait_for_log_room = false;
  const Clock* clock = nullptr;                                  // null: the system clock
  TimeMs idempotency_ttl_ms = limits::kDefaultIdempotencyTtlMs;  // --idempotency-ttl
  wal::FileSystem* fs = nullptr;                                 // null: the real file system
  // One line per event an operator wants (recovery, snapshot, I/O failure).
  std::function<void(std::string_view)> log;
};

struct RecoveryStats {
  Lsn snapshot_lsn = 0;          // 0: no snapshot was loaded
  std::string snapshot_skipped;  // a newest snapshot that failed to verify, and why
  uint64_t records_replayed = 0;
  uint64_t wal_bytes = 0;
  Lsn last_lsn = 0;
  std::string cut;  // torn tail or truncation, if any
  double millis = 0;
  std::optional<std::string> snapshot_annex;  // the loaded snapshot's (SetSnapshotAnnex)
};

struct SnapshotStats {
  Lsn lsn = 0;
  uint64_t bytes = 0;
  double write_millis = 0;
  double pause_micros = 0;  // how long mutations were held at the gate
  uint64_t taken = 0;       // snapshots written since Open
  TimeMs taken_at_ms = 0;   // engine time when the last one finished; 0: none yet
};

// The LSN and annex (Database::SetSnapshotAnnex) of the snapshot file at `path`, read and
// verified whole first: a snapshot fetched from a peer, before it is put in place.
// kCorruption when it does not verify or decode.
struct SnapshotFileAnnex {
  Lsn lsn = 0;
  std::optional<std::string> annex;
};
Result<SnapshotFileAnnex> ReadSnapshotAnnex(wal::FileSystem* fs, const std::string& path);

// Where the log stands, as /healthz tells it. After a write or sync failure the
// engine drops back to exactly the durable state (kReloading: every call answers
// UNAVAILABLE meanwhile), then serves reads from it while writes are refused
// (kReadOnly) until a probe write + sync succeeds; then writes resume by themselves.
enum class LogState : uint8_t { kWritable, kReloading, kReadOnly };
std::string_view LogStateName(LogState state);  // "ok", "reloading", "read-only"

struct LogHealth {
  LogState state = LogState::kWritable;
  std::string detail;    // the failure, while not kWritable
  uint64_t reloads = 0;  // drop-backs to the durable state since Open
  uint64_t resumes = 0;  // returns to kWritable since Open
};

// The engine made durable: a data directory holding the WAL (`wal/`), snapshots
// (`snapshots/`) and readers' cursors (`cursors/`). Open recovers the newest valid
// snapshot plus the log after it; every mutation of engine() is then logged with
// group commit; snapshots are taken every `snapshot_every` records and on Close.
class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(DatabaseOptions options);
  ~Database();  // Close() if not yet closed

  Engine& engine() { return *engine_; }
  const RecoveryStats& recovery() const { return recovery_; }
  SnapshotStats LastSnapshot() const;
  // The log's counters and histograms, for /metrics and /healthz; its writer stays
  // the Database's own.
  wal::WalStats LogStats() const;
  const Histogram& LogSyncLatencyMicros() const;
  const Histogram& LogBatchRecords() const;
  LogHealth Health() const;
  // Cursor files that could not be read at the last look, each with its reason. The
  // log they may need is kept whole; an operator should mend or delete them.
  std::vector<std::string> UnreadableCursors() const;

  // --- Followers (--replication) ---
  // Applies the record the log topic counted at `lsn`: the live path's checks and
  // Apply, with the record appended to this database's own log at `lsn`. kInternal,
  // nothing changed, when `lsn` does not follow this log's last record or the record
  // does not fit the state (the replicas disagree); kUnavailable, nothing changed,
  // while the local log is failed (try the same record again later: once it works it
  // may number on from a lower LSN). One thread calls it; reads may run meanwhile,
  // mutations must not.
  Status ApplyCounted(RecordType type, std::span<const uint8_t> payload, Lsn lsn);

  // A replica that becomes primary sends its mutations through `journal` (the
  // replication layer's PrimaryJournal, which writes local_journal() too); null: the
  // local log alone again. Waits for the mutations in flight at the gate.
  void UseJournal(wal::Journal* journal);
  wal::Journal* local_journal();

  // A replica's records past `last` did not count (a deposed primary's, a restart's
  // divergent suffix): takes them back, durable or not, the way a log failure drops
  // back (calls answer UNAVAILABLE meanwhile; their tickets fail), removes them from
  // the log and any snapshot past `last`, and returns once the state stands at `last`
  // and the log numbers on from `last` + 1. kUnavailable while a log failure is being
  // handled (ask again later) or when closing; kInvalidArgument past the log's end.
  // Waits for the drop-back until `give_up` says so (kUnavailable then: the cut goes on,
  // and the log takes no records until it is done).
  Status CutBack(Lsn last, const std::function<bool()>& give_up = nullptr);

  // The state's digest and the LSN it stands at (GET /admin/digest): replicas at the
  // same LSN have the same digest. On a follower, ApplyCounted waits meanwhile; on a
  // database taking live mutations the LSN is only the one the walk began at.
  struct DigestAt {
    Lsn lsn = 0;
    uint64_t digest = 0;
  };
  DigestAt Digest() const;

  // What a snapshot stores beside the state for the program embedding the engine: a
  // replica's place in the log topic, so that a peer loading the snapshot knows where to
  // read on. Called with the snapshot's LSN once the image is fixed and durable, before
  // it is written (on the thread writing it, which may wait there); nothing: the
  // snapshot has no annex. Null: none ever.
  using SnapshotAnnex = std::function<std::optional<std::string>(Lsn)>;
  void SetSnapshotAnnex(SnapshotAnnex annex);
  struct AnnexedSnapshot {
    Lsn lsn = 0;
    std::string path;
    std::string annex;
  };
  // The newest snapshot file that carries an annex, if it is past LSN `after` (GET
  // /admin/snapshot). kNotFound when there is none: then one is taken soon, whatever
  // --snapshot-every says, if the log reaches past `after` (else the caller asks again
  // once it does).
  Result<AnnexedSnapshot> NewestAnnexedSnapshot(Lsn after = 0);
  // Writes a snapshot now (consistent at the LSN it starts at, traffic goes on),
  // then deletes what it made obsolete.
  Status Snapshot();
  // Stops the snapshot thread, writes a final snapshot, flushes and closes the WAL.
  // Call once no mutation is in flight.
  Status Close();

 private:
  explicit Database(DatabaseOptions options);
  Status Recover();
  // The newest snapshot that verifies plus the log after it, up to `until`: what a
  // restart finds. Recovery and the drop-back after a log failure share it.
  Result<std::unique_ptr<Engine>> LoadDurableState(Lsn until, RecoveryStats* stats,
                                                   wal::ReplayReport* report);
  Status RemoveObsolete(Lsn newest_snapshot);
  // Whether the snapshot at `lsn` verifies: known from loading or writing it, else read
  // and checked now (once). snapshot_mu_ held, or during Open.
  bool SnapshotVerifies(const wal::SnapshotInfo& snapshot);
  // The smallest cursor, noting (and logging, when that changes) unreadable cursors.
  Status CheckCursors(std::optional<Lsn>* min_cursor);
  Status RemoveStaleSnapshots();
  void MaintenanceLoop();
  // The log failed: drop back to the durable state, then probe until writes resume
  // (database_failover.cc). On the maintenance thread.
  void RecoverFromLogFailure();
  void DropBackToDurableState();
  // Removes the snapshots past `lsn`: they hold records the log no longer has.
  Status RemoveSnapshotsAfter(Lsn lsn);
  // Waits `delay` unless Close begins meanwhile; false then.
  bool SleepUnlessClosing(std::chrono::milliseconds delay);
  void Log(const std::string& line) const;

  DatabaseOptions options_;
  wal::FileSystem* fs_;
  const wal::DataDir dirs_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<wal::WalWriter> wal_;
  RecoveryStats recovery_;

  std::mutex snapshot_mu_;  // one snapshot at a time
  // A replica's applies and digests, one at a time: a digest stands at one LSN.
  mutable std::mutex follow_mu_;
  // Guarded by snapshot_mu_: what is known of the snapshot files, by LSN.
  std::set<Lsn> verified_snapshots_;
  std::set<Lsn> failed_snapshots_;
  std::mutex annexes_mu_;                        // never held while waiting for anything
  std::map<Lsn, std::string> snapshot_annexes_;  // of the files known to carry one
  SnapshotAnnex snapshot_annex_;                 // guarded by snapshot_mu_
  void NoteSnapshotAnnex(Lsn lsn, std::string annex);
  // Forgets what is known of the snapshot at `lsn`: its file is gone.
  void ForgetSnapshot(Lsn lsn);
  mutable std::mutex stats_mu_;
  SnapshotStats last_snapshot_;
  std::vector<std::string> unreadable_cursors_;  // guarded by stats_mu_

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool closing_ = false;
  bool closed_ = false;
  bool log_failed_ = false;       // set by the log's failure callback, taken by the loop
  bool snapshot_wanted_ = false;  // NewestAnnexedSnapshot found none: take one now
  std::atomic<uint64_t> reloads_{0};
  std::thread maintenance_thread_;  // snapshots, and the way back from a log failure
};

}  // namespace ecomm
