#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/replication/log_message.h"
#include "ecomm/types.h"

// What counts (SPEC "Replication and failover", "What counts"). Every replica runs the
// topic's records, in topic order, through one CountingRule: the rule looks at nothing
// but the records and its own state, so replicas that read the same topic agree on
// every verdict, and no replica needs to trust any other's word.
namespace ecomm::replication {

// The position a replica's counting has reached: what a snapshot stores beside the
// state, so a replica loaded from it judges the records after it as everyone else does.
struct CountedPosition {
  Epoch epoch = 0;    // the current epoch; 0 before the first epoch record counts
  Lsn last_lsn = 0;   // the last counted LSN
  Uuid promotion_id;  // of the epoch record that made `epoch` current
  std::string primary_url;

  bool operator==(const CountedPosition&) const = default;
};

// A counted position with the topic offset of the first message not yet judged: where
// a replica resumes reading.
struct TopicPlace {
  CountedPosition position;
  int64_t next_offset = 0;

  bool operator==(const TopicPlace&) const = default;
};

// Why a record counts or not, one value per rule.
enum class Verdict : uint8_t {
  kCounted,         // a data record of the current epoch at the LSN after the last counted
  kEpochCounted,    // an epoch record above the current epoch: it becomes current
  kNoEpochYet,      // a data record before any epoch record counted
  kOtherEpoch,      // a data record of another epoch: a deposed or never promoted primary's
  kNotNext,         // a data record of the current epoch at another LSN: a duplicate
                    // (a retried produce) or a record after one that did not count
  kEpochNotHigher,  // an epoch record at or below the current epoch: a lost promotion
  kMalformedEpoch,  // an epoch record whose payload does not decode
};

std::string_view VerdictName(Verdict verdict);

class CountingRule {
 public:
  explicit CountingRule(CountedPosition from = {}) : position_(std::move(from)) {}

  // Judges the next record of the topic and moves the position when it counts. The
  // first epoch record of a topic (the position has no epoch) continues counting after
  // its base LSN, the LSN its promoter's state (which followers bootstrap from) had
  // reached; a later one continues after the last LSN counted before it.
  Verdict Judge(const TopicRecord& record);
  // Judge's verdict without moving the position: a follower applies a record that
  // counts before its position says so.
  Verdict Peek(const TopicRecord& record) const;

  const CountedPosition& position() const { return position_; }

 private:
  CountedPosition position_;
};

}  // namespace ecomm::replication
