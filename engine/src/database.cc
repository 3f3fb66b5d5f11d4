#include "ecomm/database.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_writer.h"
#include "engine_core.h"
#include "replay.h"
#include "snapshot_codec.h"
#include "snapshot_loader.h"

namespace ecomm {

namespace {

using SteadyClock = std::chrono::steady_clock;

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Ends a snapshot's capture on every path out, so mutations stop preserving.
class CaptureScope {
 public:
  explicit CaptureScope(SnapshotCapture& capture) : capture_(capture) {}
  ~CaptureScope() {
    if (!ended_) capture_.End();
  }
  std::vector<SnapshotCapture::Chunk> End() {
    ended_ = true;
    return capture_.End();
  }

 private:
  SnapshotCapture& capture_;
  bool ended_ = false;
};

}  // namespace

Database::Database(DatabaseOptions options)
    : options_(std::move(options)),
      fs_(options_.fs ? options_.fs : wal::FileSystem::Posix()),
      dirs_(options_.data_dir) {}

Result<std::unique_ptr<Database>> Database::Open(DatabaseOptions options) {
  std::unique_ptr<Database> db(new Database(std::move(options)));
  if (Status s = db->Recover(); !s.ok()) return s;
  db->maintenance_thread_ = std::thread([raw = db.get()] { raw->MaintenanceLoop(); });
  return db;
}

Database::~Database() { (void)Close(); }

void Database::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "ecomm: %s\n", line.c_str());
  }
}

Result<std::unique_ptr<Engine>> Database::LoadDurableState(Lsn until, RecoveryStats* stats,
                                                           wal::ReplayReport* report) {
  EngineOptions engine_options;
  engine_options.clock = options_.clock;
  engine_options.idempotency_ttl_ms = options_.idempotency_ttl_ms;
  auto loaded = LoadNewestSnapshot(fs_, dirs_.snapshots, engine_options,
                                   [this](const std::string& line) { Log(line); });
  if (!loaded.ok()) return loaded.status();
  stats->snapshot_lsn = loaded->snapshot_lsn;
  stats->snapshot_skipped = std::move(loaded->skipped);
  failed_snapshots_.insert(loaded->failed.begin(), loaded->failed.end());
  if (loaded->snapshot_lsn > 0) verified_snapshots_.insert(loaded->snapshot_lsn);
  stats->snapshot_annex = loaded->annex;
  if (loaded->annex) NoteSnapshotAnnex(loaded->snapshot_lsn, *loaded->annex);
  Engine& engine = *loaded->engine;
  Status replayed = wal::ReplayWal(
      fs_, dirs_.wal, stats->snapshot_lsn, until, options_.recovery,
      [&](const wal::WalRecord& r) {
        Status s = ReplayRecord(engine, static_cast<RecordType>(r.type), r.payload, r.lsn);
        return s.ok() ? Status::Ok() : Status::Corruption(s.message());
      },
      report);
  if (!replayed.ok()) return replayed;
  stats->records_replayed = report->records;
  stats->wal_bytes = report->bytes;
  stats->last_lsn = report->last_lsn;
  stats->cut = report->cut;
  if (!report->cut.empty()) Log("recovery cut the log: " + report->cut);
  return std::move(loaded->engine);
}

Status Database::Recover() {
  auto start = SteadyClock::now();
  for (const std::string& dir : {options_.data_dir, dirs_.wal, dirs_.snapshots, dirs_.cursors}) {
    if (Status s = fs_->CreateDir(dir); !s.ok()) return s;
  }
  if (Status s = RemoveStaleSnapshots(); !s.ok()) return s;
  wal::ReplayReport report;
  auto loaded = LoadDurableState(wal::kMaxLsn, &recovery_, &report);
  if (!loaded.ok()) return loaded.status();
  engine_ = std::move(loaded).value();

  wal::WalOptions wal_options;
  wal_options.sync = options_.sync;
  wal_options.segment_bytes = options_.segment_bytes;
  wal_options.zeros_ahead_bytes = options_.log_zeros_ahead_bytes;
  wal_options.wait_for_room = options_.wait_for_log_room;
  wal_options.sync_timeout_ms = options_.sync_timeout_ms;
  // On the log's own thread, before any ticket learns of the failure: from here on no
  // call may show a lost record. The rest happens on the maintenance thread.
  wal_options.on_failure = [this](const Status&) {
    engine_->core().gate.reloading.store(true, std::memory_order_release);
    // A call that entered before the flag may still be building its answer from the
    // lost state: wait it out, so that nothing answered after a ticket's 503 shows
    // that ticket's record. (No gate holder waits for this thread: an Append waiting
    // for room woke on the failure already.)
    { std::unique_lock drain(engine_->core().gate.lock); }
    {
      std::lock_guard lock(loop_mu_);
      log_failed_ = true;
    }
    loop_cv_.notify_all();
  };
  if (Status s = wal::WalWriter::Open(fs_, dirs_.wal, report.last_lsn + 1, wal_options, &wal_);
      !s.ok()) {
    return s;
  }
  engine_->core().state->journal = wal_.get();
  {
    std::lock_guard lock(stats_mu_);
    last_snapshot_.lsn = recovery_.snapshot_lsn;
  }
  std::optional<Lsn> min_cursor;
  if (Status s = CheckCursors(&min_cursor); !s.ok()) return s;  // reports bad ones at once
  recovery_.millis = MillisSince(start);
  EngineCounts counts = engine_->Counts();
  Log("recovered " + options_.data_dir + ": snapshot LSN " +
      std::to_string(recovery_.snapshot_lsn) + ", replayed " + std::to_string(report.records) +
      " records (" + std::to_string(report.bytes) + " bytes in " + std::to_string(report.segments) +
      " segments) to LSN " + std::to_string(report.last_lsn) + "; " + std::to_string(counts.users) +
      " users, " + std::to_string(counts.products) + " products, " + std::to_string(counts.orders) +
      " orders; " + std::to_string(static_cast<int64_t>(recovery_.millis)) + " ms");
  return Status::Ok();
}

SnapshotStats Database::LastSnapshot() const {
  std::lock_guard lock(stats_mu_);
  return last_snapshot_;
}

Status Database::Snapshot() {
  // One at a time, and never while a log failure replaces the state.
  std::lock_guard one_at_a_time(snapshot_mu_);
  EngineState& state = *engine_->core().state;
  auto start = SteadyClock::now();

  // Fix the LSN: no mutation is between its first lock and its apply.
  wal::LogPosition at;
  TimeMs clock_offset = 0;
  auto gate_requested = SteadyClock::now();
  {
    std::unique_lock gate(engine_->core().gate.lock);
    wal::WalStats log = wal_->Stats();
    at = wal::LogPosition{log.appended_lsn, log.epoch};
    clock_offset = state.clock_offset_ms.load();
    state.capture.Begin();
  }
  Lsn lsn = at.lsn;
  double pause_micros = MillisSince(gate_requested) * 1000;
  CaptureScope capture(state.capture);
  // The image must not hold anything the log could still lose.
  if (lsn > 0 && !wal_->WaitDurable(at)) return wal_->error();
  // Asked now, not once the image is written: the embedder need not remember the LSN
  // for as long as a large state takes to write.
  std::optional<std::string> annex = snapshot_annex_ ? snapshot_annex_(lsn) : std::nullopt;

  std::unique_ptr<wal::SnapshotWriter> writer;
  if (Status s = wal::SnapshotWriter::Create(fs_, dirs_.snapshots, lsn, &writer); !s.ok()) {
    return s;
  }
  auto add = [&](ChunkKind kind, std::string_view bytes) {
    return writer->Add(static_cast<uint8_t>(kind), AsBytes(bytes));
  };
  // However long an account's history, its chunks stay bounded.
  auto add_account = [&](const std::string& bytes) {
    return AddAccountChunks(bytes, options_.snapshot_chunk_bytes, add);
  };
  if (Status s = add(ChunkKind::kMeta, EncodeMetaChunk(clock_offset)); !s.ok()) {
    return s;
  }
  // Walk every object; products a mutation already preserved are skipped by Take.
  for (Product* p : state.catalog.Range(std::nullopt, std::nullopt)) {
    SnapshotCapture::Chunk chunk;
    bool took = false;
    {
      std::lock_guard lock(p->mu);
      took = state.capture.Take(*p, &chunk);
    }
    if (!took) continue;
    if (Status s = writer->Add(chunk.kind, AsBytes(chunk.bytes)); !s.ok()) return s;
  }
  // A campaign's definition never changes, and its issued count is rebuilt from the
  // accounts' coupons, so it needs no pre-image: those born after the LSN are left out.
  std::vector<std::string> coupons;
  state.coupons.ForEach([&](const Coupon& c) {
    if (c.snapshot_epoch < state.capture.epoch()) coupons.push_back(EncodeCouponChunk(c));
  });
  for (const std::string& chunk : coupons) {
    if (Status s = add(ChunkKind::kCoupon, chunk); !s.ok()) return s;
  }
  std::vector<Account*> accounts;
  // ForEach holds stripe locks: reserve, so that the vector rarely grows under them.
  accounts.reserve(state.accounts.Size());
  state.accounts.ForEach([&](const Account& a) { accounts.push_back(const_cast<Account*>(&a)); });
  for (Account* a : accounts) {
    SnapshotCapture::Chunk chunk;
    bool took = false;
    {
      std::unique_lock lock(a->mu);
      took = state.capture.Take(*a, lock, &chunk);
    }
    if (!took) continue;
    if (Status s = add_account(chunk.bytes); !s.ok()) return s;
  }
  for (const SnapshotCapture::Chunk& chunk : capture.End()) {
    Status s = chunk.kind == static_cast<uint8_t>(ChunkKind::kAccount)
                   ? add_account(chunk.bytes)
                   : writer->Add(chunk.kind, AsBytes(chunk.bytes));
    if (!s.ok()) return s;
  }
  std::vector<std::string> keys;
  state.idempotency.ForEachLive(state.Now(), [&](std::string_view key, std::string_view fingerprint,
                                                 const IdempotentOutcome& out) {
    if (out.lsn <= lsn) keys.push_back(EncodeIdempotencyChunk(key, fingerprint, out));
  });
  for (const std::string& chunk : keys) {
    if (Status s = add(ChunkKind::kIdempotency, chunk); !s.ok()) return s;
  }
  if (annex) {
    if (Status s = add(ChunkKind::kAnnex, EncodeAnnexChunk(*annex)); !s.ok()) return s;
  }
  if (Status s = writer->Commit(); !s.ok()) return s;
  ForgetSnapshot(lsn);  // a file of this name may have been written before a cut
  verified_snapshots_.insert(lsn);
  if (annex) NoteSnapshotAnnex(lsn, std::move(*annex));

  SnapshotStats stats;
  {
    std::lock_guard lock(stats_mu_);
    last_snapshot_.lsn = lsn;
    last_snapshot_.bytes = writer->bytes();
    last_snapshot_.write_millis = MillisSince(start);
    last_snapshot_.pause_micros = pause_micros;
    ++last_snapshot_.taken;
    last_snapshot_.taken_at_ms = engine_->Now();
    stats = last_snapshot_;
  }
  Log("snapshot at LSN " + std::to_string(lsn) + ": " + std::to_string(stats.bytes) + " bytes in " +
      std::to_string(static_cast<int64_t>(stats.write_millis)) + " ms, gate held " +
      std::to_string(static_cast<int64_t>(pause_micros)) + " us");
  return RemoveObsolete(lsn);
}

Status Database::RemoveStaleSnapshots() {
  // A snapshot being written when the process died is never read, only in the way: a
  // large one would hold its disk space for good. (Cursor temp files are the readers'
  // own, and a running shipper may be writing one right now: they stay.)
  std::vector<std::string> names;
  if (Status s = fs_->ListDir(dirs_.snapshots, &names); !s.ok()) return s;
  for (const std::string& name : names) {
    if (!name.ends_with(".tmp")) continue;
    std::string path = wal::JoinPath(dirs_.snapshots, name);
    if (Status s = fs_->Remove(path); !s.ok()) return s;
    Log("removed the unfinished snapshot " + path);
  }
  return Status::Ok();
}

bool Database::SnapshotVerifies(const wal::SnapshotInfo& snapshot) {
  if (verified_snapshots_.contains(snapshot.lsn)) return true;
  if (failed_snapshots_.contains(snapshot.lsn)) return false;
  wal::SnapshotImage image;
  std::string path = wal::JoinPath(dirs_.snapshots, snapshot.name);
  Status read = wal::ReadSnapshot(fs_, path, &image);
  bool ok = read.ok() && image.lsn == snapshot.lsn;
  (ok ? verified_snapshots_ : failed_snapshots_).insert(snapshot.lsn);
  if (!ok) {
    Log("snapshot " + path + " does not verify, so it is no fallback: " +
        (read.ok() ? "its LSN does not match its name" : read.ToString()));
  }
  return ok;
}

Status Database::CheckCursors(std::optional<Lsn>* min_cursor) {
  std::vector<std::string> unreadable;
  if (Status s = wal::MinCursor(fs_, dirs_.cursors, min_cursor, &unreadable); !s.ok()) {
    return s;
  }
  std::lock_guard lock(stats_mu_);
  if (unreadable != unreadable_cursors_) {
    for (const std::string& why : unreadable) {
      Log("unreadable cursor; the log its reader may need is kept whole until it is mended "
          "or deleted: " +
          why);
    }
    unreadable_cursors_ = std::move(unreadable);
  }
  return Status::Ok();
}

std::vector<std::string> Database::UnreadableCursors() const {
  std::lock_guard lock(stats_mu_);
  return unreadable_cursors_;
}

Status Database::RemoveObsolete(Lsn newest) {
  std::vector<wal::SnapshotInfo> snapshots;
  if (Status s = wal::ListSnapshots(fs_, dirs_.snapshots, &snapshots); !s.ok()) {
    return s;
  }
  // Keep the newest snapshot that verifies, the one before it that verifies (the
  // fallback), and the log from the fallback on: recovery may need it if the newest
  // one fails. One that does not verify is never counted: recovery would skip it and
  // need the log it let go. A replica may cut its log back as far as its replication
  // cursor (records past it may not have counted): the newest snapshot at or below the
  // cursor stays too, with the log after it, so that a cut always finds a state to load.
  std::optional<Lsn> floor;
  if (Status s = wal::ReadCursor(fs_, wal::JoinPath(dirs_.cursors, wal::kReplicationCursor),
                                 &floor.emplace());
      !s.ok()) {
    floor.reset();  // none (not a replica), or unreadable: CheckCursors keeps the whole log
  }
  bool floor_kept = !floor;
  Lsn keep_from = 1;
  size_t kept = 0;
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    if (it->lsn > newest) continue;
    if (kept == 2) {
      if (!floor_kept && it->lsn <= *floor && SnapshotVerifies(*it)) {
        floor_kept = true;
        keep_from = it->lsn + 1;  // older than the fallback: the log from it on
        continue;
      }
      if (Status s = fs_->Remove(wal::JoinPath(dirs_.snapshots, it->name)); !s.ok()) {
        return s;
      }
      ForgetSnapshot(it->lsn);
      continue;
    }
    if (!SnapshotVerifies(*it)) continue;
    if (floor && it->lsn <= *floor) floor_kept = true;
    if (++kept == 2) keep_from = it->lsn + 1;
  }
  std::optional<Lsn> cursor;
  if (Status s = CheckCursors(&cursor); !s.ok()) return s;
  if (cursor && *cursor + 1 < keep_from) keep_from = *cursor + 1;
  uint64_t removed = 0;
  if (Status s = wal::RemoveSegmentsBefore(fs_, dirs_.wal, keep_from, &removed); !s.ok()) {
    return s;
  }
  if (removed > 0) {
    Log("removed " + std::to_string(removed) + " WAL segments before LSN " +
        std::to_string(keep_from));
  }
  return Status::Ok();
}

void Database::MaintenanceLoop() {
  // A failing snapshot (a full disk, say) is retried after 200 ms, then twice as long
  // each time up to a minute: each attempt writes up to a whole state's worth.
  constexpr auto kFirstRetry = std::chrono::milliseconds(200);
  constexpr auto kLastRetry = std::chrono::milliseconds(60'000);
  auto retry_delay = kFirstRetry;
  auto next_try = SteadyClock::now();
  uint64_t ticks = 0;
  std::unique_lock lock(loop_mu_);
  while (!closing_) {
    loop_cv_.wait_for(lock, std::chrono::milliseconds(200),
                      [&] { return closing_ || log_failed_; });
    if (closing_) break;
    if (log_failed_) {
      log_failed_ = false;
      lock.unlock();
      RecoverFromLogFailure();
      lock.lock();
      continue;
    }
    lock.unlock();
    // Expired idempotency entries go even when no keyed request comes to sweep them:
    // up to 100,000 a second, a few per lock hold.
    engine_->SweepExpired(20'000);
    // A cursor that turns unreadable is reported within seconds, not at the next snapshot.
    if (++ticks % 25 == 0) {
      std::optional<Lsn> ignored;
      if (Status s = CheckCursors(&ignored); !s.ok()) Log("checking cursors: " + s.message());
    }
    lock.lock();
    if (closing_ || log_failed_ || SteadyClock::now() < next_try) continue;
    bool due = options_.snapshot_every != 0 &&
               wal_->Stats().appended_lsn - LastSnapshot().lsn >= options_.snapshot_every;
    if (!due && !snapshot_wanted_) continue;
    snapshot_wanted_ = false;
    lock.unlock();
    Status s = Snapshot();
    lock.lock();
    if (s.ok()) {
      retry_delay = kFirstRetry;
      continue;
    }
    Log("snapshot failed (next try in " + std::to_string(retry_delay.count()) +
        " ms): " + s.message());
    next_try = SteadyClock::now() + retry_delay;
    retry_delay = std::min(retry_delay * 2, kLastRetry);
  }
}

Status Database::Close() {
  {
    std::lock_guard lock(loop_mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
    closing_ = true;
  }
  loop_cv_.notify_all();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  if (wal_ == nullptr) return Status::Ok();  // Open failed before the log existed
  Status result;
  if (wal_->error().ok()) result = Snapshot();
  if (Status s = wal_->Close(); !s.ok() && result.ok()) result = s;
  if (!result.ok()) Log("close: " + result.message());
  return result;
}

}  // namespace ecomm
