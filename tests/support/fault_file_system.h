#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "ecomm/wal/file.h"

namespace ecomm::testing {

// The one in-memory file system of the tests and fuzzers; it behaves like a disk under
// power failure. Each file
// remembers how much of it was synced; each directory remembers which of its entries
// were made durable by SyncDir. Crash() (the power cut) keeps synced bytes, a random
// prefix of the unsynced ones (a torn write, sometimes with a flipped bit), and the
// durable directory entries; until Reboot() every operation fails, as for a dead
// process. Syncs and writes can also be made to fail (EIO, a full disk), and syncs
// to stall. All randomness comes from the seed.
class FaultFileSystem final : public wal::FileSystem {
 public:
  explicit FaultFileSystem(uint64_t seed) : rng_(seed) {}

  void Crash();
  // A power cut after the disk wrote the unsynced pages in an order of its own: each
  // 512-byte sector of a file's unsynced part survives or reads back as zeros, at
  // random, and the file keeps a random length within that part.
  void CrashReordered();
  // Crashes just before the n-th mutating operation from now (append, sync, create,
  // rename, remove, truncate): a crash point in the I/O sequence itself.
  void CrashBeforeOp(uint64_t n);
  bool crashed() const;
  void Reboot();
  void FailSyncs(bool fail);
  // A full disk: a write puts in part of its bytes, then fails with ENOSPC.
  void FailWrites(bool fail);
  // The same, only for files under `dir` ("": none): a full snapshot volume, say.
  void FailWritesUnder(const std::string& dir);
  // A stalled disk: while blocked, a file's Sync waits (the file system stays usable)
  // until UnblockSyncs. WaitForBlockedSync returns once some Sync is waiting.
  void BlockSyncs();
  void UnblockSyncs();
  void WaitForBlockedSync();

  // Every byte ever appended to any path whose name ends with `suffix`, per path, in
  // order, whatever later happened to the file: the ground truth of what was logged.
  std::map<std::string, std::string> AppendHistory(const std::string& suffix) const;
  // Direct access for corruption tests and fuzzers. SetContents writes a file as if
  // synced, its directory included; Contents is "" for a file that does not exist.
  bool Exists(const std::string& path) const;
  std::string Contents(const std::string& path) const;
  void SetContents(const std::string& path, const std::string& contents);

  Status CreateDir(const std::string& path) override;
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override;
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<wal::WritableFile>* file) override;
  Status ReadFile(const std::string& path, std::string* contents) override;
  // What a reading process sees: the live contents, synced or not.
  Status ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                       std::string* out) override;
  Status SyncFile(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  friend class FaultWritableFile;

  // A file as a process sees it and as the disk holds it. Writes may land inside the
  // file (over zeros written ahead), so what a power cut leaves is the synced image
  // with some of the bytes written since over it.
  struct File {
    std::string data;       // what a process reads
    std::string synced;     // the contents as of the last sync
    size_t dirty_from = 0;  // data and synced agree before this offset

    void Write(size_t at, const char* bytes, size_t n);
    void MarkSynced();
  };
  using Namespace = std::map<std::string, std::shared_ptr<File>>;

  Status Dead() const { return Status::IOError("file system is down (simulated crash)"); }
  void CrashLocked(bool reordered);
  // Counts a mutating operation; false when the file system is (now) down.
  bool Proceed();
  static std::string DirOf(const std::string& path);

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  bool down_ = false;
  bool fail_syncs_ = false;
  bool fail_writes_ = false;
  std::string fail_writes_under_;
  uint64_t boot_ = 0;             // handles from an earlier boot are dead
  uint64_t ops_until_crash_ = 0;  // 0: no crash scheduled
  Namespace live_;                // what a process sees
  Namespace durable_;             // what survives a crash, per SyncDir
  std::vector<std::string> dirs_;
  std::map<std::string, std::string> history_;

  bool block_syncs_ = false;
  int blocked_syncs_ = 0;            // Syncs waiting for UnblockSyncs
  std::condition_variable sync_cv_;  // block_syncs_ or blocked_syncs_ changed
};

}  // namespace ecomm::testing
