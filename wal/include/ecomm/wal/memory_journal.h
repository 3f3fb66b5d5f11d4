#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "ecomm/wal/journal.h"

namespace ecomm::wal {

// A journal kept in memory: every record is "durable" as soon as it is appended.
// It is what tests replay from and what the engine uses before the WAL is attached.
class MemoryJournal final : public Journal {
 public:
  struct Entry {
    Lsn lsn;
    uint8_t type;
    std::vector<uint8_t> payload;
  };

  Appended Append(uint8_t type, std::span<const uint8_t> payload) override;
  bool WaitDurable(LogPosition at) override;
  void OnDurable(LogPosition at, std::function<void(bool durable)> done) override;

  // Makes every later Append refuse (kFailed), as a journal does after an I/O error.
  void Fail();

  // A copy of the entries appended so far, in LSN order.
  std::vector<Entry> Entries() const;

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // entries_[i].lsn == i + 1
  bool failed_ = false;
};

}  // namespace ecomm::wal
