#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "ecomm/histogram.h"
#include "ecomm/replication/counting_rule.h"
#include "ecomm/wal/journal.h"

namespace ecomm::replication {

// Where a primary's messages go: the log topic's producer, or a test's topic. Send
// never blocks for long and may lose a message; the primary finds out by reading the
// topic back, and sends again.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void Send(std::string message) = 0;
};

struct PrimaryJournalOptions {
  Epoch epoch = 0;  // this primary's, whose epoch record has counted
  // The local journal's epoch (wal::LogPosition) when this primary began: a record the
  // local log numbers in another one follows a local log failure, which took back
  // records this primary had numbered; its records would not follow on any more.
  uint64_t local_epoch = 0;
  // The counted position once that epoch record counted: the local log's last LSN.
  CountedPosition position;
  // No record counted for this long while some wait: produce again from the first
  // record that has not counted (a lost or reordered produce never stalls the log).
  std::chrono::milliseconds resend_after{500};
  // --replication-timeout: a record not counted by then is answered as not durable
  // (503 UNAVAILABLE, outcome unknown); it is still produced until it counts.
  std::chrono::milliseconds timeout{5000};
  // Records not yet counted beyond which Append refuses (kBacklogFull), so that a
  // Kafka outage cannot fill the memory.
  size_t max_pending = 100'000;
  size_t max_message_bytes = 512 * 1024;
  // Each record's time from Append to counting, in microseconds (when not null).
  Histogram* counted_latency_us = nullptr;
};

// The journal of a primary under --replication kafka (SPEC "Acknowledgement"): the
// local log beside the log topic. A record is appended to the local journal and queued
// for the topic; a sender thread produces the queue as messages, one group-commit batch
// each. The topic's read back (ReadBack, from its reader thread) runs through the
// CountingRule, and a record is durable — its mutation may be answered — once the
// local journal has it durable AND it has counted with this primary's checksum.
class PrimaryJournal final : public wal::Journal {
 public:
  PrimaryJournal(wal::Journal* local, MessageSink* sink, PrimaryJournalOptions options);
  // Destroy only once the local journal has decided every record (it is closed).
  ~PrimaryJournal() override;
  PrimaryJournal(const PrimaryJournal&) = delete;
  PrimaryJournal& operator=(const PrimaryJournal&) = delete;

  // Refuses (kFailed) once deposed or retired; kBacklogFull past max_pending. Never
  // waits. A record the local log numbers in a new local epoch (it failed and dropped
  // back meanwhile) retires this primary: it is in the local log and is answered as
  // not durable, never sent.
  wal::Appended Append(uint8_t type, std::span<const uint8_t> payload) override;
  bool WaitDurable(wal::LogPosition at) override;
  void OnDurable(wal::LogPosition at, std::function<void(bool durable)> done) override;
  // NOT_PRIMARY for a record that can never count (this primary was deposed before it
  // did: SPEC "answers each pending mutation by what the log says"), else UNAVAILABLE:
  // not counted within the timeout, or the local log failed; the outcome is unknown.
  Status WhyNotDurable(wal::LogPosition at) const override;

  // The message at `offset` of the log topic, in topic order.
  void ReadBack(int64_t offset, std::span<const uint8_t> value);

  Lsn counted_lsn() const;
  // A newer epoch counted: this primary writes no more.
  bool deposed() const;
  // Writes no more (the local log failed under it); its records sent still count.
  void Retire();
  bool retired() const;
  // Messages produced, and of them those sent again.
  uint64_t messages_sent() const;
  uint64_t records_resent() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    Clock::time_point deadline;
    std::function<void(bool)> done;
  };

  void SenderLoop();
  // Under mu_: every record not yet sent (the last unsent_ of pending_), marked sent.
  std::vector<TopicRecord> TakeUnsent();
  // The records as messages of at most max_message_bytes (or one record).
  std::vector<std::string> Encode(const std::vector<TopicRecord>& records) const;
  // Under mu_: waiters whose record counted (true) or whose time ran out or whose
  // primary was deposed (false), removed from waiters_ and returned to be called
  // outside the lock.
  std::vector<std::pair<std::function<void(bool)>, bool>> TakeDecided(Clock::time_point now);
  void WaitCounted(Lsn lsn, std::function<void(bool)> done);

  wal::Journal* const local_;
  MessageSink* const sink_;
  const PrimaryJournalOptions options_;

  mutable std::mutex mu_;
  std::condition_variable sender_cv_;
  std::condition_variable counted_cv_;
  CountingRule rule_;
  std::deque<TopicRecord> pending_;            // appended, not yet counted, in LSN order
  std::deque<Clock::time_point> appended_at_;  // pending_'s, each its Append's time
  size_t unsent_ = 0;                          // the last unsent_ of pending_ are not yet sent
  bool resend_now_ = false;                    // the read-back saw a hole: send again at once
  Lsn counted_lsn_ = 0;                        // the last of this primary's records that counted
  std::multimap<Lsn, Waiter> waiters_;
  Clock::time_point last_progress_;
  bool deposed_ = false;
  bool retired_ = false;
  bool stopping_ = false;
  uint64_t messages_sent_ = 0;
  uint64_t records_resent_ = 0;
  std::thread sender_;
};

}  // namespace ecomm::replication
