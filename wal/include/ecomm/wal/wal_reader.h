#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/journal.h"
#include "ecomm/wal/log_options.h"

namespace ecomm::wal {

struct WalRecord {
  Lsn lsn;
  uint8_t type;
  std::span<const uint8_t> payload;  // valid during the callback only
};

struct ReplayReport {
  Lsn last_lsn = 0;       // the last good record (or `after` when none follows it)
  uint64_t records = 0;   // records passed to the callback
  uint64_t bytes = 0;     // bytes of segments read
  uint64_t segments = 0;  // segment files read
  std::string cut;        // what a torn tail or --recover=truncate removed, if anything
};

// Reads the segments of `dir` in LSN order and calls `apply` for every record with
// `after` < LSN <= `until` (kMaxLsn: to the end), checking checksums, versions and LSN
// continuity on the way. Nothing past `until` is read: a live log's undurable tail
// may hold anything.
// An incomplete or bad record at the very end of the last segment is a torn write:
// the file is cut there (and `report->cut` says so). A bad record followed by good
// ones is corruption: a Status naming file and offset, unless mode is kTruncate. An
// error returned by `apply` stops the replay and is returned.
Status ReplayWal(FileSystem* fs, const std::string& dir, Lsn after, Lsn until, RecoveryMode mode,
                 const std::function<Status(const WalRecord&)>& apply, ReplayReport* report);

struct SegmentInfo {
  std::string name;
  Lsn first_lsn;
};
// The segment files of `dir`, ascending; empty when the directory does not exist.
Status ListSegments(FileSystem* fs, const std::string& dir, std::vector<SegmentInfo>* segments);

// Takes every record past `last` out of the log of `dir`, durable or not: later
// segments are removed, the one holding `last` is cut after its frame, and file and
// directory are synced. What was removed is added to `report`. A replica does this to
// records that did not count (WalWriter::CutBack); the segments up to `last` must read
// cleanly.
Status CutLogAfter(FileSystem* fs, const std::string& dir, Lsn last, std::string* report);

// Removes segments whose every record is below `keep_from` (the next segment starts
// at or before it). The newest segment is always kept.
Status RemoveSegmentsBefore(FileSystem* fs, const std::string& dir, Lsn keep_from,
                            uint64_t* removed);

}  // namespace ecomm::wal
