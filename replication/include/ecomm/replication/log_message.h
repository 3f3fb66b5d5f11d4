#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/types.h"

// The messages of the replication log topic (wal/FORMAT.md, "Replication log message").
// A message holds consecutive data records of one epoch (a group-commit batch) or one
// epoch record. Every record carries its own checksum, which names it: the primary
// acknowledges a write only once the record it counted back has its checksum.
namespace ecomm::replication {

// Epochs number the primaries of a topic: 1 for the first, each promotion the highest
// seen + 1. 0 means none yet.
using Epoch = uint64_t;

inline constexpr uint8_t kMessageVersion = 1;
// The type byte of an epoch record; the engine's record types are 1 to 127.
inline constexpr uint8_t kEpochRecordType = 0xE0;
// A group-commit batch is at most a few thousand records; a count beyond this is damage.
inline constexpr uint32_t kMaxRecordsPerMessage = 1 << 16;
// As a WAL frame's payload (wal::kMaxPayloadSize).
inline constexpr uint32_t kMaxRecordPayload = 1 << 20;

// One record of the topic. A data record is an engine record (its type and payload, as
// in the local log) at `lsn`; an epoch record (type kEpochRecordType) has its fields in
// the payload (EpochRecord) and the promoter's last counted LSN in `lsn`.
struct TopicRecord {
  Epoch epoch = 0;
  Lsn lsn = 0;
  uint8_t type = 0;
  std::string payload;
  uint64_t checksum = 0;  // RecordChecksum of the fields above

  bool is_epoch() const { return type == kEpochRecordType; }
};

// XXH3-64 over epoch, LSN, type and payload.
uint64_t RecordChecksum(Epoch epoch, Lsn lsn, uint8_t type, std::span<const uint8_t> payload);

// A data record with its checksum.
TopicRecord MakeDataRecord(Epoch epoch, Lsn lsn, uint8_t type, std::span<const uint8_t> payload);

// What a promoter says of itself when it claims an epoch.
struct EpochRecord {
  Epoch epoch = 0;
  Lsn base_lsn = 0;   // the promoter's last counted LSN when it promoted
  Uuid promotion_id;  // random: tells two promoters of the same epoch apart
  std::string primary_url;
  TimeMs at = 0;  // the promoter's clock
};

TopicRecord MakeEpochRecord(const EpochRecord& epoch);
// Corruption when the record is not an epoch record or its payload does not decode.
Result<EpochRecord> ReadEpochRecord(const TopicRecord& record);

// The message that carries `records`: all of one epoch, either one epoch record or
// data records with consecutive LSNs (checked: a caller bug, not an expected failure).
std::string EncodeMessage(std::span<const TopicRecord> records);

// The records of a message, every check of FORMAT.md passed; Corruption naming the
// first that failed. A message that does not decode counts for no one.
Result<std::vector<TopicRecord>> DecodeMessage(std::span<const uint8_t> bytes);

}  // namespace ecomm::replication
