#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/journal.h"
#include "ecomm/wal/segment_iterator.h"
#include "ecomm/wal/wal_reader.h"

namespace ecomm::wal {

class DirWatch;

struct TailedRecord {
  Lsn lsn;
  uint8_t type;
  std::string payload;
};

// Follows the segments of a WAL directory read-only, from the first record after `after`,
// across segment rollover, as a live writer appends to them. Never writes, never cuts.
// It reads the bytes the writer has handed to the OS, synced or not (wal/FORMAT.md,
// "Tailing the log"). Not thread-safe: one thread calls Next and WaitForData.
class WalTailer {
 public:
  WalTailer(FileSystem* fs, std::string dir, Lsn after);
  ~WalTailer();
  WalTailer(const WalTailer&) = delete;
  WalTailer& operator=(const WalTailer&) = delete;

  // Appends to `out` up to `max` records following the last one returned, in LSN order,
  // as far as complete, checksummed frames exist now. OK with nothing appended at the tail
  // (a partial frame at the end of the newest segment is a write in progress: wait).
  // Corruption (naming file and offset) for a bad frame that is not the tail of the newest
  // segment, a segment that ends in a partial frame although a newer segment exists
  // (re-read once before concluding: the writer syncs and closes a segment before creating
  // the next), an LSN gap or version problem. NotFound when the record after `after` is no
  // longer in the directory (its segment was deleted): the message names the oldest LSN
  // still there. A call that fails appends nothing: records before a bad spot come first,
  // and the next call reports it.
  Status Next(size_t max, std::vector<TailedRecord>* out);

  // Blocks until the directory or the current segment may have changed, or `timeout`
  // passes (inotify on the directory for IN_MODIFY/IN_CREATE/IN_MOVED_TO, no busy
  // polling; if inotify is unavailable, sleeps `timeout`). Spurious wake-ups are fine.
  // It watches `dir` on the real file system whatever `fs` is: with any other file
  // system it just sleeps.
  void WaitForData(std::chrono::milliseconds timeout);

  // Makes every record returned so far durable (FileSystem::SyncFile on the segments it
  // came from). The tailer returns what the writer has written, synced or not; a reader
  // that passes records on (the shipper) calls this first, so that nothing it passed on
  // can vanish from the log in a power cut and its LSN be given to another record.
  Status SyncReturned();

  Lsn last_lsn() const;  // the last record returned, or `after` before any

 private:
  // The segment being read.
  struct Segment {
    SegmentInfo info;
    std::string path;
    SegmentIterator frames;
    // The segment after it, once one exists: then no write is in progress here (the
    // writer syncs and closes a segment before it creates the next).
    std::optional<SegmentInfo> successor = std::nullopt;
  };
  // What one step of reading did.
  enum class Outcome : uint8_t { kRecord, kContinue, kWait };

  Status Step(std::vector<TailedRecord>* out, Outcome* outcome);
  void Deliver(const Frame& frame, std::vector<TailedRecord>* out, Outcome* outcome);
  Status Locate();
  void Open(const SegmentInfo& info, std::optional<Lsn> starts_at);
  Status ReadMore(size_t at_least);
  Status LookForSuccessor();
  Status AtZeroTail(Outcome* outcome);
  Status AtEndOfFile(Outcome* outcome);
  Status WaitOrReread(Outcome* outcome);
  Status AtBadSpot(Outcome* outcome);
  // Forgets the unparsed bytes, to read them again from the file.
  void Rewind();
  std::span<const uint8_t> Unparsed() const;

  FileSystem* const fs_;
  const std::string dir_;
  Lsn expected_;          // the LSN of the next record to return
  bool at_tail_ = false;  // the last look found the live end: read little
  // The offset of a bad spot in the newest segment read once more before judging it.
  std::optional<uint64_t> reread_at_;
  std::optional<Segment> segment_;  // none until a segment holding `expected_` is found
  // Bytes of the segment read but not yet returned: at most a chunk and an incomplete
  // frame, so memory stays bounded whatever the segment size. It starts at file offset
  // buffer_offset_; what is before segment_->frames.offset() is parsed.
  std::string buffer_;
  uint64_t buffer_offset_ = 0;
  std::string chunk_;  // the last read, kept for its capacity
  std::unique_ptr<DirWatch> watch_;
  std::vector<std::string> unsynced_;  // segments records were returned from since a sync
};

// The first LSN in `dir`'s segments, or nothing when there are none.
Status OldestLsn(FileSystem* fs, const std::string& dir, std::optional<Lsn>* lsn);

}  // namespace ecomm::wal
