#include "log_scan.h"

#include <algorithm>

#include "ecomm/wal/log_format.h"
#include "ecomm/wal/wal_reader.h"

namespace ecomm::waltool {

namespace {

using wal::Lsn;

Status Refused(const std::string& what, const std::string& path) {
  return Status::InvalidArgument("ecomm-wal is read-only: refused to " + what + " " + path);
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Reads the frames of one segment into `segment` up to its first bad spot.
// `expected` is the LSN the next frame must carry; it is reset after a bad spot.
void ScanSegment(ScannedSegment& segment, bool last, std::optional<Lsn>& expected) {
  auto data = Bytes(segment.bytes);
  // Unsigned wrap-around for a segment named 0 matches recovery's arithmetic.
  Lsn last_seen = segment.name_lsn - 1;
  auto mark = [&](size_t offset, std::string why, bool definitely_corrupt) {
    bool torn = last && !definitely_corrupt &&
                !wal::SyncedBeforeLaterFrame(data, offset + 1, last_seen + 1);
    segment.bad = BadSpot{torn ? BadSpot::Kind::kTornTail : BadSpot::Kind::kCorruption, offset,
                          std::move(why)};
    expected.reset();
  };

  std::string why;
  bool intact = false;
  auto header = wal::ParseSegmentHeader(data, &why, &intact);
  if (!header) {
    // A header whose checksum fails may be the torn tail: a new segment's header is
    // synced only with its first batch.
    return mark(0, why, intact);
  }
  if (header->first_lsn != segment.name_lsn) {
    return mark(0,
                "segment header says first LSN " + std::to_string(header->first_lsn) +
                    ", its name says " + std::to_string(segment.name_lsn),
                true);
  }
  // Segments follow on from each other, as recovery checks: frames lost at the end of
  // the segment before (read back as zeros) show only here when this one is empty.
  if (expected && segment.name_lsn != *expected) {
    return mark(0,
                "LSN gap (expected " + std::to_string(*expected) + ", found segment " +
                    std::to_string(segment.name_lsn) + ")",
                true);
  }
  // LSNs start at 1: a frame claiming 0 is one recovery would skip.
  if (!expected) expected = std::max<Lsn>(segment.name_lsn, 1);
  size_t offset = wal::kSegmentHeaderSize;
  while (offset < data.size()) {
    wal::Frame frame;
    wal::FrameError error = wal::ParseFrame(data.subspan(offset), &frame);
    if (error != wal::FrameError::kNone) {
      wal::ZeroTail zeros = wal::ClassifyZeroTail(data.subspan(offset));
      if (zeros == wal::ZeroTail::kToTheEnd) return;  // the segment's frames end here
      if (zeros == wal::ZeroTail::kAmidRecords) return mark(offset, "zeros amid records", false);
      return mark(offset, wal::Describe(error), error == wal::FrameError::kBadVersion);
    }
    if (frame.lsn > *expected) {
      return mark(offset,
                  "LSN gap (expected " + std::to_string(*expected) + ", found " +
                      std::to_string(frame.lsn) + ")",
                  true);
    }
    if (frame.lsn < *expected) {
      segment.bad =
          BadSpot{BadSpot::Kind::kStaleLsn, offset,
                  "LSN " + std::to_string(frame.lsn) + " where " + std::to_string(*expected) +
                      " was expected (recovery would skip the frame)"};
      expected.reset();
      return;
    }
    last_seen = frame.lsn;
    segment.records.push_back(ScannedRecord{frame.lsn, frame.type, frame.payload, offset});
    ++*expected;
    offset += frame.size;
  }
}

}  // namespace

Status ReadOnlyFileSystem::CreateDir(const std::string& path) {
  return Refused("create directory", path);
}
Status ReadOnlyFileSystem::ListDir(const std::string& dir, std::vector<std::string>* names) {
  return base_->ListDir(dir, names);
}
Status ReadOnlyFileSystem::NewWritableFile(const std::string& path,
                                           std::unique_ptr<wal::WritableFile>*) {
  return Refused("create", path);
}
Status ReadOnlyFileSystem::ReadFile(const std::string& path, std::string* contents) {
  return base_->ReadFile(path, contents);
}
Status ReadOnlyFileSystem::Truncate(const std::string& path, uint64_t) {
  return Refused("truncate", path);
}
Status ReadOnlyFileSystem::Rename(const std::string& from, const std::string&) {
  return Refused("rename", from);
}
Status ReadOnlyFileSystem::Remove(const std::string& path) { return Refused("remove", path); }
Status ReadOnlyFileSystem::SyncDir(const std::string& dir) { return Refused("sync", dir); }

Status ScanLog(wal::FileSystem* fs, const std::string& wal_dir,
               const std::function<void(const ScannedSegment&)>& visit) {
  std::vector<wal::SegmentInfo> segments;
  if (Status s = wal::ListSegments(fs, wal_dir, &segments); !s.ok()) return s;
  std::optional<Lsn> expected;
  for (size_t i = 0; i < segments.size(); ++i) {
    ScannedSegment segment;
    segment.name = segments[i].name;
    segment.path = wal::JoinPath(wal_dir, segment.name);
    segment.name_lsn = segments[i].first_lsn;
    if (Status s = fs->ReadFile(segment.path, &segment.bytes); !s.ok()) return s;
    ScanSegment(segment, i + 1 == segments.size(), expected);
    visit(segment);
  }
  return Status::Ok();
}

const char* Describe(BadSpot::Kind kind) {
  switch (kind) {
    case BadSpot::Kind::kTornTail:
      return "torn tail";
    case BadSpot::Kind::kCorruption:
      return "corruption";
    case BadSpot::Kind::kStaleLsn:
      return "stale LSN";
  }
  return "unknown";
}

std::string Describe(const ScannedSegment& segment, const BadSpot& bad) {
  return segment.path + ": " + Describe(bad.kind) + " at offset " + std::to_string(bad.offset) +
         ": " + bad.why;
}

}  // namespace ecomm::waltool
