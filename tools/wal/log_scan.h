#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/journal.h"

// A read-only walk over the WAL segments of a data directory. wal::ReplayWal cannot
// serve an inspection tool: it truncates a torn tail as it goes, and it stops at the
// first bad spot. This scanner is another policy on the same wal::SegmentIterator: it
// tells a torn tail from corruption as recovery does, but only reports it, and it
// goes on with the next segment so that one run reports every damaged file.
namespace ecomm::waltool {

// Forwards reads to another file system and refuses every change, so that no code
// path of the tool, its own or the library's, can alter the data directory.
class ReadOnlyFileSystem final : public wal::FileSystem {
 public:
  explicit ReadOnlyFileSystem(wal::FileSystem* base) : base_(base) {}

  Status CreateDir(const std::string& path) override;
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override;
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<wal::WritableFile>* file) override;
  Status ReadFile(const std::string& path, std::string* contents) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  wal::FileSystem* base_;
};

struct ScannedRecord {
  wal::Lsn lsn;
  uint8_t type;
  std::span<const uint8_t> payload;  // into ScannedSegment::bytes
  size_t offset;                     // of the frame in its segment
};

// Where a segment stops being readable, and what recovery would make of it.
struct BadSpot {
  enum class Kind : uint8_t {
    kTornTail,    // the unsynced end of the last write: recovery cuts it, nothing is lost
    kCorruption,  // anything else: recovery refuses to start
  };
  Kind kind;
  size_t offset;
  std::string why;
};

struct ScannedSegment {
  std::string name;
  std::string path;
  wal::Lsn name_lsn = 0;               // the first LSN its file name promises
  std::string bytes;                   // the whole file
  std::vector<ScannedRecord> records;  // the good frames before any bad spot
  std::optional<BadSpot> bad;
};

// Scans the segments of `wal_dir` in LSN order and calls `visit` for each, holding one
// segment in memory at a time. LSNs must run on without a gap from the first record
// of the oldest segment (older segments may have been removed) to the last one; after
// a bad spot the next segment is taken at its word. A Status only for I/O errors.
Status ScanLog(wal::FileSystem* fs, const std::string& wal_dir,
               const std::function<void(const ScannedSegment&)>& visit);

const char* Describe(BadSpot::Kind kind);
// "00000000000000000001.wal: corruption at offset 96: record checksum mismatch"
std::string Describe(const ScannedSegment& segment, const BadSpot& bad);

}  // namespace ecomm::waltool
