// The way back from a log failure (SPEC "Failures and limits"): drop back to exactly
// the durable state, serve reads from it, and resume writes once the disk works.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <utility>

#include "ecomm/database.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_writer.h"
#include "engine_core.h"
#include "replay.h"

namespace ecomm {

std::string_view LogStateName(LogState state) {
  switch (state) {
    case LogState::kWritable:
      return "ok";
    case LogState::kReloading:
      return "reloading";
    case LogState::kReadOnly:
      return "read-only";
  }
  return "ok";
}

wal::WalStats Database::LogStats() const { return wal_->Stats(); }
const Histogram& Database::LogSyncLatencyMicros() const { return wal_->SyncLatencyMicros(); }
const Histogram& Database::LogBatchRecords() const { return wal_->BatchRecords(); }

LogHealth Database::Health() const {
  LogHealth health;
  Status error = wal_->error();
  if (engine_->core().gate.reloading.load(std::memory_order_acquire)) {
    health.state = LogState::kReloading;
  } else if (!error.ok()) {
    health.state = LogState::kReadOnly;
  }
  if (!error.ok()) health.detail = error.ToString();
  health.reloads = reloads_.load(std::memory_order_acquire);
  health.resumes = wal_->Stats().reopens;  // counted as the log turns writable
  return health;
}

bool Database::SleepUnlessClosing(std::chrono::milliseconds delay) {
  std::unique_lock lock(loop_mu_);
  return !loop_cv_.wait_for(lock, delay, [&] { return closing_; });
}

void Database::RecoverFromLogFailure() {
  Log("the log failed; dropping back to its durable state (LSN " +
      std::to_string(wal_->Stats().durable_lsn) + "): " + wal_->error().ToString());
  DropBackToDurableState();
  if (engine_->core().gate.reloading.load(std::memory_order_acquire)) return;  // closing
  // The probe: Reopen cuts the log to its durable end and writes and syncs a new
  // segment's header. Every 100 ms at first, then less often, up to every 5 s.
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    Status s = wal_->Reopen();
    if (s.ok()) break;
    if (!SleepUnlessClosing(delay)) return;
    delay = std::min(delay * 2, std::chrono::milliseconds(5'000));
  }
  Log("the log works again: writes resume at LSN " +
      std::to_string(wal_->Stats().appended_lsn + 1));
}

Status Database::CutBack(Lsn last, const std::function<bool()>& give_up) {
  const uint64_t reopens = wal_->Stats().reopens;
  if (Status s = wal_->CutBack(
          last, Status(ErrorCode::kUnavailable, "records past LSN " + std::to_string(last) +
                                                    " are being taken back: they did not count"));
      !s.ok()) {
    return s;
  }
  Log("cutting the log back to LSN " + std::to_string(last) +
      ": the records past it did not count");
  // The maintenance thread drops back (RecoverFromLogFailure); a cut is rare and brief.
  while (wal_->Stats().reopens == reopens || !wal_->error().ok()) {
    if (!SleepUnlessClosing(std::chrono::milliseconds(5))) {
      return Status(ErrorCode::kUnavailable, "the database is closing");
    }
    if (give_up && give_up()) {
      return Status(ErrorCode::kUnavailable, "gave up waiting for the cut back to LSN " +
                                                 std::to_string(last) + " (it goes on)");
    }
  }
  return Status::Ok();
}

Status Database::RemoveSnapshotsAfter(Lsn lsn) {
  std::vector<wal::SnapshotInfo> snapshots;
  if (Status s = wal::ListSnapshots(fs_, dirs_.snapshots, &snapshots); !s.ok()) return s;
  bool removed = false;
  for (const wal::SnapshotInfo& snapshot : snapshots) {
    if (snapshot.lsn <= lsn) continue;
    removed = true;
    if (Status s = fs_->Remove(wal::JoinPath(dirs_.snapshots, snapshot.name)); !s.ok()) return s;
    ForgetSnapshot(snapshot.lsn);
    Log("removed snapshot " + snapshot.name + ": it holds records past LSN " + std::to_string(lsn) +
        ", which were taken back");
  }
  return removed ? fs_->SyncDir(dirs_.snapshots) : Status::Ok();
}

void Database::DropBackToDurableState() {
  std::lock_guard no_snapshot(snapshot_mu_);
  const Lsn durable = wal_->Stats().durable_lsn;  // frozen while the log is failed
  const uint64_t next_epoch = wal_->Stats().epoch + 1;
  // 1. Put an empty state in place and free the one that holds lost records, so that
  //    two states never share memory. Calls answer UNAVAILABLE until step 3.
  // (It keeps the journal: tickets of lost records must still hear that they failed.
  // UseJournal changes it only under the gate, where it is carried over.)
  auto empty = std::make_unique<EngineState>(
      EngineOptions{options_.clock, wal_.get(), options_.idempotency_ttl_ms});
  {
    std::unique_lock gate(engine_->core().gate.lock);
    empty->journal = engine_->core().state->journal;  // the log's, or a primary's (UseJournal)
    empty->clock_offset_ms.store(
        engine_->core().state->clock_offset_ms.load());  // Now() stays right
    std::swap(engine_->core().state, empty);
    ++engine_->core().gate.generation;
  }
  empty.reset();
  // 2. Load what a restart would find, up to the durable LSN: the records past it may
  //    still sit in the file, and they are exactly what must not come back (nor a
  //    snapshot past it: a cut back takes back durable records).
  auto delay = std::chrono::milliseconds(100);
  std::unique_ptr<Engine> durable_engine;
  while (true) {
    RecoveryStats stats;
    wal::ReplayReport report;
    Status removed = RemoveSnapshotsAfter(durable);
    auto loaded = removed.ok() ? LoadDurableState(durable, &stats, &report)
                               : Result<std::unique_ptr<Engine>>(removed);
    if (loaded.ok() && stats.last_lsn == durable) {
      durable_engine = std::move(loaded).value();
      break;
    }
    Log("reloading the durable state failed: " +
        (loaded.ok() ? "the log ends at LSN " + std::to_string(stats.last_lsn)
                     : loaded.status().message()));
    if (!SleepUnlessClosing(delay)) return;
    delay = std::min(delay * 2, std::chrono::milliseconds(5'000));
  }
  // 3. Serve it. Its own appends will be in the log's next epoch (after Reopen).
  durable_engine->core().state->epoch = next_epoch;
  {
    std::unique_lock gate(engine_->core().gate.lock);
    // Under the gate, where UseJournal changes it: the journal live mutations use now.
    durable_engine->core().state->journal = engine_->core().state->journal;
    std::swap(engine_->core().state, durable_engine->core().state);
    ++engine_->core().gate.generation;
    reloads_.fetch_add(1, std::memory_order_release);  // before the state says so
    engine_->core().gate.reloading.store(false, std::memory_order_release);
  }
  EngineCounts counts = engine_->Counts();
  Log("serving the durable state at LSN " + std::to_string(durable) + " (" +
      std::to_string(counts.users) + " users, " + std::to_string(counts.orders) +
      " orders); writes refused until the log works again");
}

}  // namespace ecomm
