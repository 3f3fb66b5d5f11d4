#include "ecomm/replication/log_follower.h"

#include <utility>
#include <vector>

namespace ecomm::replication {

LogFollower::LogFollower(CountedPosition from, int64_t next_offset, Apply apply)
    : apply_(std::move(apply)), rule_(std::move(from)), next_offset_(next_offset) {}

Status LogFollower::Consume(int64_t offset, std::span<const uint8_t> value) {
  std::unique_lock lock(mu_);
  if (!stopped_.ok()) return stopped_;
  if (offset < next_offset_) return Status::Ok();
  next_offset_ = offset + 1;
  Result<std::vector<TopicRecord>> records = DecodeMessage(value);
  if (!records.ok()) {
    ++malformed_;
    return Status::Ok();
  }
  for (const TopicRecord& record : *records) {
    Verdict verdict = rule_.Peek(record);
    ++verdicts_[static_cast<size_t>(verdict)];
    // Applied before the position moves, under mu_: a reader told LSN n counted sees
    // its effect, and a refused record is never reported counted. apply_ never calls
    // back into the follower.
    if (verdict == Verdict::kCounted) {
      Status s = apply_(record);
      if (s.code() == ErrorCode::kUnavailable) {
        // The replica cannot take records now (its log is reloading): this message is
        // read again, and what of it counted already is judged a duplicate then.
        next_offset_ = offset;
        return s;
      }
      if (!s.ok()) {
        stopped_ = Status(ErrorCode::kCorruption, "counted record " + std::to_string(record.lsn) +
                                                      " (epoch " + std::to_string(record.epoch) +
                                                      ", offset " + std::to_string(offset) +
                                                      ") refused by this replica: " + s.ToString());
        counted_cv_.notify_all();
        return stopped_;
      }
    }
    rule_.Judge(record);
  }
  counted_cv_.notify_all();
  return Status::Ok();
}

void LogFollower::Rewind(TopicPlace from) {
  std::lock_guard lock(mu_);
  rule_ = CountingRule(std::move(from.position));
  next_offset_ = from.next_offset;
}

CountedPosition LogFollower::position() const {
  std::lock_guard lock(mu_);
  return rule_.position();
}

TopicPlace LogFollower::place() const {
  std::lock_guard lock(mu_);
  return TopicPlace{rule_.position(), next_offset_};
}

int64_t LogFollower::next_offset() const {
  std::lock_guard lock(mu_);
  return next_offset_;
}

std::array<uint64_t, 7> LogFollower::verdicts() const {
  std::lock_guard lock(mu_);
  return verdicts_;
}

uint64_t LogFollower::malformed_messages() const {
  std::lock_guard lock(mu_);
  return malformed_;
}

bool LogFollower::WaitCounted(Lsn lsn, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return counted_cv_.wait_for(lock, timeout, [&] {
    return rule_.position().last_lsn >= lsn || !stopped_.ok();
  }) && rule_.position().last_lsn >= lsn;
}

}  // namespace ecomm::replication
