#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ecomm/wal/file.h"

namespace ecomm::fuzz {

// The whole file system in memory, so that a fuzz input can be served as a log segment
// or snapshot without touching the disk (which would make every run slow and leave
// state behind between runs). Thread-safe, for the writer thread of WalWriter.
class MemoryFileSystem final : public wal::FileSystem {
 public:
  // Creates or replaces a file, and its directory.
  void Put(const std::string& path, std::string contents);
  // The contents of a file; false when it does not exist.
  bool Get(const std::string& path, std::string* contents) const;
  // Every file, by path.
  std::map<std::string, std::string> Files() const;

  Status CreateDir(const std::string& path) override;
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override;
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<wal::WritableFile>* file) override;
  Status ReadFile(const std::string& path, std::string* contents) override;
  Status ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                       std::string* out) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  friend class MemoryWritableFile;
  static std::string DirOf(const std::string& path);

  mutable std::mutex mu_;
  std::set<std::string> dirs_;
  std::map<std::string, std::string> files_;
};

}  // namespace ecomm::fuzz
