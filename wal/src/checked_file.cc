#include "ecomm/wal/checked_file.h"

#include <xxhash.h>

#include <memory>
#include <span>

#include "ecomm/bytes.h"
#include "ecomm/invariant.h"
#include "ecomm/little_endian.h"

namespace ecomm::wal {

namespace {

constexpr size_t kMagicSize = 8;
constexpr size_t kChecksumSize = 8;

}  // namespace

Status WriteCheckedFile(FileSystem* fs, const std::string& dir, const std::string& name,
                        std::string_view magic, std::string_view body) {
  ECOMM_INVARIANT(magic.size() == kMagicSize, "a checked file's magic is 8 bytes");
  if (Status s = fs->CreateDir(dir); !s.ok()) return s;
  std::string contents(magic);
  contents += body;
  PutU64(&contents, XXH3_64bits(contents.data(), contents.size()));
  std::string temp = JoinPath(dir, name + ".tmp");
  std::unique_ptr<WritableFile> file;
  if (Status s = fs->NewWritableFile(temp, &file); !s.ok()) return s;
  if (Status s = file->Append(AsBytes(contents)); !s.ok()) {
    return s;
  }
  if (Status s = file->Sync(); !s.ok()) return s;
  if (Status s = file->Close(); !s.ok()) return s;
  if (Status s = fs->Rename(temp, JoinPath(dir, name)); !s.ok()) return s;
  return fs->SyncDir(dir);
}

Status ReadCheckedFile(FileSystem* fs, const std::string& path, std::string_view magic,
                       std::string* body) {
  std::string contents;
  if (Status s = fs->ReadFile(path, &contents); !s.ok()) return s;
  if (contents.size() < kMagicSize + kChecksumSize) {
    return Status::Corruption("bad " + std::string(magic) + " file " + path + ": too short");
  }
  size_t end = contents.size() - kChecksumSize;
  if (std::string_view(contents).substr(0, kMagicSize) != magic ||
      GetU64(reinterpret_cast<const uint8_t*>(contents.data()) + end) !=
          XXH3_64bits(contents.data(), end)) {
    return Status::Corruption("bad " + std::string(magic) + " file " + path);
  }
  body->assign(contents, kMagicSize, end - kMagicSize);
  return Status::Ok();
}

}  // namespace ecomm::wal
