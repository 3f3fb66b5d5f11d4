#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ecomm/wal/file.h"

namespace ecomm::wal {

namespace {

Status PosixError(const std::string& what, const std::string& path, int err) {
  return Status::IOError(what + " " + path + ": " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::span<const uint8_t> data) override {
    if (Status s = WriteAt(append_at_, data); !s.ok()) return s;
    append_at_ += data.size();
    end_ = std::max(end_, append_at_);
    return Status::Ok();
  }

  Status ExtendWithZeros(uint64_t bytes) override {
    static constexpr uint8_t kZeros[64 << 10] = {};
    while (bytes > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, sizeof kZeros));
      if (Status s = WriteAt(end_, std::span(kZeros, n)); !s.ok()) return s;
      end_ += n;
      bytes -= n;
    }
    return Status::Ok();
  }

  Status Sync() override {
    // A failed fdatasync is final: the kernel may have dropped the dirty pages, so a
    // retry that succeeds proves nothing (the PostgreSQL fsync lesson). Callers turn
    // read-only instead of retrying.
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return PosixError("close", path_, errno);
    return Status::Ok();
  }

 private:
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) {
    const uint8_t* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      p += n;
      offset += static_cast<uint64_t>(n);
      left -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  std::string path_;
  int fd_;
  uint64_t append_at_ = 0;  // the file is created empty (O_TRUNC)
  uint64_t end_ = 0;
};

class PosixFileSystem final : public FileSystem {
 public:
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return PosixError("mkdir", path, errno);
    }
    return Status::Ok();
  }

  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      return errno == ENOENT ? Status::FileNotFound(dir) : PosixError("opendir", dir, errno);
    }
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names->push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names->begin(), names->end());
    return Status::Ok();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* file) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    *file = std::make_unique<PosixWritableFile>(path, fd);
    return Status::Ok();
  }

  Status ReadFile(const std::string& path, std::string* contents) override {
    contents->clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return errno == ENOENT ? Status::FileNotFound(path) : PosixError("open", path, errno);
    // Read straight into a buffer sized from fstat (segments are 64 MiB: growing a
    // string 64 KiB at a time cost recovery a copy and many page faults), then on
    // past that size in case the file is still growing.
    struct stat st {};
    size_t expected = ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
    contents->resize(expected);
    size_t used = 0;
    char tail[1 << 16];
    while (true) {
      bool sized = used < expected;
      char* into = sized ? contents->data() + used : tail;
      ssize_t n = ::read(fd, into, sized ? expected - used : sizeof tail);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        contents->clear();
        return PosixError("read", path, err);
      }
      if (n == 0) break;
      if (!sized) contents->append(tail, static_cast<size_t>(n));
      used += static_cast<size_t>(n);
    }
    contents->resize(used);
    ::close(fd);
    return Status::Ok();
  }

  Status SyncFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return errno == ENOENT ? Status::FileNotFound(path) : PosixError("open", path, errno);
    int rc = ::fdatasync(fd);
    int err = errno;
    ::close(fd);
    return rc == 0 ? Status::Ok() : PosixError("fdatasync", path, err);
  }

  Status ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                       std::string* out) override {
    out->clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return errno == ENOENT ? Status::FileNotFound(path) : PosixError("open", path, errno);
    // Sized from fstat so that a look at the tail of a segment, which finds a few bytes
    // or none, does not fill a whole chunk first; bytes appended after the fstat are
    // left for the next call.
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError("fstat", path, err);
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    out->resize(offset < size ? static_cast<size_t>(std::min<uint64_t>(max_bytes, size - offset))
                              : 0);
    size_t used = 0;
    while (used < out->size()) {
      ssize_t n =
          ::pread(fd, out->data() + used, out->size() - used, static_cast<off_t>(offset + used));
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        out->clear();
        return PosixError("pread", path, err);
      }
      if (n == 0) break;  // truncated since the fstat
      used += static_cast<size_t>(n);
    }
    out->resize(used);
    ::close(fd);
    return Status::Ok();
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return PosixError("truncate", path, errno);
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    int rc = ::fdatasync(fd);
    int err = errno;
    ::close(fd);
    return rc == 0 ? Status::Ok() : PosixError("fdatasync", path, err);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename", from, errno);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    return rc == 0 ? Status::Ok() : PosixError("fsync", dir, err);
  }
};

}  // namespace

FileSystem* FileSystem::Posix() {
  static PosixFileSystem fs;
  return &fs;
}

Status FileSystem::ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                 std::string* out) {
  std::string contents;
  Status s = ReadFile(path, &contents);
  out->clear();
  if (s.ok() && offset < contents.size()) {
    *out = contents.substr(static_cast<size_t>(offset), max_bytes);
  }
  return s;
}

Status FileSystem::SyncFile(const std::string& path) {
  return Status::IOError(path + ": this file system cannot sync a file it did not write");
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace ecomm::wal
