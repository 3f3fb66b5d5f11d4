#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/wal/journal.h"

// What an owner of the log chooses (how it syncs, how recovery treats a bad record)
// and reads back (its counters), apart from the writer and the reader themselves, so
// that a Database's public header needs neither.
namespace ecomm::wal {

// When the log is made durable. kAlways: every batch is fdatasync'ed before its
// tickets complete. kInterval: tickets complete once written to the OS; fdatasync at
// most every interval_ms (a crash may lose that much). kOff: never fdatasync.
struct SyncPolicy {
  enum class Mode : uint8_t { kAlways, kInterval, kOff };
  Mode mode = Mode::kAlways;
  int interval_ms = 0;

  // "always", "interval:MS" (MS 1..60000) or "off".
  static std::optional<SyncPolicy> Parse(std::string_view text);
  std::string ToString() const;
};

// What recovery does with a bad record that is not a torn tail.
enum class RecoveryMode : uint8_t {
  kStrict,    // a bad record followed by good ones is corruption: refuse to start
  kTruncate,  // cut the log at the first bad record, whatever follows
};

struct WalStats {
  uint64_t records = 0;
  uint64_t batches = 0;
  uint64_t syncs = 0;
  uint64_t bytes = 0;
  uint64_t failures = 0;  // write or sync failures (each made the log read-only)
  uint64_t reopens = 0;   // successful Reopen()s after a failure
  uint64_t epoch = 0;     // appends now are in this epoch (one more per Reopen)
  Lsn appended_lsn = 0;
  Lsn durable_lsn = 0;
  Lsn synced_lsn = 0;  // covered by an fdatasync (durable_lsn may be ahead: --fsync interval, off)
};

}  // namespace ecomm::wal
