#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "ecomm/wal/journal.h"

// The bytes of WAL segments; wal/FORMAT.md explains them. All integers little-endian.
namespace ecomm::wal {

inline constexpr char kSegmentMagic[8] = {'E', 'C', 'O', 'M', 'M', 'W', 'A', 'L'};
// Version 2 segments are written with zeros ahead of their frames (the zero tail);
// version 1 segments, which end at their last frame, are still read.
inline constexpr uint32_t kSegmentVersion = 2;
inline constexpr uint32_t kOldestSegmentVersion = 1;
// magic(8) version(4) header_size(4) first_lsn(8) xxh3(8)
inline constexpr size_t kSegmentHeaderSize = 32;
// payload_length(4) type(1) frame_version(1) reserved(2) lsn(8) synced_lsn(8) xxh3(8)
inline constexpr size_t kFrameHeaderSize = 32;
inline constexpr uint8_t kFrameVersion = 1;
// A record payload is a few hundred bytes (100 lines of 256-byte ids at most ~27 KiB);
// anything beyond this is a corrupt length, not a record.
inline constexpr uint32_t kMaxPayloadSize = 1 << 20;

// Segment file name for a segment whose first record has `first_lsn`.
std::string SegmentFileName(Lsn first_lsn);
// The first LSN encoded in a segment file name, or nothing for other names.
std::optional<Lsn> ParseSegmentFileName(const std::string& name);

void AppendSegmentHeader(Lsn first_lsn, std::string* out);
// `synced_lsn` is an LSN known durable when the frame was appended: recovery uses it
// to tell a torn last write from corruption of records that had been synced.
void AppendFrame(Lsn lsn, Lsn synced_lsn, uint8_t type, std::span<const uint8_t> payload,
                 std::string* out);

struct SegmentHeader {
  uint32_t version;
  Lsn first_lsn;
};

struct Frame {
  Lsn lsn;
  Lsn synced_lsn;
  uint8_t type;
  uint8_t version;
  std::span<const uint8_t> payload;
  size_t size;  // header + payload
};

// Why a frame could not be read, one value per error path.
enum class FrameError : uint8_t {
  kNone,
  kTruncatedHeader,  // fewer than kFrameHeaderSize bytes left
  kBadLength,        // length over kMaxPayloadSize or past the end of the data
  kBadChecksum,
  kBadVersion,  // checksum fine, frame version unknown: not a torn write
};
const char* Describe(FrameError error);

// Parses the segment header at the start of `data`. `*intact` (if given) tells
// whether the header's checksum held, i.e. a failure is not a torn write.
std::optional<SegmentHeader> ParseSegmentHeader(std::span<const uint8_t> data, std::string* why,
                                                bool* intact = nullptr);
// Parses the frame at the start of `data`.
// kTrusted skips the checksum, for bytes whose frames a kVerify pass has checked.
enum class ChecksumCheck : uint8_t { kVerify, kTrusted };
FrameError ParseFrame(std::span<const uint8_t> data, Frame* frame,
                      ChecksumCheck check = ChecksumCheck::kVerify);

// True when the bytes at a frame boundary start the zero tail: the zeros a writer put
// ahead of its frames, where the frames written so far end. That is a frame header of
// zeros (no frame is: its version byte is not 0), or fewer zero bytes where `data`
// ends at the end of the file. Nothing is said of the bytes after those.
bool StartsZeroTail(std::span<const uint8_t> data, bool ends_at_end_of_file);
// What the rest of a whole segment is, from a frame boundary where no frame parses:
// only the zero tail (the frames end there), zeros and then other bytes (a bad spot:
// a write that reached the disk only in part), or no zero tail at all.
enum class ZeroTail : uint8_t { kNone, kToTheEnd, kAmidRecords };
ZeroTail ClassifyZeroTail(std::span<const uint8_t> rest);

// True when a well-formed frame anywhere in data[from..) was appended after record
// `lsn` had been synced: then a bad spot holding `lsn` is corruption of durable data,
// not the torn tail of the last unsynced write (which may well be followed by intact
// frames of that same write, since a disk persists sectors in any order).
bool SyncedBeforeLaterFrame(std::span<const uint8_t> data, size_t from, Lsn lsn);

}  // namespace ecomm::wal
