#include "support/log_truth.h"

#include <doctest/doctest.h>

#include "ecomm/engine.h"
#include "ecomm/wal/log_format.h"
#include "replay.h"

namespace ecomm::testing {

std::map<Lsn, LoggedRecord> FramesOf(const std::map<std::string, std::string>& segments) {
  std::map<Lsn, LoggedRecord> frames;
  for (const auto& [path, bytes] : segments) {
    std::span data(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    std::string why;
    if (!wal::ParseSegmentHeader(data, &why)) continue;
    for (size_t off = wal::kSegmentHeaderSize; off < data.size();) {
      wal::Frame frame;
      REQUIRE_MESSAGE(wal::ParseFrame(data.subspan(off), &frame) == wal::FrameError::kNone,
                      "unparseable history of ", path, " at ", off);
      frames[frame.lsn] = LoggedRecord{
          frame.type,
          std::string(reinterpret_cast<const char*>(frame.payload.data()), frame.payload.size())};
      off += frame.size;
    }
  }
  return frames;
}

uint64_t DigestOfPrefix(const std::map<Lsn, LoggedRecord>& log, Lsn last) {
  Engine reference;
  for (Lsn lsn = 1; lsn <= last; ++lsn) {
    auto it = log.find(lsn);
    REQUIRE_MESSAGE(it != log.end(), "LSN ", lsn, " was never written");
    std::span payload(reinterpret_cast<const uint8_t*>(it->second.payload.data()),
                      it->second.payload.size());
    Status s = ReplayRecord(reference, static_cast<RecordType>(it->second.type), payload, lsn);
    REQUIRE_MESSAGE(s.ok(), "LSN ", lsn, ": ", s.message());
  }
  return StateDigest(reference);
}

}  // namespace ecomm::testing
