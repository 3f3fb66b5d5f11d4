#include "log_scan.h"

#include "ecomm/bytes.h"
#include "ecomm/invariant.h"
#include "ecomm/wal/segment_iterator.h"
#include "ecomm/wal/wal_reader.h"

namespace ecomm::waltool {

namespace {

using wal::Lsn;

Status Refused(const std::string& what, const std::string& path) {
  return Status::InvalidArgument("ecomm-wal is read-only: refused to " + what + " " + path);
}

// Reads the frames of one segment into `segment` up to its first bad spot, judged as
// recovery judges it (wal/src/wal_reader.cc) but only reported. `starts_at` is the
// LSN the segment must start at: after its frames, the LSN the next one must start
// at; after a bad spot, nothing (the next segment is taken at its word).
void ScanSegment(ScannedSegment& segment, bool last, std::optional<Lsn>& starts_at) {
  auto data = AsBytes(segment.bytes);
  wal::SegmentIterator frames(segment.name_lsn, starts_at);
  starts_at.reset();
  while (true) {
    std::span<const uint8_t> rest = data.subspan(frames.offset());
    switch (frames.Next(rest, true)) {
      case wal::SegmentIterator::Item::kFrame: {
        const wal::Frame& frame = frames.frame();
        segment.records.push_back(
            ScannedRecord{frame.lsn, frame.type, frame.payload, frames.offset() - frame.size});
        break;
      }
      case wal::SegmentIterator::Item::kEnd:
        starts_at = frames.next_lsn();
        return;
      case wal::SegmentIterator::Item::kBadSpot: {
        const wal::BadSpot& bad = frames.bad();
        bool torn = last && frames.IsTornTail(rest);
        segment.bad = BadSpot{torn ? BadSpot::Kind::kTornTail : BadSpot::Kind::kCorruption,
                              bad.offset, bad.why};
        return;
      }
      case wal::SegmentIterator::Item::kMore:
        ECOMM_INVARIANT(false, "a whole segment has no incomplete frame, only a bad spot");
    }
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
  std::optional<Lsn> starts_at;
  for (size_t i = 0; i < segments.size(); ++i) {
    ScannedSegment segment;
    segment.name = segments[i].name;
    segment.path = wal::JoinPath(wal_dir, segment.name);
    segment.name_lsn = segments[i].first_lsn;
    if (Status s = fs->ReadFile(segment.path, &segment.bytes); !s.ok()) return s;
    ScanSegment(segment, i + 1 == segments.size(), starts_at);
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
  }
  return "unknown";
}

std::string Describe(const ScannedSegment& segment, const BadSpot& bad) {
  return segment.path + ": " + Describe(bad.kind) + " at offset " + std::to_string(bad.offset) +
         ": " + bad.why;
}

}  // namespace ecomm::waltool
