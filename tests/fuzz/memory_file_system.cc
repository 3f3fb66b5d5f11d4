#include "memory_file_system.h"

#include <algorithm>

namespace ecomm::fuzz {

// Appends go straight into the file's contents: there is no crash to simulate here,
// so synced and unsynced bytes need not be told apart.
class MemoryWritableFile final : public wal::WritableFile {
 public:
  MemoryWritableFile(MemoryFileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  Status Append(std::span<const uint8_t> data) override {
    std::lock_guard lock(fs_->mu_);
    std::string* contents = Contents();
    if (contents == nullptr) return Status::IOError("append to a removed file " + path_);
    if (contents->size() < append_at_ + data.size()) contents->resize(append_at_ + data.size());
    std::copy(data.begin(), data.end(),
              contents->begin() + static_cast<std::ptrdiff_t>(append_at_));
    append_at_ += data.size();
    return Status::Ok();
  }
  Status ExtendWithZeros(uint64_t bytes) override {
    std::lock_guard lock(fs_->mu_);
    std::string* contents = Contents();
    if (contents == nullptr) return Status::IOError("extend a removed file " + path_);
    contents->append(static_cast<size_t>(bytes), '\0');
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  std::string* Contents() {
    auto it = fs_->files_.find(path_);
    return it == fs_->files_.end() ? nullptr : &it->second;
  }

  MemoryFileSystem* fs_;
  std::string path_;
  size_t append_at_ = 0;  // files are created empty
};

std::string MemoryFileSystem::DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

void MemoryFileSystem::Put(const std::string& path, std::string contents) {
  std::lock_guard lock(mu_);
  dirs_.insert(DirOf(path));
  files_[path] = std::move(contents);
}

bool MemoryFileSystem::Get(const std::string& path, std::string* contents) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return false;
  *contents = it->second;
  return true;
}

std::map<std::string, std::string> MemoryFileSystem::Files() const {
  std::lock_guard lock(mu_);
  return files_;
}

Status MemoryFileSystem::CreateDir(const std::string& path) {
  std::lock_guard lock(mu_);
  dirs_.insert(path);
  return Status::Ok();
}

Status MemoryFileSystem::ListDir(const std::string& dir, std::vector<std::string>* names) {
  std::lock_guard lock(mu_);
  names->clear();
  if (!dirs_.contains(dir)) return Status::FileNotFound(dir);
  // files_ is ordered, so the names come out sorted as the interface promises.
  for (const auto& [path, contents] : files_) {
    if (DirOf(path) == dir) names->push_back(path.substr(dir.size() + 1));
  }
  return Status::Ok();
}

Status MemoryFileSystem::NewWritableFile(const std::string& path,
                                         std::unique_ptr<wal::WritableFile>* file) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(DirOf(path))) return Status::IOError("no directory for " + path);
  files_[path].clear();
  *file = std::make_unique<MemoryWritableFile>(this, path);
  return Status::Ok();
}

Status MemoryFileSystem::ReadFile(const std::string& path, std::string* contents) {
  if (!Get(path, contents)) return Status::FileNotFound(path);
  return Status::Ok();
}

Status MemoryFileSystem::ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                       std::string* out) {
  std::lock_guard lock(mu_);
  out->clear();
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FileNotFound(path);
  if (offset < it->second.size()) *out = it->second.substr(static_cast<size_t>(offset), max_bytes);
  return Status::Ok();
}

Status MemoryFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FileNotFound(path);
  it->second.resize(size);
  return Status::Ok();
}

Status MemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::FileNotFound(from);
  std::string contents = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(contents);
  return Status::Ok();
}

Status MemoryFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (files_.erase(path) == 0) return Status::FileNotFound(path);
  return Status::Ok();
}

Status MemoryFileSystem::SyncDir(const std::string&) { return Status::Ok(); }

}  // namespace ecomm::fuzz
