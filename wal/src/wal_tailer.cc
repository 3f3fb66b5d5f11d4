#include "ecomm/wal/wal_tailer.h"

#include <algorithm>
#include <cassert>

#include "bytes.h"
#include "dir_watch.h"
#include "ecomm/invariant.h"
#include "ecomm/wal/log_format.h"

namespace ecomm::wal {

namespace {

// The unit of reading: large enough that catching up on a 64 MiB segment takes few
// reads, small enough to bound the memory of a reader beside the server.
constexpr size_t kChunkBytes = size_t{1} << 20;
// The read at the live end of the newest segment, where the writer's next frames land
// on its zero tail: a whole chunk there would be mostly zeros, read on every look.
constexpr size_t kTailChunkBytes = size_t{16} << 10;

std::string Where(const std::string& path, uint64_t offset) {
  return path + " at offset " + std::to_string(offset);
}

bool ByFirstLsn(Lsn lsn, const SegmentInfo& segment) { return lsn < segment.first_lsn; }

// How many more bytes the frame at the start of `data` needs to be whole, or 0 when
// it is whole (or its length is impossible) and `error` is final.
size_t MissingBytes(std::span<const uint8_t> data, FrameError error) {
  if (error == FrameError::kTruncatedHeader) return kFrameHeaderSize - data.size();
  if (error != FrameError::kBadLength) return 0;
  uint32_t length = GetU32(data.data());
  if (length > kMaxPayloadSize) return 0;
  assert(kFrameHeaderSize + length > data.size());  // a possible length fails only past the end
  return kFrameHeaderSize + length - data.size();
}

}  // namespace

WalTailer::WalTailer(FileSystem* fs, std::string dir, Lsn after)
    : fs_(fs),
      dir_(std::move(dir)),
      expected_(after + 1),
      watch_(std::make_unique<DirWatch>(dir_)) {}

WalTailer::~WalTailer() = default;

Lsn WalTailer::last_lsn() const { return expected_ - 1; }

Status WalTailer::SyncReturned() {
  for (const std::string& path : unsynced_) {
    Status s = fs_->SyncFile(path);
    // A segment that retention deleted was synced before a newer one was created.
    if (!s.ok() && s.code() != ErrorCode::kFileNotFound) return s;
  }
  unsynced_.clear();
  return Status::Ok();
}

void WalTailer::WaitForData(std::chrono::milliseconds timeout) { watch_->Wait(timeout); }

Status WalTailer::Next(size_t max, std::vector<TailedRecord>* out) {
  size_t appended = 0;
  while (appended < max) {
    Outcome outcome = Outcome::kContinue;
    // The records before an error are returned first; the error leaves the state as it
    // was, so the next call meets it again and reports it with nothing appended.
    if (Status s = Step(out, &outcome); !s.ok()) return appended > 0 ? Status::Ok() : s;
    if (outcome == Outcome::kWait) break;
    if (outcome == Outcome::kRecord) ++appended;
  }
  return Status::Ok();
}

std::span<const uint8_t> WalTailer::Unparsed() const {
  return {reinterpret_cast<const uint8_t*>(buffer_.data()) + pos_, buffer_.size() - pos_};
}

// Parses the header or frame at pos_, reading more of the segment when it is not all
// there, and decides what its end or a bad spot means.
Status WalTailer::Step(std::vector<TailedRecord>* out, Outcome* outcome) {
  if (!segment_) {
    if (Status s = Locate(); !s.ok()) return s;
    if (!segment_) *outcome = Outcome::kWait;  // the writer has not created a segment yet
    return Status::Ok();
  }
  std::span<const uint8_t> data = Unparsed();
  size_t missing = 0;
  if (!segment_->header_read) {
    if (data.size() < kSegmentHeaderSize) {
      missing = kSegmentHeaderSize - data.size();
    } else {
      std::string why;
      bool intact = false;
      std::optional<SegmentHeader> header = ParseSegmentHeader(data, &why, &intact);
      // A header whose checksum holds but which is refused has an unknown version.
      if (!header) return AtBadSpot(why, intact, outcome);
      if (header->first_lsn != segment_->info.first_lsn) {
        return AtBadSpot("segment header LSN does not match its name", true, outcome);
      }
      pos_ += kSegmentHeaderSize;
      segment_->header_read = true;
      return Status::Ok();
    }
  } else {
    Frame frame;
    FrameError error = ParseFrame(data, &frame);
    if (error == FrameError::kNone) {
      if (frame.lsn != segment_->next_lsn) {
        return AtBadSpot("LSN gap (expected " + std::to_string(segment_->next_lsn) + ", found " +
                             std::to_string(frame.lsn) + ")",
                         true, outcome);
      }
      pos_ += frame.size;
      ++segment_->next_lsn;
      // Records up to `after` are skipped in the segment the tailer starts in. It is the
      // last to begin at or before expected_, and LSNs run on without a gap from there,
      // so no record can pass expected_ unseen.
      if (frame.lsn < expected_) return Status::Ok();
      ECOMM_INVARIANT(frame.lsn == expected_, "the tailer reads LSNs in order");
      out->push_back(TailedRecord{frame.lsn, frame.type,
                                  std::string(frame.payload.begin(), frame.payload.end())});
      if (unsynced_.empty() || unsynced_.back() != segment_->path) {
        unsynced_.push_back(segment_->path);
      }
      ++expected_;
      *outcome = Outcome::kRecord;
      return Status::Ok();
    }
    // Where the writer's frames end for now; or, in a closed segment, for good.
    if (StartsZeroTail(data, false)) return AtEndOfData(outcome);
    missing = MissingBytes(data, error);
    if (missing == 0) return AtBadSpot(Describe(error), error == FrameError::kBadVersion, outcome);
  }
  size_t had = data.size();
  if (Status s = ReadMore(missing); !s.ok()) return s;
  if (!segment_ || Unparsed().size() > had) return Status::Ok();  // look again
  return AtEndOfData(outcome);
}

// Finds the segment holding expected_: the last one that begins at or before it.
Status WalTailer::Locate() {
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs_, dir_, &segments); !s.ok()) return s;
  if (segments.empty()) return Status::Ok();
  auto after = std::upper_bound(segments.begin(), segments.end(), expected_, ByFirstLsn);
  if (after == segments.begin()) {
    return Status::FileNotFound("record " + std::to_string(expected_) + " is no longer in " + dir_ +
                                " (its segment was deleted): the oldest LSN there is " +
                                std::to_string(segments.front().first_lsn));
  }
  Open(*std::prev(after));
  return Status::Ok();
}

void WalTailer::Open(const SegmentInfo& info) {
  segment_ = Segment{.info = info, .path = JoinPath(dir_, info.name), .next_lsn = info.first_lsn};
  reread_at_.reset();
  buffer_.clear();
  pos_ = 0;
  read_offset_ = 0;
}

// Appends the next chunk (at least `at_least` bytes, if the file has them) to the
// unparsed bytes. A segment that no longer exists was deleted by retention: the
// segment holding expected_ is then looked for again, and if it is gone too the next
// Step reports NotFound.
Status WalTailer::ReadMore(size_t at_least) {
  buffer_.erase(0, pos_);
  pos_ = 0;
  size_t chunk = at_tail_ ? kTailChunkBytes : kChunkBytes;
  at_tail_ = false;
  Status s = fs_->ReadFileRange(segment_->path, read_offset_, std::max(chunk, at_least), &chunk_);
  if (s.code() == ErrorCode::kFileNotFound) {
    segment_.reset();
    return Status::Ok();
  }
  if (!s.ok()) return s;
  buffer_.append(chunk_);
  read_offset_ += chunk_.size();
  return Status::Ok();
}

Status WalTailer::LookForSuccessor() {
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs_, dir_, &segments); !s.ok()) return s;
  auto next =
      std::upper_bound(segments.begin(), segments.end(), segment_->info.first_lsn, ByFirstLsn);
  if (next != segments.end()) segment_->successor = *next;
  return Status::Ok();
}

void WalTailer::Rewind() {
  read_offset_ = UnparsedOffset();
  buffer_.clear();
  pos_ = 0;
}

// The segment has no more bytes now, or no more frames: the unparsed bytes (if any)
// are an incomplete header or frame, or the zero tail.
Status WalTailer::AtEndOfData(Outcome* outcome) {
  if (!segment_->successor) {
    if (Status s = LookForSuccessor(); !s.ok()) return s;
    // Read again from the last whole frame rather than keep a partial one: if the
    // segment has a successor now, it was complete before that was created, so a read
    // after the listing sees all of it; if not, the writer is mid-write (or died, and
    // its recovery will cut the segment, which would make kept bytes stale).
    Rewind();
    at_tail_ = !segment_->successor;
    *outcome = segment_->successor ? Outcome::kContinue : Outcome::kWait;
    return Status::Ok();
  }
  // A closed segment's zero tail ends its frames; the next one must go on from them
  // (checked below), so no frame after zeros can be skipped unnoticed.
  bool ended = Unparsed().empty() || StartsZeroTail(Unparsed(), true);
  if (!segment_->header_read || !ended) {
    const char* what = segment_->header_read ? "record" : "segment header";
    return Status::Corruption(std::string("partial ") + what +
                              " at the end of a segment a newer one follows, in " +
                              Where(segment_->path, UnparsedOffset()));
  }
  SegmentInfo next = *segment_->successor;
  if (next.first_lsn != segment_->next_lsn) {
    return Status::Corruption("LSN gap (expected " + std::to_string(segment_->next_lsn) +
                              ", found " + std::to_string(next.first_lsn) + ") in " +
                              Where(JoinPath(dir_, next.name), 0));
  }
  Open(next);
  return Status::Ok();
}

// A header or frame at pos_ that is whole but bad. In the newest segment that is the
// torn tail of a write the writer never finished (it died, and its recovery will cut
// the segment) unless a later frame was appended after this one had been synced: the
// rule of recovery (wal/FORMAT.md), applied to the bytes at hand (what the last read
// brought, up to a chunk past the bad spot).
Status WalTailer::AtBadSpot(const std::string& why, bool definitely_corrupt, Outcome* outcome) {
  if (!definitely_corrupt && !segment_->successor) {
    if (Status s = LookForSuccessor(); !s.ok()) return s;
    if (segment_->successor) {
      Rewind();  // closed meanwhile: read it again once, complete, before judging
      return Status::Ok();
    }
    if (!SyncedBeforeLaterFrame(Unparsed(), 1, segment_->next_lsn)) {
      Rewind();
      at_tail_ = true;
      *outcome = Outcome::kWait;
      return Status::Ok();
    }
    // A read racing the writer can see a batch in part and a later one whole: the
    // writer overwrites its zero tail, and a read copies page after page while the
    // writer does. The earlier batch was complete before the later one was written,
    // so a read that starts now sees all of it: judge only what a second read shows.
    if (reread_at_ != UnparsedOffset()) {
      reread_at_ = UnparsedOffset();
      Rewind();
      return Status::Ok();
    }
  }
  return Status::Corruption(why + " in " + Where(segment_->path, UnparsedOffset()));
}

Status OldestLsn(FileSystem* fs, const std::string& dir, std::optional<Lsn>* lsn) {
  lsn->reset();
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs, dir, &segments); !s.ok()) return s;
  if (!segments.empty()) *lsn = segments.front().first_lsn;
  return Status::Ok();
}

}  // namespace ecomm::wal
