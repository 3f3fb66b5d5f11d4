#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/journal.h"

// Snapshot files: a consistent image of engine state at an LSN, as a sequence of
// checksummed chunks whose payloads the engine defines. wal/FORMAT.md has the bytes.
namespace ecomm::wal {

inline constexpr uint32_t kSnapshotVersion = 1;

std::string SnapshotFileName(Lsn lsn);  // "<lsn, 20 digits>.snap"
std::optional<Lsn> ParseSnapshotFileName(const std::string& name);

struct SnapshotInfo {
  std::string name;
  Lsn lsn;
};
// The snapshot files of `dir`, oldest first; empty when the directory does not exist.
Status ListSnapshots(FileSystem* fs, const std::string& dir, std::vector<SnapshotInfo>* snapshots);

// Writes one snapshot: to a temporary file, then fsync, rename, fsync of the
// directory, so a snapshot file either is complete or does not exist.
class SnapshotWriter {
 public:
  static Status Create(FileSystem* fs, std::string dir, Lsn lsn,
                       std::unique_ptr<SnapshotWriter>* writer);
  ~SnapshotWriter();  // without Commit, removes the temporary file

  Status Add(uint8_t kind, std::span<const uint8_t> payload);
  Status Commit();
  uint64_t bytes() const { return bytes_; }

 private:
  SnapshotWriter(FileSystem* fs, std::string dir, Lsn lsn, std::unique_ptr<WritableFile> file);
  Status Flush();

  FileSystem* fs_;
  std::string dir_;
  Lsn lsn_;
  std::string temp_path_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;
  uint64_t chunks_ = 0;
  uint64_t bytes_ = 0;
  std::string chunk_checksums_;
  bool committed_ = false;
};

struct SnapshotChunk {
  uint8_t kind;
  std::span<const uint8_t> payload;  // points into SnapshotImage::bytes
};

struct SnapshotImage {
  Lsn lsn = 0;
  std::string bytes;
  std::vector<SnapshotChunk> chunks;
};

// Reads and verifies a whole snapshot (header, every chunk checksum, the end chunk's
// count and checksum) before returning any of it.
Status ReadSnapshot(FileSystem* fs, const std::string& path, SnapshotImage* image);

// A reader's position in the log: `<data-dir>/cursors/<name>` holds the LSN up to
// which it has consumed. Log retention keeps every segment it still needs.
Status WriteCursor(FileSystem* fs, const std::string& dir, const std::string& name, Lsn lsn);
// The cursor a replica keeps at its counted place (replication/): the shipper ships no
// further, and the Database keeps a state at or below it reloadable (a replica may cut
// its log back to there).
inline constexpr char kReplicationCursor[] = "replication";
Status ReadCursor(FileSystem* fs, const std::string& path, Lsn* lsn);
// The smallest LSN of all cursors in `dir`, or nothing when there are none. A cursor
// file that cannot be read counts as LSN 0 (its reader may need the whole log) and is
// named with the reason in `unreadable`: retention keeps the log, and says why.
Status MinCursor(FileSystem* fs, const std::string& dir, std::optional<Lsn>* lsn,
                 std::vector<std::string>* unreadable);

}  // namespace ecomm::wal
