#include "ecomm/wal/wal_writer.h"

#include <charconv>
#include <chrono>
#include <memory>
#include <semaphore>

#include "ecomm/invariant.h"
#include "ecomm/wal/log_format.h"

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
  writer->reset(new WalWriter(fs, std::move(dir), next_lsn, options));
  return Status::Ok();
}

WalWriter::WalWriter(FileSystem* fs, std::string dir, Lsn next_lsn, WalOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      next_lsn_(next_lsn),
      durable_lsn_(next_lsn - 1),
      stats_{.appended_lsn = next_lsn - 1},
      thread_([this] { Run(); }) {}

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
  AppendFrame(lsn, durable_lsn_, type, payload, &pending_);
  ++stats_.records;
  stats_.appended_lsn = lsn;
  if (pending_first_ == lsn) work_cv_.notify_one();
  return lsn;
}

bool WalWriter::WaitDurable(Lsn lsn) {
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
  OnDurable(lsn, [wait](bool durable) {
    wait->durable = durable;
    wait->done.release();
  });
  wait->done.acquire();
  return wait->durable;
}

void WalWriter::OnDurable(Lsn lsn, std::function<void(bool durable)> done) {
  std::unique_lock lock(mu_);
  if (durable_lsn_ >= lsn || failed_) {
    bool durable = durable_lsn_ >= lsn;
    lock.unlock();
    done(durable);
    return;
  }
  waiters_.push(Waiter{lsn, std::move(done)});
}

Status WalWriter::Close() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return error_;
    stopping_ = true;
  }
  work_cv_.notify_one();
  space_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  return error_;
}

Status WalWriter::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

WalStats WalWriter::Stats() const {
  std::lock_guard lock(mu_);
  WalStats stats = stats_;
  stats.durable_lsn = durable_lsn_;
  return stats;
}

Status WalWriter::SyncNow() {
  auto start = Clock::now();
  Status s = file_->Sync();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  sync_latency_us_.Record(static_cast<uint64_t>(micros.count()));
  std::lock_guard lock(mu_);
  ++stats_.syncs;
  unsynced_ = false;
  return s;
}

Status WalWriter::WriteBatch(const std::string& batch, Lsn first_lsn) {
  if (file_ == nullptr || file_bytes_ >= options_.segment_bytes) {
    if (file_ != nullptr) {
      // The finished segment is complete on disk before a newer one exists.
      if (Status s = SyncNow(); !s.ok()) return s;
      if (Status s = file_->Close(); !s.ok()) return s;
    }
    std::string header;
    AppendSegmentHeader(first_lsn, &header);
    std::string path = JoinPath(dir_, SegmentFileName(first_lsn));
    if (Status s = fs_->NewWritableFile(path, &file_); !s.ok()) return s;
    if (Status s = file_->Append(
            std::span(reinterpret_cast<const uint8_t*>(header.data()), header.size()));
        !s.ok()) {
      return s;
    }
    file_bytes_ = header.size();
    if (Status s = fs_->SyncDir(dir_); !s.ok()) return s;
  }
  Status s = file_->Append(std::span(reinterpret_cast<const uint8_t*>(batch.data()), batch.size()));
  file_bytes_ += batch.size();
  unsynced_ = true;
  return s;
}

void WalWriter::Complete(Lsn durable) {
  std::vector<Waiter> ready;
  {
    std::lock_guard lock(mu_);
    ECOMM_INVARIANT(durable >= durable_lsn_, "durability only moves forward");
    durable_lsn_ = durable;
    while (!waiters_.empty() && waiters_.top().lsn <= durable) {
      ready.push_back(std::move(const_cast<Waiter&>(waiters_.top())));
      waiters_.pop();
    }
  }
  for (Waiter& w : ready) w.done(true);
}

void WalWriter::Fail(Status status) {
  if (options_.on_failure) options_.on_failure(status);
  std::vector<Waiter> dropped;
  {
    std::lock_guard lock(mu_);
    failed_ = true;
    error_ = std::move(status);
    while (!waiters_.empty()) {
      dropped.push_back(std::move(const_cast<Waiter&>(waiters_.top())));
      waiters_.pop();
    }
  }
  space_cv_.notify_all();
  for (Waiter& w : dropped) w.done(false);
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
      auto has_work = [&] { return !pending_.empty() || stopping_; };
      if (interval && unsynced_) {
        work_cv_.wait_until(lock, next_sync, has_work);
      } else {
        work_cv_.wait(lock, has_work);
      }
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
    }
    bool sync_due = options_.sync.mode == SyncPolicy::Mode::kAlways ||
                    (interval && Clock::now() >= next_sync) || stop;
    if (s.ok() && unsynced_ && sync_due && file_ != nullptr) {
      s = SyncNow();
      next_sync = Clock::now() + period;
    }
    if (!s.ok()) {
      Fail(s);
      break;
    }
    if (first != 0) Complete(last);
    if (stop) {
      if (file_ != nullptr) {
        if (Status c = file_->Close(); !c.ok()) Fail(c);
      }
      break;
    }
  }
}

}  // namespace ecomm::wal
