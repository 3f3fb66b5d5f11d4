#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>

#include "ecomm/replication/counting_rule.h"
#include "ecomm/result.h"

namespace ecomm::replication {

// Follows the log topic for one replica: decodes each message, runs its records through
// the CountingRule in topic order and hands every counted data record to `apply`, in
// LSN order, each exactly once. It knows nothing of Kafka: the caller reads the topic
// and passes each message with its offset, so tests feed it directly.
//
// Consume runs on one thread; the accessors and WaitCounted may be called from any.
class LogFollower {
 public:
  // Applies one counted data record to the replica's state; an error means the
  // replica's own checks refuse a record every other replica accepted.
  using Apply = std::function<Status(const TopicRecord&)>;

  // Resumes at `from` (empty: a new topic), reading from topic offset `next_offset`.
  LogFollower(CountedPosition from, int64_t next_offset, Apply apply);

  // The message at `offset`. Offsets only grow; a message before next_offset() (read
  // twice after a reconnect) is passed over. A message that does not decode counts for
  // no one. A counted record that `apply` refuses stops the follower: this call and
  // every later one return kCorruption naming the LSN, and it is never skipped. When
  // `apply` answers kUnavailable (the replica's log is reloading) that is returned and
  // the message is to be passed again.
  Status Consume(int64_t offset, std::span<const uint8_t> value);

  // Starts again at `from`, which must be a place this follower has been at (its
  // replica's state went back there: the local log lost records to a failure). A
  // follower that stopped stays stopped.
  void Rewind(TopicPlace from);

  CountedPosition position() const;
  // The position and the offset together, as a restart needs them.
  TopicPlace place() const;
  // The offset of the first message not yet consumed: where a restart reads from.
  int64_t next_offset() const;
  // How many records got each verdict (indexed by Verdict), plus messages that did not
  // decode, since construction.
  std::array<uint64_t, 7> verdicts() const;
  uint64_t malformed_messages() const;

  // Waits until LSN `lsn` has counted and been applied, at most `timeout`: false when
  // it has not by then, or the follower stopped.
  bool WaitCounted(Lsn lsn, std::chrono::milliseconds timeout) const;

 private:
  Apply apply_;
  mutable std::mutex mu_;
  mutable std::condition_variable counted_cv_;
  CountingRule rule_;  // guarded by mu_ (read by the accessors, moved by Consume)
  int64_t next_offset_;
  Status stopped_;
  std::array<uint64_t, 7> verdicts_{};
  uint64_t malformed_ = 0;
};

}  // namespace ecomm::replication
