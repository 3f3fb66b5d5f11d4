#include "ecomm/wal/snapshot_file.h"

#include <xxhash.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "ecomm/bytes.h"
#include "ecomm/little_endian.h"
#include "ecomm/wal/checked_file.h"
#include "numbered_name.h"

namespace ecomm::wal {

namespace {

constexpr char kMagic[8] = {'E', 'C', 'O', 'M', 'M', 'S', 'N', 'P'};
constexpr size_t kHeaderSize = 32;       // magic, version, header size, lsn, xxh3
constexpr size_t kChunkHeaderSize = 8;   // length(4) kind(1) reserved(3)
constexpr size_t kChunkTrailerSize = 8;  // xxh3 of header + payload
constexpr uint8_t kEndChunk = 0xFF;
constexpr size_t kFlushBytes = 1 << 20;
constexpr std::string_view kCursorMagic = "ECOMMCUR";

Status Corrupt(const std::string& path, size_t offset, const std::string& why) {
  return Status::Corruption(why + " in " + path + " at offset " + std::to_string(offset));
}

void AppendChunk(uint8_t kind, std::span<const uint8_t> payload, std::string* out,
                 std::string* checksums) {
  size_t start = out->size();
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out->push_back(static_cast<char>(kind));
  out->append(3, '\0');
  out->append(reinterpret_cast<const char*>(payload.data()), payload.size());
  uint64_t checksum = XXH3_64bits(out->data() + start, out->size() - start);
  PutU64(out, checksum);
  PutU64(checksums, checksum);
}

}  // namespace

std::string SnapshotFileName(Lsn lsn) { return NumberedFileName(lsn, ".snap"); }

std::optional<Lsn> ParseSnapshotFileName(const std::string& name) {
  return ParseNumberedFileName(name, ".snap");
}

Status ListSnapshots(FileSystem* fs, const std::string& dir, std::vector<SnapshotInfo>* snapshots) {
  snapshots->clear();
  std::vector<std::string> names;
  Status s = fs->ListDir(dir, &names);
  if (s.code() == ErrorCode::kFileNotFound) return Status::Ok();
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    if (auto lsn = ParseSnapshotFileName(name)) snapshots->push_back(SnapshotInfo{name, *lsn});
  }
  return Status::Ok();
}

Status SnapshotWriter::Create(FileSystem* fs, std::string dir, Lsn lsn,
                              std::unique_ptr<SnapshotWriter>* writer) {
  if (Status s = fs->CreateDir(dir); !s.ok()) return s;
  std::unique_ptr<WritableFile> file;
  std::string temp = JoinPath(dir, SnapshotFileName(lsn) + ".tmp");
  if (Status s = fs->NewWritableFile(temp, &file); !s.ok()) return s;
  writer->reset(new SnapshotWriter(fs, std::move(dir), lsn, std::move(file)));
  return Status::Ok();
}

SnapshotWriter::SnapshotWriter(FileSystem* fs, std::string dir, Lsn lsn,
                               std::unique_ptr<WritableFile> file)
    : fs_(fs), dir_(std::move(dir)), lsn_(lsn), file_(std::move(file)) {
  temp_path_ = JoinPath(dir_, SnapshotFileName(lsn_) + ".tmp");
  buffer_.append(kMagic, sizeof kMagic);
  PutU32(&buffer_, kSnapshotVersion);
  PutU32(&buffer_, kHeaderSize);
  PutU64(&buffer_, lsn_);
  PutU64(&buffer_, XXH3_64bits(buffer_.data(), 24));
}

SnapshotWriter::~SnapshotWriter() {
  if (!committed_) {
    (void)file_->Close();
    (void)fs_->Remove(temp_path_);
  }
}

Status SnapshotWriter::Flush() {
  Status s = file_->Append(AsBytes(buffer_));
  bytes_ += buffer_.size();
  buffer_.clear();
  return s;
}

Status SnapshotWriter::Add(uint8_t kind, std::span<const uint8_t> payload) {
  if (kind == kEndChunk || payload.size() > UINT32_MAX) {
    return Status::InvalidArgument("bad snapshot chunk");
  }
  AppendChunk(kind, payload, &buffer_, &chunk_checksums_);
  ++chunks_;
  return buffer_.size() >= kFlushBytes ? Flush() : Status::Ok();
}

Status SnapshotWriter::Commit() {
  std::string end;
  PutU64(&end, chunks_);
  PutU64(&end, XXH3_64bits(chunk_checksums_.data(), chunk_checksums_.size()));
  std::string ignored;
  AppendChunk(kEndChunk, AsBytes(end), &buffer_, &ignored);
  if (Status s = Flush(); !s.ok()) return s;
  if (Status s = file_->Sync(); !s.ok()) return s;
  if (Status s = file_->Close(); !s.ok()) return s;
  if (Status s = fs_->Rename(temp_path_, JoinPath(dir_, SnapshotFileName(lsn_))); !s.ok()) {
    return s;
  }
  committed_ = true;
  return fs_->SyncDir(dir_);
}

Status ReadSnapshot(FileSystem* fs, const std::string& path, SnapshotImage* image) {
  image->chunks.clear();
  if (Status s = fs->ReadFile(path, &image->bytes); !s.ok()) return s;
  auto data = AsBytes(image->bytes);
  if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
    return Corrupt(path, 0, "truncated snapshot header or bad magic");
  }
  if (GetU64(data.data() + 24) != XXH3_64bits(data.data(), 24)) {
    return Corrupt(path, 0, "snapshot header checksum mismatch");
  }
  if (GetU32(data.data() + 8) != kSnapshotVersion || GetU32(data.data() + 12) != kHeaderSize) {
    return Corrupt(path, 8, "unknown snapshot version " + std::to_string(GetU32(data.data() + 8)));
  }
  image->lsn = GetU64(data.data() + 16);
  std::string checksums;
  size_t offset = kHeaderSize;
  while (true) {
    if (data.size() - offset < kChunkHeaderSize + kChunkTrailerSize) {
      return Corrupt(path, offset, "truncated snapshot (no end chunk)");
    }
    uint32_t length = GetU32(data.data() + offset);
    if (length > data.size() - offset - kChunkHeaderSize - kChunkTrailerSize) {
      return Corrupt(path, offset, "bad snapshot chunk length");
    }
    size_t body = kChunkHeaderSize + length;
    uint64_t checksum = GetU64(data.data() + offset + body);
    if (checksum != XXH3_64bits(data.data() + offset, body)) {
      return Corrupt(path, offset, "snapshot chunk checksum mismatch");
    }
    uint8_t kind = data[offset + 4];
    auto payload = data.subspan(offset + kChunkHeaderSize, length);
    offset += body + kChunkTrailerSize;
    if (kind == kEndChunk) {
      if (length != 16 || GetU64(payload.data()) != image->chunks.size() ||
          GetU64(payload.data() + 8) != XXH3_64bits(checksums.data(), checksums.size())) {
        return Corrupt(path, offset - body - kChunkTrailerSize, "snapshot end chunk mismatch");
      }
      if (offset != data.size()) return Corrupt(path, offset, "bytes after the snapshot end");
      return Status::Ok();
    }
    PutU64(&checksums, checksum);
    image->chunks.push_back(SnapshotChunk{kind, payload});
  }
}

Status WriteCursor(FileSystem* fs, const std::string& dir, const std::string& name, Lsn lsn) {
  std::string body;
  PutU64(&body, lsn);
  return WriteCheckedFile(fs, dir, name, kCursorMagic, body);
}

Status ReadCursor(FileSystem* fs, const std::string& path, Lsn* lsn) {
  std::string body;
  Status s = ReadCheckedFile(fs, path, kCursorMagic, &body);
  if (s.code() == ErrorCode::kCorruption || (s.ok() && body.size() != 8)) {
    return Status::Corruption("bad cursor file " + path);
  }
  if (!s.ok()) return s;
  *lsn = GetU64(reinterpret_cast<const uint8_t*>(body.data()));
  return Status::Ok();
}

Status MinCursor(FileSystem* fs, const std::string& dir, std::optional<Lsn>* lsn,
                 std::vector<std::string>* unreadable) {
  lsn->reset();
  unreadable->clear();
  std::vector<std::string> names;
  Status s = fs->ListDir(dir, &names);
  if (s.code() == ErrorCode::kFileNotFound) return Status::Ok();
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    if (name.ends_with(".tmp")) continue;
    Lsn cursor = 0;
    if (Status r = ReadCursor(fs, JoinPath(dir, name), &cursor); !r.ok()) {
      unreadable->push_back(r.ToString());
      cursor = 0;
    }
    if (!*lsn || cursor < **lsn) *lsn = cursor;
  }
  return Status::Ok();
}

}  // namespace ecomm::wal
