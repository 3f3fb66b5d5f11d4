#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ecomm/result.h"

// The file operations the log and snapshots use, as an interface so that tests can
// substitute a file system that loses unsynced bytes, tears writes and fails syncs.
namespace ecomm::wal {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes `data` at the append position (where the last Append ended; 0 at first)
  // and moves it past them, over any zeros ExtendWithZeros put there.
  virtual Status Append(std::span<const uint8_t> data) = 0;
  // Writes `bytes` zeros past the end of the file and leaves the append position
  // where it is: room the next appends overwrite. The log keeps some ahead of its
  // frames so that their fdatasync finds the blocks written and the file size
  // unchanged, and so has no metadata to make durable (wal/FORMAT.md, segment v2).
  virtual Status ExtendWithZeros(uint64_t bytes) = 0;
  // Makes every written byte durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The real file system.
  static FileSystem* Posix();

  virtual Status CreateDir(const std::string& path) = 0;  // OK when it exists
  // Names (not paths) of the entries of `dir`, sorted.
  virtual Status ListDir(const std::string& dir, std::vector<std::string>* names) = 0;
  // Creates `path`, or empties it when it exists.
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* file) = 0;
  virtual Status ReadFile(const std::string& path, std::string* contents) = 0;
  // Up to `max_bytes` of `path` starting at `offset` (fewer at the end of the file; none
  // past it), into `*out`: how a reader follows a segment that a live writer appends to
  // without reading it from the start on every look. A read racing an append may see
  // part of it. The default reads the whole file, so that file systems written before
  // this (the ecomm-wal tool's read-only wrapper) still build; any file system that a
  // WalTailer reads through should override it.
  virtual Status ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                               std::string* out);
  // Makes every byte written to `path` so far durable, whoever wrote it (fdatasync on a
  // descriptor of its own): how a reader of the log makes sure that what it passes on
  // survives a power cut. The default refuses: only the real file system can do this.
  virtual Status SyncFile(const std::string& path);
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Makes creations, renames and removals inside `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;
};

std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace ecomm::wal
