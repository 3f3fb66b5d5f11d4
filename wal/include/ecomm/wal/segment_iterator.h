#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "ecomm/wal/journal.h"
#include "ecomm/wal/log_format.h"

// The one walker over the frames of a WAL segment (wal/FORMAT.md). Recovery
// (ReplayWal: cut a torn tail, refuse corruption), the live tailer (WalTailer: wait at
// the tail) and ecomm-wal (report) are policies on top of it, so the three cannot
// disagree on where a segment's frames end or on what is damage.
namespace ecomm::wal {

// Where a segment stops being readable.
struct BadSpot {
  uint64_t offset;  // in the segment file
  std::string why;  // "record checksum mismatch", "LSN gap (expected 6, found 7)"
  // The damage is of a kind a write cut short leaves (a partial or mismatched header
  // or frame, zeros amid records), so it may be the torn tail of the last, unsynced
  // write. Otherwise a checksum holds over something wrong (an unknown version, an LSN
  // out of order, a header naming another LSN than its file): never a torn write.
  bool may_be_torn;

  // "record checksum mismatch in <path> at offset 96"
  std::string Describe(const std::string& path) const;
};

// "<path> at offset <offset>": how every reader names a place in the log.
std::string AtOffset(const std::string& path, uint64_t offset);

class SegmentIterator {
 public:
  enum class Item : uint8_t {
    kFrame,    // frame(): whole, its checksum good, carrying next_lsn()
    kEnd,      // the segment's frames end here (the end of the file, or its zero tail)
    kMore,     // part of a header or frame: missing() more bytes are needed at least
    kBadSpot,  // bad()
  };

  // `name_lsn` is the first LSN the segment's file name promises. `starts_at`, when
  // given, is the LSN the segment must start at: the one after the last frame of the
  // segment before it (frames lost at the end of that one, read back as zeros, show
  // only here while this one holds no frame yet).
  SegmentIterator(Lsn name_lsn, std::optional<Lsn> starts_at);

  // Reads what begins at offset(). `data` is the segment's bytes from offset() on:
  // the rest of the file when `to_end`, else as much of it as has been read (then an
  // incomplete header or frame is kMore, and a frame header's worth of zeros is kEnd
  // whatever follows them). The segment header and each frame returned are consumed:
  // offset() moves past them. Anything else leaves the iterator where it is, so the
  // same bytes, or more of them, can be offered again.
  Item Next(std::span<const uint8_t> data, bool to_end);

  // After kFrame; its payload points into the `data` given to Next.
  const Frame& frame() const { return frame_; }
  // After kBadSpot.
  const BadSpot& bad() const { return bad_; }
  // After kMore.
  size_t missing() const { return missing_; }

  // After kBadSpot, with `data` the bytes from the bad spot on (as far as read):
  // whether it is the torn tail of the last write, should the segment be the newest
  // one. It is unless the damage is of a kind no torn write leaves, or a well-formed
  // frame in `data` was appended after the bad spot's LSN had been synced (a write
  // cut short may be followed by intact frames of that same write, since a disk
  // persists sectors in any order, but never by a later batch).
  bool IsTornTail(std::span<const uint8_t> data) const;

  uint64_t offset() const { return offset_; }
  // The LSN the next frame must carry; after kEnd, the LSN the next segment must
  // start at.
  Lsn next_lsn() const { return next_lsn_; }

  // Frames that begin before `offset` have had their checksums verified (recovery
  // verifies a segment on a helper thread while it applies the one before).
  void TrustChecksumsBefore(uint64_t offset) { trusted_before_ = offset; }

 private:
  // Nothing once the header is read and consumed.
  std::optional<Item> ReadHeader(std::span<const uint8_t> data, bool to_end);
  Item ReadFrame(std::span<const uint8_t> data, bool to_end);
  Item Bad(std::string why, bool may_be_torn);

  Lsn name_lsn_;
  std::optional<Lsn> starts_at_;
  bool header_read_ = false;
  uint64_t offset_ = 0;
  Lsn next_lsn_;
  uint64_t trusted_before_ = 0;
  Frame frame_{};
  BadSpot bad_{};
  size_t missing_ = 0;
};

}  // namespace ecomm::wal
