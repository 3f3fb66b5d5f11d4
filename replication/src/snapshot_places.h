#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "ecomm/replication/counting_rule.h"

namespace ecomm::replication {

// Where a replica would resume reading the log topic from a state at a given counted
// LSN: what each snapshot it writes stores beside its state (Database::SetSnapshotAnnex),
// so that a peer bootstrapping from that snapshot reads on from there (SPEC
// "Snapshots ... record the epoch, the primary's URL and the topic offset").
//
// Only places of records that counted and that the replica's state holds are added (a
// deposed primary's uncounted records never get one), so a snapshot of a state that
// did not count is written without a place and never served to a peer.
class SnapshotPlaces {
 public:
  // The message at `offset` brought the counted position to `after`; a restart would
  // read on from `next_offset` (the same offset when the message was taken in part).
  // A position below the last added (the replica read again from an earlier place)
  // replaces what was added after it.
  void Add(int64_t offset, int64_t next_offset, const CountedPosition& after);
  // The place for a state at counted LSN `lsn`: waits up to `wait` for it to count
  // (a primary's snapshot may be of records still being read back). Forgets places
  // below `lsn`: snapshots only go forward.
  std::optional<TopicPlace> At(Lsn lsn, std::chrono::milliseconds wait);
  // Waits no more (the replica stops reading).
  void Close();

 private:
  struct Entry {
    Lsn last_lsn;
    int64_t offset;       // of the message that counted up to last_lsn
    int64_t next_offset;  // where reading resumes after it
    Epoch epoch;
  };
  // More are dropped from the front: a replica that never snapshots keeps 8 MiB.
  static constexpr size_t kMaxEntries = size_t{1} << 18;

  std::mutex mu_;
  std::condition_variable added_;
  std::deque<Entry> entries_;                             // last_lsn never decreases
  std::map<Epoch, std::pair<Uuid, std::string>> epochs_;  // promotion id and primary URL
  bool closed_ = false;
};

}  // namespace ecomm::replication
