#include "snapshot_places.h"

#include <algorithm>

namespace ecomm::replication {

void SnapshotPlaces::Add(int64_t offset, int64_t next_offset, const CountedPosition& after) {
  {
    std::lock_guard lock(mu_);
    while (!entries_.empty() && entries_.back().last_lsn > after.last_lsn) entries_.pop_back();
    entries_.push_back(Entry{after.last_lsn, offset, next_offset, after.epoch});
    epochs_.try_emplace(after.epoch, after.promotion_id, after.primary_url);
    if (entries_.size() > kMaxEntries) entries_.pop_front();
    while (epochs_.size() > 1 && epochs_.begin()->first < entries_.front().epoch) {
      epochs_.erase(epochs_.begin());
    }
  }
  added_.notify_all();
}

std::optional<TopicPlace> SnapshotPlaces::At(Lsn lsn, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  added_.wait_for(lock, wait, [&] {
    return closed_ || (!entries_.empty() && entries_.back().last_lsn >= lsn);
  });
  auto after = std::upper_bound(entries_.begin(), entries_.end(), lsn,
                                [](Lsn l, const Entry& e) { return l < e.last_lsn; });
  std::optional<TopicPlace> place;
  if (after != entries_.begin() && std::prev(after)->last_lsn == lsn) {
    // The state stands right after a message (the latest one that ended there).
    const Entry& e = *std::prev(after);
    place = TopicPlace{CountedPosition{e.epoch, lsn, {}, {}}, e.next_offset};
  } else if (after != entries_.end() && after != entries_.begin()) {
    // Inside a message of consecutive records: reading it again counts the rest.
    place = TopicPlace{CountedPosition{after->epoch, lsn, {}, {}}, after->offset};
  }
  if (!place) return std::nullopt;
  const auto& [promotion_id, url] = epochs_.at(place->position.epoch);
  place->position.promotion_id = promotion_id;
  place->position.primary_url = url;
  // Kept: the last place below `lsn`, which tells where the message after it begins.
  while (entries_.size() > 1 && entries_[1].last_lsn < lsn) entries_.pop_front();
  return place;
}

void SnapshotPlaces::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  added_.notify_all();
}

}  // namespace ecomm::replication
