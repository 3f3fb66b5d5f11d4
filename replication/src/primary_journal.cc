#include "ecomm/replication/primary_journal.h"

#include <optional>
#include <utility>
#include <vector>

#include "ecomm/invariant.h"

namespace ecomm::replication {

namespace {

// How often the sender wakes with nothing to send: to send again and to time out waits.
constexpr std::chrono::milliseconds kTick{20};
// Per record in a message: lsn(8) type(1) length(4) checksum(8).
constexpr size_t kRecordOverhead = 21;

}  // namespace

PrimaryJournal::PrimaryJournal(wal::Journal* local, MessageSink* sink,
                               PrimaryJournalOptions options)
    : local_(local),
      sink_(sink),
      options_(std::move(options)),
      rule_(options_.position),
      counted_lsn_(options_.position.last_lsn),
      last_progress_(Clock::now()) {
  ECOMM_INVARIANT(options_.epoch != 0 && options_.epoch == options_.position.epoch,
                  "a primary writes in the epoch that counted last");
  sender_ = std::thread([this] { SenderLoop(); });
}

PrimaryJournal::~PrimaryJournal() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  sender_cv_.notify_all();
  sender_.join();
  std::multimap<Lsn, Waiter> left;
  Lsn counted = 0;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
    counted = counted_lsn_;
  }
  for (auto& [lsn, waiter] : left) waiter.done(lsn <= counted);
}

wal::Appended PrimaryJournal::Append(uint8_t type, std::span<const uint8_t> payload) {
  std::lock_guard lock(mu_);
  if (deposed_ || retired_ || stopping_) return wal::Refusal::kFailed;
  if (pending_.size() >= options_.max_pending) return wal::Refusal::kBacklogFull;
  wal::Appended appended = local_->Append(type, payload);
  if (!appended.ok()) return appended;
  if (appended.position().epoch != options_.local_epoch) {
    retired_ = true;  // OnDurable answers it false: it never counts in this epoch
    return appended;
  }
  Lsn expected = pending_.empty() ? counted_lsn_ + 1 : pending_.back().lsn + 1;
  ECOMM_INVARIANT(appended.lsn() == expected,
                  "the local log numbers on from the counted position, without a gap");
  Clock::time_point now = Clock::now();
  if (pending_.empty()) last_progress_ = now;
  pending_.push_back(MakeDataRecord(options_.epoch, appended.lsn(), type, payload));
  appended_at_.push_back(now);
  ++unsent_;
  sender_cv_.notify_one();
  return appended;
}

bool PrimaryJournal::WaitDurable(wal::LogPosition at) {
  std::mutex done_mu;
  std::condition_variable done_cv;
  std::optional<bool> result;
  OnDurable(at, [&](bool durable) {
    std::lock_guard lock(done_mu);
    result = durable;
    done_cv.notify_one();
  });
  std::unique_lock lock(done_mu);
  done_cv.wait(lock, [&] { return result.has_value(); });
  return *result;
}

void PrimaryJournal::OnDurable(wal::LogPosition at, std::function<void(bool durable)> done) {
  if (at.epoch != options_.local_epoch) return done(false);
  Lsn lsn = at.lsn;
  local_->OnDurable(at, [this, lsn, done = std::move(done)](bool durable) mutable {
    if (!durable) return done(false);
    WaitCounted(lsn, std::move(done));
  });
}

Status PrimaryJournal::WhyNotDurable(wal::LogPosition at) const {
  std::lock_guard lock(mu_);
  if (deposed_ && at.epoch == options_.local_epoch && at.lsn > counted_lsn_) {
    return Status(ErrorCode::kNotPrimary,
                  "this primary was deposed by a newer epoch before the record counted: it was "
                  "not applied; send it to the new primary");
  }
  if (at.epoch != options_.local_epoch || retired_) {
    return Status(ErrorCode::kUnavailable,
                  "the primary's local log failed; the outcome is unknown: retry with the "
                  "Idempotency-Key");
  }
  return Status(ErrorCode::kUnavailable,
                "the record did not count on the log topic within --replication-timeout; the "
                "outcome is unknown: retry with the Idempotency-Key");
}

void PrimaryJournal::WaitCounted(Lsn lsn, std::function<void(bool)> done) {
  bool counted = false;
  {
    std::lock_guard lock(mu_);
    counted = lsn <= counted_lsn_;
    if (!counted && !deposed_ && !stopping_) {
      waiters_.emplace(lsn, Waiter{Clock::now() + options_.timeout, std::move(done)});
      return;
    }
  }
  done(counted);
}

void PrimaryJournal::ReadBack(int64_t /*offset*/, std::span<const uint8_t> value) {
  Result<std::vector<TopicRecord>> records = DecodeMessage(value);
  if (!records.ok()) return;  // counts for no one; what it held is sent again
  std::vector<std::pair<std::function<void(bool)>, bool>> decided;
  bool resend = false;
  {
    std::lock_guard lock(mu_);
    for (const TopicRecord& r : *records) {
      Lsn next = rule_.position().last_lsn + 1;
      Verdict verdict = rule_.Judge(r);
      if (verdict == Verdict::kCounted && r.epoch == options_.epoch) {
        // Only this primary writes in its epoch, each LSN once: what counts is the
        // record it appended first of those it has not seen count.
        ECOMM_INVARIANT(!pending_.empty() && pending_.front().lsn == r.lsn &&
                            pending_.front().checksum == r.checksum,
                        "a record counted in this primary's epoch is its own next record");
        pending_.pop_front();
        unsent_ = std::min(unsent_, pending_.size());
        counted_lsn_ = r.lsn;
        last_progress_ = Clock::now();
        if (options_.counted_latency_us != nullptr) {
          auto waited = last_progress_ - appended_at_.front();
          options_.counted_latency_us->Record(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(waited).count()));
        }
        appended_at_.pop_front();
      } else if (verdict == Verdict::kEpochCounted) {
        deposed_ = true;
      } else if (verdict == Verdict::kNotNext && r.epoch == options_.epoch && r.lsn > next) {
        resend_now_ = true;  // a record before it was lost
      }
    }
    decided = TakeDecided(Clock::now());
    resend = resend_now_;
  }
  if (resend) sender_cv_.notify_one();
  for (auto& [done, durable] : decided) done(durable);
}

std::vector<std::pair<std::function<void(bool)>, bool>> PrimaryJournal::TakeDecided(
    Clock::time_point now) {
  std::vector<std::pair<std::function<void(bool)>, bool>> decided;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    bool counted = it->first <= counted_lsn_;
    if (counted || deposed_ || it->second.deadline <= now) {
      decided.emplace_back(std::move(it->second.done), counted);
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return decided;
}

std::vector<TopicRecord> PrimaryJournal::TakeUnsent() {
  std::vector<TopicRecord> records(pending_.end() - static_cast<ptrdiff_t>(unsent_),
                                   pending_.end());
  unsent_ = 0;
  return records;
}

std::vector<std::string> PrimaryJournal::Encode(const std::vector<TopicRecord>& records) const {
  std::vector<std::string> messages;
  size_t first = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    size_t size = records[i].payload.size() + kRecordOverhead;
    if (i > first &&
        (bytes + size > options_.max_message_bytes || i - first == kMaxRecordsPerMessage)) {
      messages.push_back(EncodeMessage(std::span(records).subspan(first, i - first)));
      first = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (first < records.size()) messages.push_back(EncodeMessage(std::span(records).subspan(first)));
  return messages;
}

void PrimaryJournal::SenderLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    sender_cv_.wait_for(lock, kTick, [&] { return stopping_ || unsent_ > 0 || resend_now_; });
    if (stopping_) break;
    Clock::time_point now = Clock::now();
    // SPEC: until a record counts or a newer epoch appears, produce again from the
    // first record that has not counted.
    if (!deposed_ && !pending_.empty() &&
        (resend_now_ || now - last_progress_ >= options_.resend_after)) {
      records_resent_ += pending_.size() - unsent_;
      unsent_ = pending_.size();
      last_progress_ = now;
    }
    resend_now_ = false;
    std::vector<TopicRecord> records = deposed_ ? std::vector<TopicRecord>{} : TakeUnsent();
    std::vector<std::pair<std::function<void(bool)>, bool>> decided = TakeDecided(now);
    lock.unlock();
    std::vector<std::string> messages = Encode(records);
    for (std::string& message : messages) sink_->Send(std::move(message));
    for (auto& [done, durable] : decided) done(durable);
    lock.lock();
    messages_sent_ += messages.size();
  }
}

Lsn PrimaryJournal::counted_lsn() const {
  std::lock_guard lock(mu_);
  return counted_lsn_;
}

bool PrimaryJournal::deposed() const {
  std::lock_guard lock(mu_);
  return deposed_;
}

void PrimaryJournal::Retire() {
  std::lock_guard lock(mu_);
  retired_ = true;
}

bool PrimaryJournal::retired() const {
  std::lock_guard lock(mu_);
  return retired_;
}

uint64_t PrimaryJournal::messages_sent() const {
  std::lock_guard lock(mu_);
  return messages_sent_;
}

uint64_t PrimaryJournal::records_resent() const {
  std::lock_guard lock(mu_);
  return records_resent_;
}

}  // namespace ecomm::replication
