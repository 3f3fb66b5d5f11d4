#include "ecomm/wal/memory_journal.h"

#include "ecomm/invariant.h"

namespace ecomm::wal {

Appended MemoryJournal::Append(uint8_t type, std::span<const uint8_t> payload) {
  std::lock_guard lock(mu_);
  if (failed_) return Refusal::kFailed;
  Lsn lsn = entries_.size() + 1;
  entries_.push_back(Entry{lsn, type, std::vector<uint8_t>(payload.begin(), payload.end())});
  return LogPosition{lsn, 0};
}

bool MemoryJournal::WaitDurable(LogPosition at) {
  std::lock_guard lock(mu_);
  ECOMM_INVARIANT(at.lsn <= entries_.size() && at.epoch == 0,
                  "only appended records can be waited for (and this journal never fails over)");
  return at.lsn <= entries_.size();
}

void MemoryJournal::OnDurable(LogPosition at, std::function<void(bool durable)> done) {
  done(WaitDurable(at));
}

void MemoryJournal::Fail() {
  std::lock_guard lock(mu_);
  failed_ = true;
}

std::vector<MemoryJournal::Entry> MemoryJournal::Entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

}  // namespace ecomm::wal
