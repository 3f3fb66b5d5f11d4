#include "ecomm/wal/wal_reader.h"

#include <future>
#include <memory>
#include <optional>

#include "ecomm/bytes.h"
#include "ecomm/invariant.h"
#include "ecomm/wal/segment_iterator.h"

namespace ecomm::wal {

namespace {

// A segment read, and its frames' checksums verified, on a helper thread while the
// previous segment is applied: recovery is CPU-bound on one thread, and the machine
// has a second core.
struct LoadedSegment {
  Status read;
  std::string contents;
  size_t verified_end = 0;  // every frame that begins before this offset has a good checksum
};

std::unique_ptr<LoadedSegment> LoadSegment(FileSystem* fs, const std::string& path, Lsn name_lsn) {
  auto loaded = std::make_unique<LoadedSegment>();
  loaded->read = fs->ReadFile(path, &loaded->contents);
  if (!loaded->read.ok()) return loaded;
  auto data = AsBytes(loaded->contents);
  SegmentIterator frames(name_lsn, std::nullopt);
  while (frames.Next(data.subspan(frames.offset()), true) == SegmentIterator::Item::kFrame) {
  }
  loaded->verified_end = frames.offset();
  return loaded;
}

class Replay {
 public:
  Replay(FileSystem* fs, const std::string& dir, Lsn after, Lsn until, RecoveryMode mode,
         const std::function<Status(const WalRecord&)>& apply, ReplayReport* report)
      : fs_(fs),
        dir_(dir),
        until_(until),
        mode_(mode),
        apply_(apply),
        report_(report),
        expected_(after + 1) {
    report_->last_lsn = after;
  }

  Status Run() {
    std::vector<SegmentInfo> segments;
    if (Status s = ListSegments(fs_, dir_, &segments); !s.ok()) return s;
    if (segments.empty()) return Status::Ok();
    // Skip segments that end before the first record needed. The first segment read
    // must hold that record (it may begin before it: those records are skipped); each
    // later one must start where the one before ended.
    size_t start = 0;
    while (start + 1 < segments.size() && segments[start + 1].first_lsn <= expected_) ++start;
    std::optional<Lsn> starts_at;
    if (segments[start].first_lsn > expected_) starts_at = expected_;
    for (size_t i = start; i < segments.size(); ++i) {
      std::unique_ptr<LoadedSegment> loaded =
          i == start ? LoadSegment(fs_, Path(segments[i]), segments[i].first_lsn) : ahead_.get();
      if (!loaded->read.ok()) return loaded->read;
      bool last = i + 1 == segments.size();
      if (!last) {
        ahead_ = std::async(std::launch::async, LoadSegment, fs_, Path(segments[i + 1]),
                            segments[i + 1].first_lsn);
      }
      SegmentIterator frames(segments[i].first_lsn, starts_at);
      frames.TrustChecksumsBefore(loaded->verified_end);
      bool cut = false;
      if (Status s = ReadSegment(Path(segments[i]), *loaded, last, frames, &cut); !s.ok()) {
        return s;
      }
      if (cut) return RemoveFrom(segments, i + 1);
      if (expected_ > until_) break;  // what follows is not wanted, whatever it holds
      starts_at = frames.next_lsn();
    }
    return Status::Ok();
  }

  // The helper reading ahead is done before the log is cut or left behind.
  ~Replay() { WaitForReadAhead(); }

 private:
  std::string Path(const SegmentInfo& segment) const { return JoinPath(dir_, segment.name); }

  void WaitForReadAhead() {
    if (ahead_.valid()) ahead_.wait();
  }

  // Cuts the segment at `offset` (a torn tail, or corruption under kTruncate).
  Status Cut(const std::string& path, size_t offset, size_t size, const std::string& why) {
    WaitForReadAhead();
    report_->cut += path + ": cut " + std::to_string(size - offset) + " bytes at offset " +
                    std::to_string(offset) + " (" + why + ")";
    if (offset == 0) return fs_->Remove(path);
    return fs_->Truncate(path, offset);
  }

  Status RemoveFrom(const std::vector<SegmentInfo>& segments, size_t from) {
    WaitForReadAhead();
    for (size_t i = from; i < segments.size(); ++i) {
      std::string path = JoinPath(dir_, segments[i].name);
      report_->cut += "; removed " + path;
      if (Status s = fs_->Remove(path); !s.ok()) return s;
    }
    return from < segments.size() ? fs_->SyncDir(dir_) : Status::Ok();
  }

  // Applies the frames of one segment, from the first one needed up to `until_`. A
  // torn tail is cut; other damage refuses to start, unless mode is kTruncate.
  Status ReadSegment(const std::string& path, const LoadedSegment& loaded, bool last,
                     SegmentIterator& frames, bool* cut) {
    auto data = AsBytes(loaded.contents);
    ++report_->segments;
    report_->bytes += data.size();
    while (expected_ <= until_) {
      std::span<const uint8_t> rest = data.subspan(frames.offset());
      switch (frames.Next(rest, true)) {
        case SegmentIterator::Item::kFrame:
          if (Status s = Apply(path, frames); !s.ok()) return s;
          break;
        case SegmentIterator::Item::kEnd:
          return Status::Ok();
        case SegmentIterator::Item::kBadSpot: {
          const BadSpot& bad = frames.bad();
          if (!(last && frames.IsTornTail(rest)) && mode_ != RecoveryMode::kTruncate) {
            return Status::Corruption(bad.Describe(path) +
                                      "; start with --recover=truncate to cut the log there");
          }
          *cut = true;
          return Cut(path, bad.offset, data.size(), bad.why);
        }
        case SegmentIterator::Item::kMore:
          ECOMM_INVARIANT(false, "a whole segment has no incomplete frame, only a bad spot");
      }
    }
    return Status::Ok();
  }

  // Applies the frame just read, unless the snapshot already holds it.
  Status Apply(const std::string& path, const SegmentIterator& frames) {
    const Frame& frame = frames.frame();
    if (frame.lsn < expected_) return Status::Ok();
    // The first segment read begins at or before expected_, and LSNs run on from there.
    ECOMM_INVARIANT(frame.lsn == expected_, "recovery reads LSNs in order");
    if (Status s = apply_(WalRecord{frame.lsn, frame.type, frame.payload}); !s.ok()) {
      return Status::Corruption("record " + std::to_string(frame.lsn) + " in " +
                                AtOffset(path, frames.offset() - frame.size) +
                                " cannot be applied: " + s.message());
    }
    ++report_->records;
    report_->last_lsn = frame.lsn;
    ++expected_;
    return Status::Ok();
  }

  FileSystem* fs_;
  const std::string& dir_;
  Lsn until_;
  RecoveryMode mode_;
  const std::function<Status(const WalRecord&)>& apply_;
  ReplayReport* report_;
  Lsn expected_;
  std::future<std::unique_ptr<LoadedSegment>> ahead_;  // the next segment, being loaded
};

}  // namespace

Status ListSegments(FileSystem* fs, const std::string& dir, std::vector<SegmentInfo>* segments) {
  segments->clear();
  std::vector<std::string> names;
  Status s = fs->ListDir(dir, &names);
  if (s.code() == ErrorCode::kFileNotFound) return Status::Ok();
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    if (auto lsn = ParseSegmentFileName(name)) segments->push_back(SegmentInfo{name, *lsn});
  }
  return Status::Ok();
}

Status ReplayWal(FileSystem* fs, const std::string& dir, Lsn after, Lsn until, RecoveryMode mode,
                 const std::function<Status(const WalRecord&)>& apply, ReplayReport* report) {
  return Replay(fs, dir, after, until, mode, apply, report).Run();
}

Status CutLogAfter(FileSystem* fs, const std::string& dir, Lsn last, std::string* report) {
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs, dir, &segments); !s.ok()) return s;
  bool removed = false;
  while (!segments.empty() && segments.back().first_lsn > last) {
    std::string path = JoinPath(dir, segments.back().name);
    if (Status s = fs->Remove(path); !s.ok()) return s;
    *report += "removed " + path + "; ";
    segments.pop_back();
    removed = true;
  }
  // The later segments are gone for good before the one holding `last` is cut: a crash
  // in between must not leave them behind a gap.
  if (removed) {
    if (Status s = fs->SyncDir(dir); !s.ok()) return s;
  }
  if (!segments.empty()) {
    // The frames of the segment holding `last` end with it: cut at the next frame, or
    // at the end of the frames (its zero tail goes too: a new segment follows).
    std::string path = JoinPath(dir, segments.back().name);
    std::string contents;
    if (Status s = fs->ReadFile(path, &contents); !s.ok()) return s;
    auto data = AsBytes(contents);
    SegmentIterator frames(segments.back().first_lsn, std::nullopt);
    uint64_t cut_at = 0;
    while (true) {
      SegmentIterator::Item item = frames.Next(data.subspan(frames.offset()), true);
      if (item == SegmentIterator::Item::kFrame && frames.frame().lsn <= last) continue;
      if (item == SegmentIterator::Item::kFrame) {
        cut_at = frames.offset() - frames.frame().size;
      } else if (frames.next_lsn() == last + 1) {
        cut_at = frames.offset();  // whatever follows `last` (a write cut short) goes
      } else {
        return Status::Corruption(
            (item == SegmentIterator::Item::kBadSpot
                 ? frames.bad().Describe(path)
                 : path + " ends at LSN " + std::to_string(frames.next_lsn() - 1)) +
            ": cannot cut the log after LSN " + std::to_string(last));
      }
      break;
    }
    if (cut_at < data.size()) {
      if (Status s = fs->Truncate(path, cut_at); !s.ok()) return s;
      *report += path + ": cut " + std::to_string(data.size() - cut_at) + " bytes at offset " +
                 std::to_string(cut_at) + "; ";
    }
    // Synced even uncut: the writer vouches for everything up to `last` from here on.
    if (Status s = fs->SyncFile(path); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RemoveSegmentsBefore(FileSystem* fs, const std::string& dir, Lsn keep_from,
                            uint64_t* removed) {
  *removed = 0;
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs, dir, &segments); !s.ok()) return s;
  for (size_t i = 0; i + 1 < segments.size() && segments[i + 1].first_lsn <= keep_from; ++i) {
    if (Status s = fs->Remove(JoinPath(dir, segments[i].name)); !s.ok()) return s;
    ++*removed;
  }
  return *removed > 0 ? fs->SyncDir(dir) : Status::Ok();
}

}  // namespace ecomm::wal
