#include "support/fault_file_system.h"

#include <algorithm>

namespace ecomm::testing {

class FaultWritableFile final : public wal::WritableFile {
 public:
  FaultWritableFile(FaultFileSystem& fs, std::string path,
                    std::shared_ptr<FaultFileSystem::File> file, uint64_t boot)
      : fs_(fs), path_(std::move(path)), file_(std::move(file)), boot_(boot) {}

  Status Append(std::span<const uint8_t> data) override {
    std::lock_guard lock(fs_.mu_);
    if (boot_ != fs_.boot_ || !fs_.Proceed()) return fs_.Dead();
    size_t fits = Fits(data.size());
    file_->Write(append_at_, reinterpret_cast<const char*>(data.data()), fits);
    append_at_ += fits;
    fs_.history_[path_].append(reinterpret_cast<const char*>(data.data()), fits);
    if (fits < data.size()) return NoSpace();
    return Status::Ok();
  }

  Status ExtendWithZeros(uint64_t bytes) override {
    std::lock_guard lock(fs_.mu_);
    if (boot_ != fs_.boot_ || !fs_.Proceed()) return fs_.Dead();
    size_t fits = Fits(static_cast<size_t>(bytes));
    file_->Write(file_->data.size(), std::string(fits, '\0').data(), fits);
    if (fits < bytes) return NoSpace();
    return Status::Ok();
  }

  Status Sync() override {
    std::unique_lock lock(fs_.mu_);
    if (fs_.block_syncs_) {
      ++fs_.blocked_syncs_;
      fs_.sync_cv_.notify_all();
      fs_.sync_cv_.wait(lock, [&] { return !fs_.block_syncs_; });
      --fs_.blocked_syncs_;
    }
    if (boot_ != fs_.boot_ || !fs_.Proceed()) return fs_.Dead();
    if (fs_.fail_syncs_) return Status::IOError("fdatasync " + path_ + ": Input/output error");
    file_->MarkSynced();
    return Status::Ok();
  }

  Status Close() override { return Status::Ok(); }

 private:
  // How much of a write of `n` bytes goes in: half of it when the disk is full.
  size_t Fits(size_t n) const {
    bool full = fs_.fail_writes_ || (!fs_.fail_writes_under_.empty() &&
                                     path_.starts_with(fs_.fail_writes_under_ + "/"));
    return full ? n / 2 : n;
  }
  Status NoSpace() const { return Status::IOError("write " + path_ + ": No space left on device"); }

  FaultFileSystem& fs_;
  std::string path_;
  std::shared_ptr<FaultFileSystem::File> file_;
  uint64_t boot_;
  size_t append_at_ = 0;  // files are created empty
};

void FaultFileSystem::File::Write(size_t at, const char* bytes, size_t n) {
  if (data.size() < at + n) data.resize(at + n);
  std::copy_n(bytes, n, data.begin() + static_cast<std::ptrdiff_t>(at));
  dirty_from = std::min(dirty_from, at);
}

void FaultFileSystem::File::MarkSynced() {
  synced.resize(data.size());
  std::copy(data.begin() + static_cast<std::ptrdiff_t>(dirty_from), data.end(),
            synced.begin() + static_cast<std::ptrdiff_t>(dirty_from));
  dirty_from = data.size();
}

std::string FaultFileSystem::DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

void FaultFileSystem::Crash() {
  std::lock_guard lock(mu_);
  CrashLocked(false);
}

void FaultFileSystem::CrashReordered() {
  std::lock_guard lock(mu_);
  CrashLocked(true);
}

void FaultFileSystem::CrashBeforeOp(uint64_t n) {
  std::lock_guard lock(mu_);
  ops_until_crash_ = n;
}

bool FaultFileSystem::crashed() const {
  std::lock_guard lock(mu_);
  return down_;
}

bool FaultFileSystem::Proceed() {
  if (down_) return false;
  if (ops_until_crash_ > 0 && --ops_until_crash_ == 0) CrashLocked(false);
  return !down_;
}

void FaultFileSystem::CrashLocked(bool reordered) {
  down_ = true;
  ++boot_;
  Namespace survivors;
  for (auto& [path, file] : durable_) {
    // A prefix of what was written since the last sync reached the disk; past it the
    // disk holds what it held at that sync (zeros past its end).
    const size_t from = std::min(file->dirty_from, file->data.size());
    size_t unsynced = file->data.size() - from;
    size_t kept = from + (unsynced ? rng_() % (unsynced + 1) : 0);
    const std::string& synced = file->synced;  // clang's lambdas cannot capture a binding
    auto old_byte = [&](size_t at) { return at < synced.size() ? synced[at] : '\0'; };
    if (reordered) {
      constexpr size_t kSector = 512;
      for (size_t at = from; at < kept; at += kSector) {
        if (rng_() % 2 == 0) {
          for (size_t i = at; i < std::min(at + kSector, kept); ++i) file->data[i] = old_byte(i);
        }
      }
    }
    // A torn sector may also come back with garbage: flip a bit of the torn part.
    if (kept > from && rng_() % 4 == 0) {
      size_t at = from + rng_() % (kept - from);
      file->data[at] = static_cast<char>(file->data[at] ^ (1 << (rng_() % 8)));
    }
    file->data.resize(std::max(kept, file->synced.size()));
    for (size_t at = kept; at < file->data.size(); ++at) file->data[at] = old_byte(at);
    file->dirty_from = 0;
    file->MarkSynced();
    survivors[path] = file;
  }
  live_ = survivors;
  durable_ = survivors;
}

void FaultFileSystem::Reboot() {
  std::lock_guard lock(mu_);
  down_ = false;
  fail_syncs_ = false;
  fail_writes_ = false;
  fail_writes_under_.clear();
}

void FaultFileSystem::FailSyncs(bool fail) {
  std::lock_guard lock(mu_);
  fail_syncs_ = fail;
}

void FaultFileSystem::FailWrites(bool fail) {
  std::lock_guard lock(mu_);
  fail_writes_ = fail;
}

void FaultFileSystem::FailWritesUnder(const std::string& dir) {
  std::lock_guard lock(mu_);
  fail_writes_under_ = dir;
}

void FaultFileSystem::BlockSyncs() {
  std::lock_guard lock(mu_);
  block_syncs_ = true;
}

void FaultFileSystem::UnblockSyncs() {
  {
    std::lock_guard lock(mu_);
    block_syncs_ = false;
  }
  sync_cv_.notify_all();
}

void FaultFileSystem::WaitForBlockedSync() {
  std::unique_lock lock(mu_);
  sync_cv_.wait(lock, [&] { return blocked_syncs_ > 0; });
}

std::map<std::string, std::string> FaultFileSystem::AppendHistory(const std::string& suffix) const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::string> out;
  for (const auto& [path, bytes] : history_) {
    if (path.ends_with(suffix)) out[path] = bytes;
  }
  return out;
}

std::string FaultFileSystem::Contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = live_.find(path);
  return it == live_.end() ? std::string() : it->second->data;
}

bool FaultFileSystem::Exists(const std::string& path) const {
  std::lock_guard lock(mu_);
  return live_.contains(path);
}

void FaultFileSystem::SetContents(const std::string& path, const std::string& contents) {
  std::lock_guard lock(mu_);
  std::string dir = DirOf(path);
  if (std::find(dirs_.begin(), dirs_.end(), dir) == dirs_.end()) dirs_.push_back(dir);
  auto file = std::make_shared<File>();
  file->data = contents;
  file->MarkSynced();
  live_[path] = file;
  durable_[path] = file;
}

Status FaultFileSystem::CreateDir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (down_) return Dead();
  if (std::find(dirs_.begin(), dirs_.end(), path) == dirs_.end()) dirs_.push_back(path);
  return Status::Ok();
}

Status FaultFileSystem::ListDir(const std::string& dir, std::vector<std::string>* names) {
  std::lock_guard lock(mu_);
  if (down_) return Dead();
  names->clear();
  if (std::find(dirs_.begin(), dirs_.end(), dir) == dirs_.end()) return Status::FileNotFound(dir);
  for (const auto& [path, file] : live_) {
    if (DirOf(path) == dir) names->push_back(path.substr(dir.size() + 1));
  }
  return Status::Ok();
}

Status FaultFileSystem::NewWritableFile(const std::string& path,
                                        std::unique_ptr<wal::WritableFile>* file) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  auto f = std::make_shared<File>();
  live_[path] = f;
  history_[path].clear();
  *file = std::make_unique<FaultWritableFile>(*this, path, f, boot_);
  return Status::Ok();
}

Status FaultFileSystem::ReadFile(const std::string& path, std::string* contents) {
  std::lock_guard lock(mu_);
  if (down_) return Dead();
  auto it = live_.find(path);
  if (it == live_.end()) return Status::FileNotFound(path);
  *contents = it->second->data;
  return Status::Ok();
}

Status FaultFileSystem::ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                      std::string* out) {
  std::lock_guard lock(mu_);
  out->clear();
  if (down_) return Dead();
  auto it = live_.find(path);
  if (it == live_.end()) return Status::FileNotFound(path);
  const std::string& data = it->second->data;
  if (offset < data.size()) *out = data.substr(static_cast<size_t>(offset), max_bytes);
  return Status::Ok();
}

Status FaultFileSystem::SyncFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  if (fail_syncs_) return Status::IOError("fdatasync " + path + ": Input/output error");
  auto it = live_.find(path);
  if (it == live_.end()) return Status::FileNotFound(path);
  it->second->MarkSynced();
  return Status::Ok();
}

Status FaultFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  auto it = live_.find(path);
  if (it == live_.end()) return Status::FileNotFound(path);
  File& file = *it->second;
  file.data.resize(std::min<size_t>(size, file.data.size()));
  file.synced.resize(std::min(file.synced.size(), file.data.size()));
  file.dirty_from = std::min(file.dirty_from, file.data.size());
  return Status::Ok();
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  auto it = live_.find(from);
  if (it == live_.end()) return Status::FileNotFound(from);
  live_[to] = it->second;
  live_.erase(it);
  return Status::Ok();
}

Status FaultFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  if (live_.erase(path) == 0) return Status::FileNotFound(path);
  return Status::Ok();
}

Status FaultFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!Proceed()) return Dead();
  if (fail_syncs_) return Status::IOError("fsync " + dir + ": Input/output error");
  std::erase_if(durable_, [&](const auto& entry) { return DirOf(entry.first) == dir; });
  for (const auto& [path, file] : live_) {
    if (DirOf(path) == dir) durable_[path] = file;
  }
  return Status::Ok();
}

}  // namespace ecomm::testing
