#include "ecomm/wal/wal_writer.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <semaphore>

#include "ecomm/bytes.h"
#include "ecomm/invariant.h"
#include "ecomm/wal/log_format.h"
#include "ecomm/wal/wal_reader.h"

namespace ecomm::wal {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::optional<SyncPolicy> SyncPolicy::Parse(std::string_view text) {
  if (text == "always") return SyncPolicy{Mode::kAlways, 0};
  if (text == "off") return SyncPolicy{Mode::kOff, 0};
  constexpr std::string_view kInterval = "interval:";
  if (text.substr(0, kInterval.size()) != kInterval) return std::nullopt;
  std::string_view digits = text.substr(kInterval.size());
  int ms = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (ec != std::errc() || end != digits.data() + digits.size() || ms < 1 || ms > 60'000) {
    return std::nullopt;
  }
  return SyncPolicy{Mode::kInterval, ms};
}

std::string SyncPolicy::ToString() const {
  switch (mode) {
    case Mode::kAlways:
      return "always";
    case Mode::kInterval:
      return "interval:" + std::to_string(interval_ms);
    case Mode::kOff:
      return "off";
  }
  return "always";
}

Status WalWriter::Open(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options,
                       std::unique_ptr<WalWriter>* writer) {
  if (next_lsn == 0) return Status::InvalidArgument("LSNs start at 1");
  if (Status s = fs->CreateDir(dir); !s.ok()) return s;
  // Every frame stamps the last LSN an fdatasync covered, and recovery trusts that
  // stamp. The records before next_lsn were read back by recovery, but under --fsync
  // interval or off they may still be only in the page cache (the previous process
  // died, the machine did not): sync them before any frame vouches for them.
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs, dir, &segments); !s.ok()) return s;
  if (!segments.empty()) {
    if (Status s = fs->SyncFile(JoinPath(dir, segments.back().name)); !s.ok()) return s;
  }
  writer->reset(new WalWriter(fs, std::move(dir), next_lsn, options));
  return Status::Ok();
}

WalWriter::WalWriter(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(std::move(options)),
      next_lsn_(next_lsn),
      durable_lsn_(next_lsn - 1),
      synced_lsn_(next_lsn - 1),
      stats_{.appended_lsn = next_lsn - 1},
      written_lsn_(next_lsn - 1) {
  thread_ = std::thread([this] { Run(); });
  if (options_.sync_timeout_ms > 0) watchdog_ = std::thread([this] { Watch(); });
}

WalWriter::~WalWriter() { (void)Close(); }

Appended WalWriter::Append(uint8_t type, std::span<const uint8_t> payload) {
  std::unique_lock lock(mu_);
  // Bounded backlog, so memory does not grow without limit behind a slow disk. The
  // engine appends holding the commit gate and account and product locks: waiting
  // here would stall every request that needs them, so a full backlog refuses at
  // once and the caller answers "retry" (a record larger than the bound still goes
  // into an empty backlog).
  auto has_room = [&] { return pending_.size() < options_.max_pending_bytes; };
  if (options_.wait_for_room) {
    space_cv_.wait(lock, [&] { return has_room() || failed_ || stopping_; });
  }
  if (failed_ || stopping_) return Refusal::kFailed;
  if (!has_room()) return Refusal::kBacklogFull;
  Lsn lsn = next_lsn_++;
  if (pending_.empty()) pending_first_ = lsn;
  AppendFrame(lsn, synced_lsn_, type, payload, &pending_);
  ++stats_.records;
  stats_.appended_lsn = lsn;
  if (pending_first_ == lsn) work_cv_.notify_one();
  return LogPosition{lsn, epoch_};
}

bool WalWriter::WaitDurable(LogPosition at) {
  // A semaphore of its own per caller: the writer wakes exactly the threads a batch
  // covers, once each. (One shared condition variable woke every blocked thread on
  // every batch; at 256 committers those wake-ups took a quarter of the CPU. A mutex
  // and condition variable per caller, notified under the mutex, gave back most of
  // the gain.) Shared with the callback: this thread may wake and return while the
  // writer is still inside release().
  struct DurableWait {
    std::binary_semaphore done{0};
    bool durable = false;
  };
  auto wait = std::make_shared<DurableWait>();
  OnDurable(at, [wait](bool durable) {
    wait->durable = durable;
    wait->done.release();
  });
  wait->done.acquire();
  return wait->durable;
}

void WalWriter::OnDurable(LogPosition at, std::function<void(bool durable)> done) {
  std::unique_lock lock(mu_);
  // An earlier epoch's LSN above that epoch's durable end was lost, whatever record
  // holds that number now. (A later epoch's position names a durable record that a
  // rebuilt state handed out before Reopen: durable_lsn_ covers it.)
  Lsn durable_end = at.epoch < epoch_ ? epoch_ends_[at.epoch] : durable_lsn_;
  if (durable_end >= at.lsn || announced_ || at.epoch < epoch_) {
    bool durable = durable_end >= at.lsn;
    lock.unlock();
    done(durable);
    return;
  }
  waiters_.push(Waiter{at.lsn, std::move(done)});
}

Status WalWriter::Close() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return error_;
    stopping_ = true;
  }
  work_cv_.notify_one();
  space_cv_.notify_all();
  watch_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
  std::lock_guard lock(mu_);
  return error_;
}

Status WalWriter::Reopen() {
  {
    std::lock_guard lock(mu_);
    if (!failed_) return Status::Ok();
    if (stopping_) return error_;
    // A stuck fdatasync still holds the writer thread; the disk is not back yet.
    if (!writer_exited_) return Status::IOError("the log's last fdatasync has not returned");
    // Fail() is still telling the tickets it dropped: they must hear it in this epoch.
    if (!announced_) return Status::IOError("the log's failure is still being announced");
    ECOMM_INVARIANT(waiters_.empty(), "an announced failure leaves no ticket waiting");
  }
  if (thread_.joinable()) thread_.join();
  if (file_ != nullptr) {
    (void)file_->Close();  // the failed descriptor is never trusted again
    file_.reset();
  }
  // durable_lsn_ is frozen while failed_, and every record up to it is in segments
  // up to the one that was open (a segment opens only once all before it is durable).
  // Its durable prefix stays; what follows lost its tickets and goes.
  Lsn durable = durable_lsn_;
  if (cut_back_) {
    std::string cut;
    if (Status s = CutLogAfter(fs_, dir_, durable, &cut); !s.ok()) return s;
  } else if (segment_first_ != 0 && segment_first_ <= durable) {
    std::string path = JoinPath(dir_, SegmentFileName(segment_first_));
    if (Status s = fs_->Truncate(path, durable_bytes_); !s.ok()) return s;
    if (Status s = fs_->SyncFile(path); !s.ok()) return s;
  }
  // The probe: a new segment's header, written and synced, with its directory entry.
  unsynced_ = false;
  if (Status s = OpenSegment(durable + 1); !s.ok()) return s;
  if (Status s = SyncNow(); !s.ok()) return s;
  durable_bytes_ = file_bytes_;
  written_lsn_ = durable;
  {
    std::lock_guard lock(mu_);
    failed_ = false;
    announced_ = false;
    writer_exited_ = false;
    cut_back_ = false;
    error_ = Status::Ok();
    epoch_ends_.push_back(durable);
    ++epoch_;
    next_lsn_ = durable + 1;
    synced_lsn_ = durable;  // the truncated segment was synced just now
    stats_.appended_lsn = durable;
    ++stats_.reopens;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

Status WalWriter::CutBack(Lsn last, Status why) {
  {
    std::lock_guard lock(mu_);
    if (last >= next_lsn_) {
      return Status::InvalidArgument("cannot cut the log back to LSN " + std::to_string(last) +
                                     ": it ends at " + std::to_string(next_lsn_ - 1));
    }
    // The records up to the cut stay: they must be durable first (else the cut would
    // take them too, the failure's way).
    if (last > durable_lsn_) {
      return Status(ErrorCode::kUnavailable, "the log is durable to LSN " +
                                                 std::to_string(durable_lsn_) + " only, not yet " +
                                                 std::to_string(last));
    }
  }
  if (!Fail(std::move(why), std::nullopt, last)) {
    return Status(ErrorCode::kUnavailable, "the log is failed or closing: " + error().message());
  }
  return Status::Ok();
}

Status WalWriter::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

WalStats WalWriter::Stats() const {
  std::lock_guard lock(mu_);
  WalStats stats = stats_;
  stats.durable_lsn = durable_lsn_;
  stats.synced_lsn = synced_lsn_;
  stats.epoch = epoch_;
  return stats;
}

Status WalWriter::SyncNow() {
  auto start = Clock::now();
  {
    std::lock_guard lock(mu_);
    sync_started_ = start;
  }
  Status s = file_->Sync();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  sync_latency_us_.Record(static_cast<uint64_t>(micros.count()));
  std::lock_guard lock(mu_);
  sync_started_.reset();
  ++stats_.syncs;
  unsynced_ = false;
  // A sync the watchdog already gave up on proves nothing it could still act on.
  if (s.ok() && !failed_) synced_lsn_ = written_lsn_;
  return s;
}

Status WalWriter::OpenSegment(Lsn first_lsn) {
  std::string header;
  AppendSegmentHeader(first_lsn, &header);
  std::string path = JoinPath(dir_, SegmentFileName(first_lsn));
  if (Status s = fs_->NewWritableFile(path, &file_); !s.ok()) return s;
  segment_first_ = first_lsn;
  file_bytes_ = 0;
  file_end_ = 0;
  durable_bytes_ = 0;
  if (Status s = file_->Append(AsBytes(header)); !s.ok()) {
    return s;
  }
  file_bytes_ = file_end_ = header.size();
  unsynced_ = true;
  zeros_refused_ = false;
  KeepZerosAhead();
  return fs_->SyncDir(dir_);
}

void WalWriter::KeepZerosAhead() {
  const uint64_t ahead = options_.zeros_ahead_bytes;
  if (file_ == nullptr || ahead == 0 || zeros_refused_) return;
  if (file_end_ >= file_bytes_ + ahead / 2) return;
  // Not past the point where the segment rolls: zeros there would not be written over.
  const uint64_t target = std::min(file_bytes_ + ahead, options_.segment_bytes);
  if (target <= file_end_) return;
  const uint64_t grow = target - file_end_;
  // The next batch's fdatasync makes them durable with the new file size: one slower
  // sync per half of `ahead` of log, instead of every sync. They only make syncs cheaper: a disk
  // too full for them is not a log failure (a batch that does not fit is), so the
  // segment goes on without them, growing with its batches; some of the zeros may be
  // in, and they read as the zero tail all the same.
  if (file_->ExtendWithZeros(grow).ok()) {
    file_end_ += grow;
  } else {
    zeros_refused_ = true;
  }
  unsynced_ = true;
}

Status WalWriter::WriteBatch(const std::string& batch, Lsn first_lsn) {
  if (file_ == nullptr || file_bytes_ >= options_.segment_bytes) {
    if (file_ != nullptr) {
      // The finished segment is complete on disk before a newer one exists.
      if (Status s = SyncNow(); !s.ok()) return s;
      if (Status s = file_->Close(); !s.ok()) return s;
    }
    if (Status s = OpenSegment(first_lsn); !s.ok()) return s;
  }
  Status s = file_->Append(AsBytes(batch));
  file_bytes_ += batch.size();
  file_end_ = std::max(file_end_, file_bytes_);
  unsynced_ = true;
  return s;
}

bool WalWriter::Complete(Lsn written_last, bool synced) {
  std::vector<Waiter> ready;
  {
    std::lock_guard lock(mu_);
    if (failed_) return false;
    if (written_last == 0) return true;
    // Under --fsync always a batch is durable once synced; otherwise once written.
    bool durable = synced || options_.sync.mode != SyncPolicy::Mode::kAlways;
    if (!durable) return true;
    ECOMM_INVARIANT(written_last >= durable_lsn_, "durability only moves forward");
    durable_lsn_ = written_last;
    durable_bytes_ = file_bytes_;
    while (!waiters_.empty() && waiters_.top().lsn <= written_last) {
      ready.push_back(std::move(const_cast<Waiter&>(waiters_.top())));
      waiters_.pop();
    }
  }
  for (Waiter& w : ready) w.done(true);
  return true;
}

bool WalWriter::Fail(Status status, std::optional<Clock::time_point> stuck_sync,
                     std::optional<Lsn> cut_back_to) {
  {
    std::lock_guard lock(mu_);
    if (failed_) return false;  // the writer and the watchdog may both see one failure
    // The watchdog let go of mu_ to call this; the sync may have returned since, and
    // its batch may be complete: then there is nothing to fail.
    if (stuck_sync && sync_started_ != stuck_sync) return false;
    if (cut_back_to) {
      if (stopping_) return false;
      // Tickets up to the old durable LSN were told already; later ones fail below.
      // An earlier epoch's position past the cut is lost from here on too.
      durable_lsn_ = std::min(durable_lsn_, *cut_back_to);
      for (Lsn& end : epoch_ends_) end = std::min(end, *cut_back_to);
      cut_back_ = true;
    }
    failed_ = true;
    error_ = status;
    pending_.clear();  // never written: their tickets fail below
    ++stats_.failures;
  }
  space_cv_.notify_all();
  work_cv_.notify_one();  // a writer thread waiting for work exits
  if (options_.on_failure) options_.on_failure(status);
  std::vector<Waiter> dropped;
  {
    std::lock_guard lock(mu_);
    announced_ = true;
    while (!waiters_.empty()) {
      dropped.push_back(std::move(const_cast<Waiter&>(waiters_.top())));
      waiters_.pop();
    }
  }
  for (Waiter& w : dropped) w.done(false);
  return true;
}

void WalWriter::Watch() {
  const auto timeout = std::chrono::milliseconds(options_.sync_timeout_ms);
  const auto poll = std::clamp<Clock::duration>(timeout / 4, std::chrono::milliseconds(1),
                                                std::chrono::seconds(1));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    watch_cv_.wait_for(lock, poll, [&] { return stopping_; });
    if (stopping_ || failed_ || !sync_started_) continue;
    if (Clock::now() - *sync_started_ < timeout) continue;
    auto stuck = sync_started_;
    lock.unlock();
    Fail(Status::IOError("fdatasync of the log has not returned after " +
                         std::to_string(options_.sync_timeout_ms) + " ms"),
         stuck);
    lock.lock();
  }
}

void WalWriter::Run() {
  const bool interval = options_.sync.mode == SyncPolicy::Mode::kInterval;
  const auto period = std::chrono::milliseconds(options_.sync.interval_ms);
  auto next_sync = Clock::now() + period;
  std::string batch;
  while (true) {
    Lsn first = 0;
    Lsn last = 0;
    bool stop = false;
    {
      std::unique_lock lock(mu_);
      // A failure (the watchdog's) ends the round too: the thread exits for Reopen.
      auto has_work = [&] { return !pending_.empty() || stopping_ || failed_; };
      if (interval && unsynced_) {
        work_cv_.wait_until(lock, next_sync, has_work);
      } else {
        work_cv_.wait(lock, has_work);
      }
      if (failed_) break;
      stop = stopping_ && pending_.empty();
      if (!pending_.empty()) {
        batch.clear();
        batch.swap(pending_);
        first = pending_first_;
        last = next_lsn_ - 1;
        ++stats_.batches;
        stats_.bytes += batch.size();
      }
    }
    space_cv_.notify_all();
    Status s;
    if (first != 0) {
      batch_records_.Record(last - first + 1);
      s = WriteBatch(batch, first);
      if (s.ok()) written_lsn_ = last;
    }
    bool sync_due = options_.sync.mode == SyncPolicy::Mode::kAlways ||
                    (interval && Clock::now() >= next_sync) || stop;
    bool synced = false;
    if (s.ok() && unsynced_ && sync_due && file_ != nullptr) {
      s = SyncNow();
      synced = s.ok();
      next_sync = Clock::now() + period;
    }
    if (!s.ok()) Fail(s);
    if (!s.ok() || !Complete(first != 0 ? last : 0, synced)) break;
    // After the tickets are told, not while they wait; only a round that wrote can
    // have used the zeros up.
    if (first != 0 && !stop) KeepZerosAhead();
    if (stop) {
      if (file_ != nullptr) {
        if (Status c = file_->Close(); !c.ok()) Fail(c);
      }
      break;
    }
  }
  std::lock_guard lock(mu_);
  writer_exited_ = true;
}

}  // namespace ecomm::wal
