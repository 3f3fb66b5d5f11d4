#include "ecomm/wal/wal_reader.h"

#include "ecomm/wal/log_format.h"

namespace ecomm::wal {

namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Where(const std::string& path, size_t offset) {
  return path + " at offset " + std::to_string(offset);
}

class Replay {
 public:
  Replay(FileSystem* fs, const std::string& dir, Lsn after, RecoveryMode mode,
         const std::function<Status(const WalRecord&)>& apply, ReplayReport* report)
      : fs_(fs), dir_(dir), mode_(mode), apply_(apply), report_(report), expected_(after + 1) {
    report_->last_lsn = after;
  }

  Status Run() {
    std::vector<SegmentInfo> segments;
    if (Status s = ListSegments(fs_, dir_, &segments); !s.ok()) return s;
    // Skip segments that end before the first record needed.
    size_t start = 0;
    while (start + 1 < segments.size() && segments[start + 1].first_lsn <= expected_) ++start;
    for (size_t i = start; i < segments.size(); ++i) {
      bool last = i + 1 == segments.size();
      bool cut = false;
      if (Status s = ReadSegment(segments[i], last, &cut); !s.ok()) return s;
      if (cut) return RemoveFrom(segments, i + 1);
    }
    return Status::Ok();
  }

 private:
  // Cuts the segment at `offset` (a torn tail, or corruption under kTruncate).
  Status Cut(const std::string& path, size_t offset, size_t size, const char* why) {
    report_->cut += path + ": cut " + std::to_string(size - offset) + " bytes at offset " +
                    std::to_string(offset) + " (" + why + ")";
    if (offset == 0) return fs_->Remove(path);
    return fs_->Truncate(path, offset);
  }

  Status RemoveFrom(const std::vector<SegmentInfo>& segments, size_t from) {
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

  Status ReadSegment(const SegmentInfo& segment, bool last, bool* cut) {
    std::string path = JoinPath(dir_, segment.name);
    std::string contents;
    if (Status s = fs_->ReadFile(path, &contents); !s.ok()) return s;
    auto data = Bytes(contents);
    ++report_->segments;
    report_->bytes += data.size();

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
    while (offset < data.size()) {
      Frame frame;
      FrameError error = ParseFrame(data.subspan(offset), &frame);
      if (error != FrameError::kNone) {
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
    return Status::Ok();
  }

  FileSystem* fs_;
  const std::string& dir_;
  RecoveryMode mode_;
  const std::function<Status(const WalRecord&)>& apply_;
  ReplayReport* report_;
  Lsn expected_;
  Lsn last_seen_ = 0;  // the last good frame of the segment being read
};

}  // namespace

Status ListSegments(FileSystem* fs, const std::string& dir, std::vector<SegmentInfo>* segments) {
  segments->clear();
  std::vector<std::string> names;
  Status s = fs->ListDir(dir, &names);
  if (s.code() == Status::Code::kNotFound) return Status::Ok();
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    if (auto lsn = ParseSegmentFileName(name)) segments->push_back(SegmentInfo{name, *lsn});
  }
  return Status::Ok();
}

Status ReplayWal(FileSystem* fs, const std::string& dir, Lsn after, RecoveryMode mode,
                 const std::function<Status(const WalRecord&)>& apply, ReplayReport* report) {
  return Replay(fs, dir, after, mode, apply, report).Run();
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
