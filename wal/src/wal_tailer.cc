#include "ecomm/wal/wal_tailer.h"

#include <algorithm>

#include "dir_watch.h"
#include "ecomm/invariant.h"

namespace ecomm::wal {

namespace {

// The unit of reading: large enough that catching up on a 64 MiB segment takes few
// reads, small enough to bound the memory of a reader beside the server.
constexpr size_t kChunkBytes = size_t{1} << 20;
// The read at the live end of the newest segment, where the writer's next frames land
// on its zero tail: a whole chunk there would be mostly zeros, read on every look.
constexpr size_t kTailChunkBytes = size_t{16} << 10;

bool ByFirstLsn(Lsn lsn, const SegmentInfo& segment) { return lsn < segment.first_lsn; }

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
  return std::span(reinterpret_cast<const uint8_t*>(buffer_.data()), buffer_.size())
      .subspan(segment_->frames.offset() - buffer_offset_);
}

// Reads the header or frame at the iterator, reading more of the segment when it is
// not all there, and decides what its end or a bad spot means.
Status WalTailer::Step(std::vector<TailedRecord>* out, Outcome* outcome) {
  if (!segment_) {
    if (Status s = Locate(); !s.ok()) return s;
    if (!segment_) *outcome = Outcome::kWait;  // the writer has not created a segment yet
    return Status::Ok();
  }
  SegmentIterator& frames = segment_->frames;
  switch (frames.Next(Unparsed(), false)) {
    case SegmentIterator::Item::kFrame:
      Deliver(frames.frame(), out, outcome);
      return Status::Ok();
    case SegmentIterator::Item::kEnd:
      return AtZeroTail(outcome);
    case SegmentIterator::Item::kBadSpot:
      return AtBadSpot(outcome);
    case SegmentIterator::Item::kMore:
      break;
  }
  size_t had = Unparsed().size();
  if (Status s = ReadMore(frames.missing()); !s.ok()) return s;
  if (!segment_ || Unparsed().size() > had) return Status::Ok();  // look again
  return AtEndOfFile(outcome);
}

void WalTailer::Deliver(const Frame& frame, std::vector<TailedRecord>* out, Outcome* outcome) {
  // Records up to `after` are skipped in the segment the tailer starts in. It is the
  // last to begin at or before expected_, and LSNs run on without a gap from there,
  // so no record can pass expected_ unseen.
  if (frame.lsn < expected_) return;
  ECOMM_INVARIANT(frame.lsn == expected_, "the tailer reads LSNs in order");
  out->push_back(
      TailedRecord{frame.lsn, frame.type, std::string(frame.payload.begin(), frame.payload.end())});
  if (unsynced_.empty() || unsynced_.back() != segment_->path) unsynced_.push_back(segment_->path);
  ++expected_;
  *outcome = Outcome::kRecord;
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
  Open(*std::prev(after), std::nullopt);
  return Status::Ok();
}

void WalTailer::Open(const SegmentInfo& info, std::optional<Lsn> starts_at) {
  segment_ = Segment{.info = info,
                     .path = JoinPath(dir_, info.name),
                     .frames = SegmentIterator(info.first_lsn, starts_at)};
  reread_at_.reset();
  buffer_.clear();
  buffer_offset_ = 0;
}

// Appends the next chunk (at least `at_least` bytes, if the file has them) to the
// unparsed bytes. A segment that no longer exists was deleted by retention: the
// segment holding expected_ is then looked for again, and if it is gone too the next
// Step reports NotFound.
Status WalTailer::ReadMore(size_t at_least) {
  uint64_t parsed = segment_->frames.offset();
  buffer_.erase(0, parsed - buffer_offset_);
  buffer_offset_ = parsed;
  size_t chunk = at_tail_ ? kTailChunkBytes : kChunkBytes;
  at_tail_ = false;
  Status s = fs_->ReadFileRange(segment_->path, buffer_offset_ + buffer_.size(),
                                std::max(chunk, at_least), &chunk_);
  if (s.code() == ErrorCode::kFileNotFound) {
    segment_.reset();
    return Status::Ok();
  }
  if (!s.ok()) return s;
  buffer_.append(chunk_);
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
  buffer_.clear();
  buffer_offset_ = segment_->frames.offset();
}

// Zeros where the next frame would be: where the writer's frames end for now, or, in
// a segment a newer one follows, for good. What follows the zeros of a closed segment
// is not read (it may be most of 64 MiB): the newer segment must start at the LSN
// after the last frame, so frames lost to zeros show there as an LSN gap.
Status WalTailer::AtZeroTail(Outcome* outcome) {
  if (!segment_->successor) return WaitOrReread(outcome);
  SegmentInfo next = *segment_->successor;
  Open(next, segment_->frames.next_lsn());
  return Status::Ok();
}

// The segment has no more bytes now, and those at hand end in part of a header or
// frame (or in fewer zeros than a frame header).
Status WalTailer::AtEndOfFile(Outcome* outcome) {
  if (!segment_->successor) return WaitOrReread(outcome);
  // Closed, and read again in full since its successor was seen: its file ends here.
  SegmentIterator::Item item = segment_->frames.Next(Unparsed(), true);
  if (item == SegmentIterator::Item::kBadSpot) return AtBadSpot(outcome);
  ECOMM_INVARIANT(item == SegmentIterator::Item::kEnd, "bytes too few for a frame hold none");
  return AtZeroTail(outcome);
}

// At the end of what the segment holds for now. Reads again from the last whole frame
// rather than keep a partial one: if the segment has a successor now, it was complete
// before that was created, so a read after the listing sees all of it; if not, the
// writer is mid-write (or died, and its recovery will cut the segment, which would
// make kept bytes stale).
Status WalTailer::WaitOrReread(Outcome* outcome) {
  if (Status s = LookForSuccessor(); !s.ok()) return s;
  Rewind();
  at_tail_ = !segment_->successor;
  *outcome = segment_->successor ? Outcome::kContinue : Outcome::kWait;
  return Status::Ok();
}

// A bad spot in the newest segment is the torn tail of a write the writer never
// finished (it died, and its recovery will cut the segment) when recovery would judge
// it so, from the bytes at hand (what the last read brought, up to a chunk past it):
// waited on. Anything else is corruption.
Status WalTailer::AtBadSpot(Outcome* outcome) {
  const BadSpot& bad = segment_->frames.bad();
  if (bad.may_be_torn && !segment_->successor) {
    if (Status s = LookForSuccessor(); !s.ok()) return s;
    if (segment_->successor) {
      Rewind();  // closed meanwhile: read it again once, complete, before judging
      return Status::Ok();
    }
    if (segment_->frames.IsTornTail(Unparsed())) {
      Rewind();
      at_tail_ = true;
      *outcome = Outcome::kWait;
      return Status::Ok();
    }
    // A read racing the writer can see a batch in part and a later one whole: the
    // writer overwrites its zero tail, and a read copies page after page while the
    // writer does. The earlier batch was complete before the later one was written,
    // so a read that starts now sees all of it: judge only what a second read shows.
    if (reread_at_ != bad.offset) {
      reread_at_ = bad.offset;
      Rewind();
      return Status::Ok();
    }
  }
  return Status::Corruption(bad.Describe(segment_->path));
}

Status OldestLsn(FileSystem* fs, const std::string& dir, std::optional<Lsn>* lsn) {
  lsn->reset();
  std::vector<SegmentInfo> segments;
  if (Status s = ListSegments(fs, dir, &segments); !s.ok()) return s;
  if (!segments.empty()) *lsn = segments.front().first_lsn;
  return Status::Ok();
}

}  // namespace ecomm::wal
