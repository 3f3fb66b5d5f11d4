#pragma once

#include <cstdint>
#include <span>

#include "ecomm/engine.h"
#include "ecomm/record.h"
#include "ecomm/result.h"
#include "ecomm/wal/journal.h"

// Recovery's and followers' way into an engine: records logged earlier, each applied
// through its transaction unit's replay path (the live path's own checks and Apply).
// Not for concurrent use with mutations. kInternal when a record does not fit the
// state (a corrupt log, or one another engine's rules wrote).
namespace ecomm {

Status ReplayRecord(Engine& engine, const Record& record, Lsn lsn);
// Decodes the payload first (kCorruption when it is not a record of `type`).
Status ReplayRecord(Engine& engine, RecordType type, std::span<const uint8_t> payload, Lsn lsn);
// A follower's replay: as ReplayRecord, and the record is appended to `log` (the
// follower's own), which must give it `lsn`, before it is applied.
Status FollowRecord(Engine& engine, RecordType type, std::span<const uint8_t> payload, Lsn lsn,
                    wal::Journal* log);

// XXH3 over a deterministic walk of all state: two engines that applied the same
// records have the same digest. Call while no mutation runs.
uint64_t StateDigest(const Engine& engine);

}  // namespace ecomm
