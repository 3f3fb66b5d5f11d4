#include "ecomm/wal/segment_iterator.h"

#include <cassert>

#include "ecomm/little_endian.h"

namespace ecomm::wal {

namespace {

// The one message for an LSN out of order, of a frame within a segment or of a
// segment after the one before it. A repeated or earlier LSN is no more a torn write
// than a gap is: the writer never produces one.
std::string LsnGap(Lsn expected, Lsn found, const char* found_what) {
  return std::string(found > expected ? "LSN gap" : "LSN out of order") + " (expected " +
         std::to_string(expected) + ", found " + found_what + std::to_string(found) + ")";
}

}  // namespace

std::string AtOffset(const std::string& path, uint64_t offset) {
  return path + " at offset " + std::to_string(offset);
}

std::string BadSpot::Describe(const std::string& path) const {
  return why + " in " + AtOffset(path, offset);
}

SegmentIterator::SegmentIterator(Lsn name_lsn, std::optional<Lsn> starts_at)
    : name_lsn_(name_lsn), starts_at_(starts_at), next_lsn_(name_lsn) {}

SegmentIterator::Item SegmentIterator::Next(std::span<const uint8_t> data, bool to_end) {
  if (!header_read_) {
    if (std::optional<Item> refused = ReadHeader(data, to_end)) return *refused;
    data = data.subspan(kSegmentHeaderSize);
  }
  return ReadFrame(data, to_end);
}

std::optional<SegmentIterator::Item> SegmentIterator::ReadHeader(std::span<const uint8_t> data,
                                                                 bool to_end) {
  // What the name says is judged before the bytes: no torn write explains it.
  if (starts_at_ && *starts_at_ != name_lsn_) {
    return Bad(LsnGap(*starts_at_, name_lsn_, "segment "), false);
  }
  if (name_lsn_ == 0) return Bad("segment named LSN 0 (LSNs start at 1)", false);
  if (data.size() < kSegmentHeaderSize) {
    // The header of a new segment is synced only with its first batch.
    if (to_end) return Bad("partial segment header", true);
    missing_ = kSegmentHeaderSize - data.size();
    return Item::kMore;
  }
  std::string why;
  bool intact = false;
  std::optional<SegmentHeader> header = ParseSegmentHeader(data, &why, &intact);
  // A header refused although its checksum holds has an unknown version.
  if (!header) return Bad(why, !intact);
  // Its checksum holds, so no torn write explains it, and neither the name nor the
  // header can be trusted over the other: corruption for every reader (recovery
  // refuses to start, or under --recover=truncate cuts the log here).
  if (header->first_lsn != name_lsn_) {
    return Bad("segment header LSN " + std::to_string(header->first_lsn) +
                   " does not match its name (" + std::to_string(name_lsn_) + ")",
               false);
  }
  header_read_ = true;
  offset_ = kSegmentHeaderSize;
  return std::nullopt;
}

SegmentIterator::Item SegmentIterator::ReadFrame(std::span<const uint8_t> data, bool to_end) {
  if (data.empty() && to_end) return Item::kEnd;
  FrameError error = ParseFrame(
      data, &frame_, offset_ < trusted_before_ ? ChecksumCheck::kTrusted : ChecksumCheck::kVerify);
  if (error == FrameError::kNone) {
    if (frame_.lsn != next_lsn_) return Bad(LsnGap(next_lsn_, frame_.lsn, ""), false);
    offset_ += frame_.size;
    ++next_lsn_;
    return Item::kFrame;
  }
  if (StartsZeroTail(data, to_end)) {
    // Without the rest of the file, zeros end the frames read so far; the reader
    // decides what that means (the tailer: wait, or go on to the next segment).
    if (!to_end || ClassifyZeroTail(data) == ZeroTail::kToTheEnd) return Item::kEnd;
    // A write that reached the disk in part, its first sectors not.
    return Bad("zeros amid records", true);
  }
  if (error == FrameError::kTruncatedHeader) {
    if (to_end) return Bad("partial record header", true);
    missing_ = kFrameHeaderSize - data.size();
    return Item::kMore;
  }
  if (error == FrameError::kBadLength && GetU32(data.data()) <= kMaxPayloadSize) {
    // A length ParseFrame refuses only because the frame runs past the data.
    if (to_end) return Bad("partial record", true);
    missing_ = kFrameHeaderSize + GetU32(data.data()) - data.size();
    assert(missing_ > 0);
    return Item::kMore;
  }
  return Bad(Describe(error), error != FrameError::kBadVersion);
}

SegmentIterator::Item SegmentIterator::Bad(std::string why, bool may_be_torn) {
  bad_ = BadSpot{offset_, std::move(why), may_be_torn};
  return Item::kBadSpot;
}

bool SegmentIterator::IsTornTail(std::span<const uint8_t> data) const {
  return bad_.may_be_torn && !SyncedBeforeLaterFrame(data, 1, next_lsn_);
}

}  // namespace ecomm::wal
