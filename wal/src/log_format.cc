#include "ecomm/wal/log_format.h"

// The streaming state on the stack needs the full type.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "ecomm/little_endian.h"
#include "numbered_name.h"

namespace ecomm::wal {

namespace {

constexpr size_t kChecksumOffset = kFrameHeaderSize - 8;

// The frame checksum covers the header up to the checksum, and the payload: XXH3-64
// of the two concatenated. Most records are small, and XXH3's one-shot form is several
// times faster than its streaming one on them, so they are concatenated on the stack.
uint64_t FrameChecksum(const uint8_t* header, std::span<const uint8_t> payload) {
  constexpr size_t kOneShotPayload = 512;
  if (payload.size() <= kOneShotPayload) {
    uint8_t joined[kChecksumOffset + kOneShotPayload];
    std::memcpy(joined, header, kChecksumOffset);
    if (!payload.empty()) std::memcpy(joined + kChecksumOffset, payload.data(), payload.size());
    return XXH3_64bits(joined, kChecksumOffset + payload.size());
  }
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, header, kChecksumOffset);
  XXH3_64bits_update(&state, payload.data(), payload.size());
  return XXH3_64bits_digest(&state);
}

}  // namespace

std::string SegmentFileName(Lsn first_lsn) { return NumberedFileName(first_lsn, ".wal"); }

std::optional<Lsn> ParseSegmentFileName(const std::string& name) {
  return ParseNumberedFileName(name, ".wal");
}

void AppendSegmentHeader(Lsn first_lsn, std::string* out) {
  size_t start = out->size();
  out->append(kSegmentMagic, sizeof kSegmentMagic);
  PutU32(out, kSegmentVersion);
  PutU32(out, kSegmentHeaderSize);
  PutU64(out, first_lsn);
  PutU64(out, XXH3_64bits(out->data() + start, 24));
}

void AppendFrame(Lsn lsn, Lsn synced_lsn, uint8_t type, std::span<const uint8_t> payload,
                 std::string* out) {
  size_t start = out->size();
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out->push_back(static_cast<char>(type));
  out->push_back(static_cast<char>(kFrameVersion));
  PutU16(out, 0);
  PutU64(out, lsn);
  PutU64(out, synced_lsn);
  uint64_t checksum = FrameChecksum(reinterpret_cast<const uint8_t*>(out->data() + start), payload);
  PutU64(out, checksum);
  out->append(reinterpret_cast<const char*>(payload.data()), payload.size());
}

const char* Describe(FrameError error) {
  switch (error) {
    case FrameError::kNone:
      return "ok";
    case FrameError::kTruncatedHeader:
      return "truncated record header";
    case FrameError::kBadLength:
      return "bad record length";
    case FrameError::kBadChecksum:
      return "record checksum mismatch";
    case FrameError::kBadVersion:
      return "unknown record format version";
  }
  return "unknown";
}

std::optional<SegmentHeader> ParseSegmentHeader(std::span<const uint8_t> data, std::string* why,
                                                bool* intact) {
  bool checksum_ok =
      data.size() >= kSegmentHeaderSize && GetU64(data.data() + 24) == XXH3_64bits(data.data(), 24);
  if (intact != nullptr) *intact = checksum_ok;
  if (data.size() < kSegmentHeaderSize) {
    *why = "truncated segment header";
    return std::nullopt;
  }
  if (std::memcmp(data.data(), kSegmentMagic, sizeof kSegmentMagic) != 0) {
    *why = "bad segment magic";
    return std::nullopt;
  }
  if (!checksum_ok) {
    *why = "segment header checksum mismatch";
    return std::nullopt;
  }
  SegmentHeader header{GetU32(data.data() + 8), GetU64(data.data() + 16)};
  if (header.version < kOldestSegmentVersion || header.version > kSegmentVersion ||
      GetU32(data.data() + 12) != kSegmentHeaderSize) {
    *why = "unknown segment version " + std::to_string(header.version);
    return std::nullopt;
  }
  return header;
}

FrameError ParseFrame(std::span<const uint8_t> data, Frame* frame, ChecksumCheck check) {
  if (data.size() < kFrameHeaderSize) return FrameError::kTruncatedHeader;
  const uint8_t* h = data.data();
  uint32_t length = GetU32(h);
  if (length > kMaxPayloadSize || length > data.size() - kFrameHeaderSize) {
    return FrameError::kBadLength;
  }
  auto payload = data.subspan(kFrameHeaderSize, length);
  if (check == ChecksumCheck::kVerify && GetU64(h + kChecksumOffset) != FrameChecksum(h, payload)) {
    return FrameError::kBadChecksum;
  }
  if (h[5] != kFrameVersion) return FrameError::kBadVersion;
  *frame = Frame{GetU64(h + 8), GetU64(h + 16), h[4], h[5], payload, kFrameHeaderSize + length};
  return FrameError::kNone;
}

namespace {

bool AllZero(std::span<const uint8_t> data) {
  return std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

bool StartsZeroTail(std::span<const uint8_t> data, bool ends_at_end_of_file) {
  if (data.size() < kFrameHeaderSize && !ends_at_end_of_file) return false;
  return !data.empty() && AllZero(data.first(std::min(data.size(), kFrameHeaderSize)));
}

ZeroTail ClassifyZeroTail(std::span<const uint8_t> rest) {
  if (!StartsZeroTail(rest, true)) return ZeroTail::kNone;
  return AllZero(rest) ? ZeroTail::kToTheEnd : ZeroTail::kAmidRecords;
}

bool SyncedBeforeLaterFrame(std::span<const uint8_t> data, size_t from, Lsn lsn) {
  Frame frame;
  for (size_t off = from; off + kFrameHeaderSize <= data.size(); ++off) {
    // The version byte first: it rules out most offsets (and all of a zero tail)
    // without a checksum.
    if (data[off + 5] != kFrameVersion) continue;
    if (ParseFrame(data.subspan(off), &frame) == FrameError::kNone && frame.synced_lsn >= lsn) {
      return true;
    }
  }
  return false;
}

}  // namespace ecomm::wal
