#include "ecomm/replication/log_message.h"

#include <xxhash.h>

#include "ecomm/bytes.h"
#include "ecomm/invariant.h"
#include "ecomm/little_endian.h"

namespace ecomm::replication {

namespace {

constexpr uint8_t kEpochPayloadVersion = 1;
// version(1) epoch(8) count(4)
constexpr size_t kMessageHeaderSize = 13;
// lsn(8) type(1) length(4), then the payload, then checksum(8)
constexpr size_t kRecordHeaderSize = 13;
constexpr size_t kChecksumSize = 8;

Status Corrupt(const std::string& why) {
  return Status(ErrorCode::kCorruption, "replication message: " + why);
}

}  // namespace

uint64_t RecordChecksum(Epoch epoch, Lsn lsn, uint8_t type, std::span<const uint8_t> payload) {
  std::string named;
  named.reserve(17 + payload.size());
  PutU64(&named, epoch);
  PutU64(&named, lsn);
  named.push_back(static_cast<char>(type));
  named.append(payload.begin(), payload.end());
  return XXH3_64bits(named.data(), named.size());
}

TopicRecord MakeDataRecord(Epoch epoch, Lsn lsn, uint8_t type, std::span<const uint8_t> payload) {
  ECOMM_INVARIANT(type != kEpochRecordType, "a data record is an engine record");
  TopicRecord record{epoch, lsn, type, std::string(payload.begin(), payload.end()), 0};
  record.checksum = RecordChecksum(epoch, lsn, type, payload);
  return record;
}

TopicRecord MakeEpochRecord(const EpochRecord& e) {
  std::string payload;
  payload.push_back(static_cast<char>(kEpochPayloadVersion));
  PutU64(&payload, e.promotion_id.hi);
  PutU64(&payload, e.promotion_id.lo);
  PutU64(&payload, static_cast<uint64_t>(e.at));
  ECOMM_INVARIANT(e.primary_url.size() <= UINT16_MAX, "a URL fits its length field");
  PutU16(&payload, static_cast<uint16_t>(e.primary_url.size()));
  payload += e.primary_url;
  TopicRecord record{e.epoch, e.base_lsn, kEpochRecordType, std::move(payload), 0};
  record.checksum = RecordChecksum(record.epoch, record.lsn, record.type, AsBytes(record.payload));
  return record;
}

Result<EpochRecord> ReadEpochRecord(const TopicRecord& record) {
  if (!record.is_epoch()) return Corrupt("not an epoch record");
  std::span<const uint8_t> p = AsBytes(record.payload);
  // version(1) promotion id(16) at(8) url length(2)
  constexpr size_t kFixed = 27;
  if (p.size() < kFixed) return Corrupt("epoch record too short");
  if (p[0] != kEpochPayloadVersion) {
    return Corrupt("unknown epoch record version " + std::to_string(p[0]));
  }
  size_t url_size = p[25] | (size_t{p[26]} << 8);
  if (p.size() != kFixed + url_size) return Corrupt("epoch record length does not match");
  EpochRecord e;
  e.epoch = record.epoch;
  e.base_lsn = record.lsn;
  e.promotion_id = Uuid{GetU64(p.data() + 1), GetU64(p.data() + 9)};
  e.at = static_cast<TimeMs>(GetU64(p.data() + 17));
  e.primary_url.assign(reinterpret_cast<const char*>(p.data() + kFixed), url_size);
  return e;
}

std::string EncodeMessage(std::span<const TopicRecord> records) {
  ECOMM_INVARIANT(!records.empty() && records.size() <= kMaxRecordsPerMessage,
                  "a message holds 1 to kMaxRecordsPerMessage records");
  ECOMM_INVARIANT(!records[0].is_epoch() || records.size() == 1, "an epoch record travels alone");
  std::string out;
  out.push_back(static_cast<char>(kMessageVersion));
  PutU64(&out, records[0].epoch);
  PutU32(&out, static_cast<uint32_t>(records.size()));
  for (size_t i = 0; i < records.size(); ++i) {
    const TopicRecord& r = records[i];
    ECOMM_INVARIANT(r.epoch == records[0].epoch, "one epoch per message");
    ECOMM_INVARIANT(i == 0 || (!r.is_epoch() && r.lsn == records[i - 1].lsn + 1),
                    "a message's data records have consecutive LSNs");
    ECOMM_INVARIANT(r.payload.size() <= kMaxRecordPayload, "a payload fits a record");
    PutU64(&out, r.lsn);
    out.push_back(static_cast<char>(r.type));
    PutU32(&out, static_cast<uint32_t>(r.payload.size()));
    out += r.payload;
    PutU64(&out, r.checksum);
  }
  return out;
}

Result<std::vector<TopicRecord>> DecodeMessage(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMessageHeaderSize) return Corrupt("shorter than its header");
  if (bytes[0] != kMessageVersion) return Corrupt("unknown version " + std::to_string(bytes[0]));
  Epoch epoch = GetU64(bytes.data() + 1);
  uint32_t count = GetU32(bytes.data() + 9);
  if (count == 0 || count > kMaxRecordsPerMessage) {
    return Corrupt("record count " + std::to_string(count) + " out of range");
  }
  std::vector<TopicRecord> records;
  size_t pos = kMessageHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    std::string where = "record " + std::to_string(i) + ": ";
    if (bytes.size() - pos < kRecordHeaderSize) return Corrupt(where + "truncated header");
    const uint8_t* h = bytes.data() + pos;
    TopicRecord r{epoch, GetU64(h), h[8], {}, 0};
    uint32_t length = GetU32(h + 9);
    pos += kRecordHeaderSize;
    if (length > kMaxRecordPayload || bytes.size() - pos < size_t{length} + kChecksumSize) {
      return Corrupt(where + "bad length " + std::to_string(length));
    }
    std::span<const uint8_t> payload = bytes.subspan(pos, length);
    r.payload.assign(payload.begin(), payload.end());
    r.checksum = GetU64(bytes.data() + pos + length);
    pos += size_t{length} + kChecksumSize;
    if (r.checksum != RecordChecksum(r.epoch, r.lsn, r.type, payload)) {
      return Corrupt(where + "checksum mismatch");
    }
    if (r.is_epoch() && count != 1) return Corrupt(where + "an epoch record shares a message");
    if (i > 0 && r.lsn != records.back().lsn + 1) {
      return Corrupt(where + "LSN " + std::to_string(r.lsn) + " does not follow " +
                     std::to_string(records.back().lsn));
    }
    records.push_back(std::move(r));
  }
  if (pos != bytes.size()) return Corrupt("trailing bytes after its records");
  return records;
}

}  // namespace ecomm::replication
