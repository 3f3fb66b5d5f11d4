#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "ecomm/database.h"
#include "ecomm/engine.h"
#include "ecomm/wal/memory_journal.h"

namespace ecomm::testing {

// 2026-11-25T10:00:30Z: a fixed start, mid-minute, so minute-boundary rules are
// exercised with seconds that do not line up.
inline constexpr TimeMs kStartMs = 1'795'608'030'000;

// An engine on a manual clock that logs to a memory journal.
struct EngineFixture {
  ManualClock clock{kStartMs};
  wal::MemoryJournal journal;
  Engine engine{EngineOptions{&clock, &journal}};

  // Creates a user, charged `balance` when positive; fails the test on error.
  void AddUser(const std::string& user_id, Money balance = 0);
  void AddProduct(const std::string& product_id, Money price, Quantity stock);

  // What must not move when a request is rejected: the state and the log.
  struct Fingerprint {
    uint64_t digest;
    size_t records;
    bool operator==(const Fingerprint&) const = default;
  };
  Fingerprint Snapshot() const;

  // Digest of a fresh engine that replayed this fixture's journal.
  uint64_t ReplayedDigest() const;

  Money Balance(const std::string& user_id) const;
  Quantity Stock(const std::string& product_id) const;
};

// A Database at /db on `fs` and `clock` that snapshots only on Close and logs
// nothing: for tests of what a restart from a snapshot keeps.
DatabaseOptions SnapshotOnCloseOptions(wal::FileSystem& fs, const Clock& clock);

// Runs `call`, checks it failed with `code`, and that neither state nor log changed.
template <class Call>
void ExpectRejected(EngineFixture& f, ErrorCode code, Call&& call) {
  EngineFixture::Fingerprint before = f.Snapshot();
  auto result = call();
  REQUIRE_FALSE(result.ok());
  CHECK_MESSAGE(result.code() == code, "got ", CodeName(result.code()), ": ",
                result.status().message());
  CHECK(f.Snapshot() == before);
}

}  // namespace ecomm::testing
