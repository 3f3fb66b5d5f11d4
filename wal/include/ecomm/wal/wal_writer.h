#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecomm/histogram.h"
#include "ecomm/result.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/journal.h"
#include "ecomm/wal/log_options.h"

namespace ecomm::wal {

struct WalOptions {
  SyncPolicy sync;
  uint64_t segment_bytes = uint64_t{64} << 20;  // roll to a new segment past this size
  // Zeros kept written ahead of the frames of the open segment (topped up once less
  // than half is left): a batch then overwrites blocks that exist, and its fdatasync
  // has no file size to make durable (bench/RESULTS.md, "Pre-zeroed log segments").
  // 0: none.
  uint64_t zeros_ahead_bytes = uint64_t{1} << 20;
  // The backlog: bytes appended that the writer thread has not taken yet. It fills
  // while a write or sync is slow; once it holds this much, Append refuses
  // (kBacklogFull) so that memory stays bounded and no appender waits on the disk.
  uint64_t max_pending_bytes = uint64_t{64} << 20;
  // Append waits for room instead of refusing: for a bulk loader that holds no lock a
  // request needs and would rather be slowed down than retry. Never for a server.
  bool wait_for_room = false;
  // An fdatasync that has not returned after this long is a failure: a stuck disk
  // would otherwise hold every commit for as long as it hangs. 0: wait for ever.
  uint32_t sync_timeout_ms = 0;
  // Called once per failure, on the writer or the watchdog thread, after appends are
  // refused and before any ticket learns of the failure: the owner stops serving state
  // that holds the lost records before anyone can be told they were lost. Keep it brief.
  std::function<void(const Status&)> on_failure;
};

// The write-ahead log writer with group commit. Any number of threads Append; one
// writer thread takes everything appended since its last round, writes it with one
// write(), calls fdatasync once, then completes every ticket of the batch. After the
// first failed (or stuck) write or sync it refuses all appends; the tickets that were
// not durable fail. It never retries a failed fsync on the same file: Reopen cuts the
// log back to its durable end and starts a new segment, whose write and sync are the
// probe that the disk works again. A full backlog is not a failure: Append refuses
// while it lasts, and accepts again as soon as the writer takes the backlog.
class WalWriter final : public Journal {
 public:
  // Starts writing into `dir`; the first record appended gets `next_lsn`, and opens a
  // new segment named after it.
  static Status Open(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options,
                     std::unique_ptr<WalWriter>* writer);
  ~WalWriter() override;

  Appended Append(uint8_t type, std::span<const uint8_t> payload) override;
  bool WaitDurable(LogPosition at) override;
  void OnDurable(LogPosition at, std::function<void(bool durable)> done) override;

  // Writes and syncs everything appended, stops the writer thread. Idempotent.
  Status Close();

  // After a failure: removes whatever the log holds past the durable LSN (the owner
  // must have dropped those records' effects), then writes and syncs the header of a
  // new segment starting at durable LSN + 1. OK: appends are accepted again, numbered
  // from there. An error: still failed, try again later. Not concurrent with Close.
  Status Reopen();

  // Takes back every record past `last`, durable or not, the way a failure takes back
  // undurable ones: appends are refused, their tickets fail, on_failure runs with
  // `why`; Reopen then removes them from the files (CutLogAfter) and numbers on from
  // `last` + 1 in a new epoch. For a replica whose records past `last` did not count.
  // kUnavailable while the log is failed already (a drop-back is under way: ask again
  // once it works) or is not yet durable up to `last`; kInvalidArgument past the last
  // record.
  Status CutBack(Lsn last, Status why);

  // OK, or the failure that made the log read-only.
  Status error() const;
  WalStats Stats() const;
  const Histogram& SyncLatencyMicros() const { return sync_latency_us_; }
  const Histogram& BatchRecords() const { return batch_records_; }

 private:
  struct Waiter {
    Lsn lsn;
    std::function<void(bool)> done;
    bool operator>(const Waiter& other) const { return lsn > other.lsn; }
  };

  WalWriter(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options);
  void Run();
  void Watch();
  Status WriteBatch(const std::string& batch, Lsn first_lsn);
  Status OpenSegment(Lsn first_lsn);
  void KeepZerosAhead();
  Status SyncNow();
  // False when the log failed meanwhile: nothing is completed then.
  bool Complete(Lsn written_last, bool synced);
  // `stuck_sync`: the watchdog's call, about the sync that started then; it does
  // nothing if that sync has returned meanwhile. `cut_back_to`: CutBack's, which also
  // takes back the durable records past it. False when it did nothing (failed already).
  bool Fail(Status status,
            std::optional<std::chrono::steady_clock::time_point> stuck_sync = std::nullopt,
            std::optional<Lsn> cut_back_to = std::nullopt);

  FileSystem* const fs_;
  const std::string dir_;
  const WalOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the writer waits for appends
  std::condition_variable space_cv_;  // Append waits for backlog room (wait_for_room)
  std::string pending_;               // frames appended since the last round
  Lsn pending_first_ = 0;
  Lsn next_lsn_;
  Lsn durable_lsn_;
  Lsn synced_lsn_;  // stamped in every frame: recovery trusts it (log_format.h)
  bool stopping_ = false;
  bool failed_ = false;     // appends refused, durable_lsn_ frozen
  bool announced_ = false;  // on_failure has run: waiters may now be told
  bool writer_exited_ = false;
  bool cut_back_ = false;  // CutBack lowered durable_lsn_: Reopen cuts the files there
  std::optional<std::chrono::steady_clock::time_point> sync_started_;  // a sync in progress
  Status error_;
  uint64_t epoch_ = 0;
  std::vector<Lsn> epoch_ends_;  // the durable LSN each earlier epoch ended at
  std::priority_queue<Waiter, std::vector<Waiter>, std::greater<>> waiters_;
  WalStats stats_;
  std::condition_variable watch_cv_;  // the watchdog waits for Close

  // Owned by the writer thread (and by Reopen, which runs once it has exited).
  std::unique_ptr<WritableFile> file_;
  Lsn segment_first_ = 0;       // the open segment's first LSN
  uint64_t file_bytes_ = 0;     // bytes of it the header and frames take
  uint64_t file_end_ = 0;       // its size: the frames, then zeros written ahead
  bool zeros_refused_ = false;  // a write of zeros failed: none more in this segment
  uint64_t durable_bytes_ = 0;  // its prefix that holds only durable records
  Lsn written_lsn_ = 0;         // the last LSN handed to the OS
  bool unsynced_ = false;

  Histogram sync_latency_us_{Histogram::kCoarse};
  Histogram batch_records_{Histogram::kCoarse};
  std::thread thread_;
  std::thread watchdog_;  // only with a sync_timeout_ms
};

}  // namespace ecomm::wal
