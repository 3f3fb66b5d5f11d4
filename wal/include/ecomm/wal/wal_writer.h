#pragma once

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

#include "ecomm/wal/file.h"
#include "ecomm/wal/histogram.h"
#include "ecomm/wal/journal.h"
#include "ecomm/wal/status.h"

namespace ecomm::wal {

// When the log is made durable. kAlways: every batch is fdatasync'ed before its
// tickets complete. kInterval: tickets complete once written to the OS; fdatasync at
// most every interval_ms (a crash may lose that much). kOff: never fdatasync.
struct SyncPolicy {
  enum class Mode : uint8_t { kAlways, kInterval, kOff };
  Mode mode = Mode::kAlways;
  int interval_ms = 0;

  // "always", "interval:MS" (MS 1..60000) or "off".
  static std::optional<SyncPolicy> Parse(std::string_view text);
  std::string ToString() const;
};

struct WalOptions {
  SyncPolicy sync;
  uint64_t segment_bytes = uint64_t{64} << 20;  // roll to a new segment past this size
  // The backlog: bytes appended that the writer thread has not taken yet. It fills
  // while a write or sync is slow; once it holds this much, Append refuses
  // (kBacklogFull) so that memory stays bounded and no appender waits on the disk.
  uint64_t max_pending_bytes = uint64_t{64} << 20;
  // Append waits for room instead of refusing: for a bulk loader that holds no lock a
  // request needs and would rather be slowed down than retry. Never for a server.
  bool wait_for_room = false;
  // Called once, on the writer thread, when the log fails and turns read-only.
  std::function<void(const Status&)> on_failure;
};

struct WalStats {
  uint64_t records = 0;
  uint64_t batches = 0;
  uint64_t syncs = 0;
  uint64_t bytes = 0;
  Lsn appended_lsn = 0;
  Lsn durable_lsn = 0;
};

// The write-ahead log writer with group commit. Any number of threads Append; one
// writer thread takes everything appended since its last round, writes it with one
// write(), calls fdatasync once, then completes every ticket of the batch. After the
// first failed write or sync it refuses all appends for good (never retry an fsync).
// A full backlog is not a failure: Append refuses while it lasts, and accepts again
// as soon as the writer takes the backlog for its next round.
class WalWriter final : public Journal {
 public:
  // Starts writing into `dir`; the first record appended gets `next_lsn`, and opens a
  // new segment named after it.
  static Status Open(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options,
                     std::unique_ptr<WalWriter>* writer);
  ~WalWriter() override;

  Appended Append(uint8_t type, std::span<const uint8_t> payload) override;
  bool WaitDurable(Lsn lsn) override;
  void OnDurable(Lsn lsn, std::function<void(bool durable)> done) override;

  // Writes and syncs everything appended, stops the writer thread. Idempotent.
  Status Close();

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
  Status WriteBatch(const std::string& batch, Lsn first_lsn);
  Status SyncNow();
  void Complete(Lsn durable);
  void Fail(Status status);

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
  bool stopping_ = false;
  bool failed_ = false;
  Status error_;
  std::priority_queue<Waiter, std::vector<Waiter>, std::greater<>> waiters_;
  WalStats stats_;

  // Owned by the writer thread.
  std::unique_ptr<WritableFile> file_;
  uint64_t file_bytes_ = 0;
  bool unsynced_ = false;

  Histogram sync_latency_us_;
  Histogram batch_records_;
  std::thread thread_;
};

}  // namespace ecomm::wal
