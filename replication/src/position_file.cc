#include "ecomm/replication/position_file.h"

#include <span>

#include "ecomm/little_endian.h"
#include "ecomm/wal/checked_file.h"
#include "ecomm/wal/data_dir.h"

namespace ecomm::replication {

namespace {

constexpr std::string_view kMagic = "ECOMMRP1";
constexpr char kName[] = "position";
// last_lsn(8) epoch(8) promotion id(16) next_offset(8) url length(2)
constexpr size_t kFixed = 42;

std::string Dir(const std::string& data_dir) { return wal::DataDir(data_dir).replication; }

}  // namespace

std::string EncodePlace(const TopicPlace& place) {
  const CountedPosition& p = place.position;
  std::string body;
  PutU64(&body, p.last_lsn);
  PutU64(&body, p.epoch);
  PutU64(&body, p.promotion_id.hi);
  PutU64(&body, p.promotion_id.lo);
  PutU64(&body, static_cast<uint64_t>(place.next_offset));
  PutU16(&body, static_cast<uint16_t>(p.primary_url.size()));
  body += p.primary_url;
  return body;
}

Result<TopicPlace> DecodePlace(std::string_view body, const std::string& what) {
  const auto* b = reinterpret_cast<const uint8_t*>(body.data());
  if (body.size() < kFixed || body.size() != kFixed + (b[40] | (size_t{b[41]} << 8))) {
    return Status::Corruption("bad replication position " + what + ": length");
  }
  TopicPlace place;
  place.position.last_lsn = GetU64(b);
  place.position.epoch = GetU64(b + 8);
  place.position.promotion_id = Uuid{GetU64(b + 16), GetU64(b + 24)};
  place.next_offset = static_cast<int64_t>(GetU64(b + 32));
  place.position.primary_url = std::string(body.substr(kFixed));
  return place;
}

Status WritePlace(wal::FileSystem* fs, const std::string& data_dir, const TopicPlace& place) {
  return wal::WriteCheckedFile(fs, Dir(data_dir), kName, kMagic, EncodePlace(place));
}

Result<TopicPlace> ReadPlace(wal::FileSystem* fs, const std::string& data_dir) {
  std::string path = wal::JoinPath(Dir(data_dir), kName);
  std::string body;
  if (Status s = wal::ReadCheckedFile(fs, path, kMagic, &body); !s.ok()) return s;
  return DecodePlace(body, path);
}

}  // namespace ecomm::replication
