#include "ecomm/wal/wal_reader.h"

#include <future>
#include <memory>
#include <optional>

#include "ecomm/wal/log_format.h"

namespace ecomm::wal {

namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Where(const std::string& path, size_t offset) {
  return path + " at offset " + std::to_string(offset);
}

// A segment read, and its frames' checksums verified, on a helper thread while the
// previous segment is applied: recovery is CPU-bound on one thread, and the machine
// has a second core.
struct LoadedSegment {
  Status read;
  std::string contents;
  size_t verified_end = 0;  // every frame wholly before this offset has a good checksum
};

std::unique_ptr<LoadedSegment> LoadSegment(FileSystem* fs, const std::string& path) {
  auto loaded = std::make_unique<LoadedSegment>();
  loaded->read = fs->ReadFile(path, &loaded->contents);
  if (!loaded->read.ok()) return loaded;
  auto data = Bytes(loaded->contents);
  size_t offset = kSegmentHeaderSize;
  Frame frame;
  while (offset < data.size() && ParseFrame(data.subspan(offset), &frame) == FrameError::kNone) {
    offset += frame.size;
  }
  loaded->verified_end = offset;
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
    // Skip segments that end before the first record needed.
    size_t start = 0;
    while (start + 1 < segments.size() && segments[start + 1].first_lsn <= expected_) ++start;
    for (size_t i = start; i < segments.size(); ++i) {
      std::unique_ptr<LoadedSegment> loaded =
          i == start ? LoadSegment(fs_, Path(segments[i])) : ahead_.get();
      if (!loaded->read.ok()) return loaded->read;
      bool last = i + 1 == segments.size();
      if (!last) ahead_ = std::async(std::launch::async, LoadSegment, fs_, Path(segments[i + 1]));
      bool cut = false;
      if (Status s = ReadSegment(segments[i], *loaded, last, &cut); !s.ok()) return s;
      if (cut) return RemoveFrom(segments, i + 1);
      if (expected_ > until_) break;  // what follows is not wanted, whatever it holds
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
  Status Cut(const std::string& path, size_t offset, size_t size, const char* why) {
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

  // A bad spot at `offset`: torn tail, truncation or corruption, per the rules above.
  Status BadSpot(const std::string& path, std::span<const uint8_t> data, size_t offset, bool last,
                 bool definitely_corrupt, const char* why, bool* cut) {
    bool torn =
        last && !definitely_corrupt && !SyncedBeforeLaterFrame(data, offset + 1, last_seen_ + 1);
    if (!torn && mode_ != RecoveryMode::kTruncate) {
      return Status::Corruption(std::string(why) + " in " + Where(path, offset) +
                                "; start with --recover=truncate to cut the log there");
    }
    *cut = true;
    return Cut(path, offset, data.size(), why);
  }

  Status ReadSegment(const SegmentInfo& segment, const LoadedSegment& loaded, bool last,
                     bool* cut) {
    std::string path = Path(segment);
    auto data = Bytes(loaded.contents);
    ++report_->segments;
    report_->bytes += data.size();

    // Segments follow on from each other. This catches what a frame's LSN cannot: the
    // last frames of the segment before read back as zeros (the end of its frames,
    // to the reader) while this one holds no frame yet.
    if (previous_last_ && segment.first_lsn != *previous_last_ + 1) {
      std::string gap = "LSN gap (expected " + std::to_string(*previous_last_ + 1) +
                        ", found segment " + std::to_string(segment.first_lsn) + ")";
      return BadSpot(path, data, 0, last, true, gap.c_str(), cut);
    }
    std::string why;
    bool intact = false;
    last_seen_ = segment.first_lsn - 1;
    auto header = ParseSegmentHeader(data, &why, &intact);
    if (!header) {
      // A header whose checksum fails may be the torn tail: the header of a new
      // segment is synced only with its first batch.
      return BadSpot(path, data, 0, last, intact, why.c_str(), cut);
    }
    if (header->first_lsn != segment.first_lsn) {
      return Status::Corruption("segment header LSN does not match its name: " + path);
    }
    size_t offset = kSegmentHeaderSize;
    while (offset < data.size() && expected_ <= until_) {
      Frame frame;
      FrameError error = ParseFrame(
          data.subspan(offset), &frame,
          offset < loaded.verified_end ? ChecksumCheck::kTrusted : ChecksumCheck::kVerify);
      if (error != FrameError::kNone) {
        ZeroTail zeros = ClassifyZeroTail(data.subspan(offset));
        if (zeros == ZeroTail::kToTheEnd) break;  // the segment's frames end here
        if (zeros == ZeroTail::kAmidRecords) {
          return BadSpot(path, data, offset, last, false, "zeros amid records", cut);
        }
        return BadSpot(path, data, offset, last, error == FrameError::kBadVersion, Describe(error),
                       cut);
      }
      last_seen_ = frame.lsn;
      if (frame.lsn >= expected_) {
        if (frame.lsn != expected_) {
          std::string gap = "LSN gap (expected " + std::to_string(expected_) + ", found " +
                            std::to_string(frame.lsn) + ")";
          return BadSpot(path, data, offset, last, true, gap.c_str(), cut);
        }
        if (Status s = apply_(WalRecord{frame.lsn, frame.type, frame.payload}); !s.ok()) {
          return Status::Corruption("record " + std::to_string(frame.lsn) + " in " +
                                    Where(path, offset) + " cannot be applied: " + s.message());
        }
        ++report_->records;
        report_->last_lsn = frame.lsn;
        ++expected_;
      }
      offset += frame.size;
    }
    previous_last_ = last_seen_;
    return Status::Ok();
  }

  FileSystem* fs_;
  const std::string& dir_;
  Lsn until_;
  RecoveryMode mode_;
  const std::function<Status(const WalRecord&)>& apply_;
  ReplayReport* report_;
  Lsn expected_;
  Lsn last_seen_ = 0;                 // the last good frame of the segment being read
  std::optional<Lsn> previous_last_;  // the last frame of the segment read before it
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
