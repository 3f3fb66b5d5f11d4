// Snapshot files: the bytes as the only file of a snapshot directory, through
// ReadSnapshot (and, as a bonus, as a cursor file through ReadCursor). A snapshot that
// verifies must be well-formed enough to be written again chunk by chunk and read back
// the same: the reader accepts nothing the writer could not have produced.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ecomm/wal/snapshot_file.h"
#include "fuzz_support.h"
#include "support/fault_file_system.h"

namespace wal = ecomm::wal;
using ecomm::ErrorCode;
using ecomm::Status;
using ecomm::fuzz::Check;

namespace {

bool SameChunks(const wal::SnapshotImage& a, const wal::SnapshotImage& b) {
  if (a.lsn != b.lsn || a.chunks.size() != b.chunks.size()) return false;
  for (size_t i = 0; i < a.chunks.size(); ++i) {
    const wal::SnapshotChunk& x = a.chunks[i];
    const wal::SnapshotChunk& y = b.chunks[i];
    if (x.kind != y.kind ||
        !std::equal(x.payload.begin(), x.payload.end(), y.payload.begin(), y.payload.end())) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  ecomm::testing::FaultFileSystem fs(0);
  std::string path = wal::JoinPath("/snapshots", wal::SnapshotFileName(7));
  fs.SetContents(path, bytes);
  fs.SetContents("/cursors/reader", bytes);

  wal::Lsn cursor = 0;
  Status read_cursor = wal::ReadCursor(&fs, "/cursors/reader", &cursor);
  Check(read_cursor.ok() || read_cursor.code() == ErrorCode::kCorruption,
        "a bad cursor is corruption");

  wal::SnapshotImage image;
  Status read = wal::ReadSnapshot(&fs, path, &image);
  if (!read.ok()) {
    Check(read.code() == ErrorCode::kCorruption, "a bad snapshot is corruption");
    return 0;
  }
  Check(image.bytes == bytes, "the image holds the file");
  for (const wal::SnapshotChunk& chunk : image.chunks) {
    Check(chunk.payload.data() >= reinterpret_cast<const uint8_t*>(image.bytes.data()) &&
              chunk.payload.data() + chunk.payload.size() <=
                  reinterpret_cast<const uint8_t*>(image.bytes.data()) + image.bytes.size(),
          "every chunk lies inside the file");
  }

  std::unique_ptr<wal::SnapshotWriter> writer;
  Check(wal::SnapshotWriter::Create(&fs, "/rewritten", image.lsn, &writer).ok(), "create");
  for (const wal::SnapshotChunk& chunk : image.chunks) {
    Check(writer->Add(chunk.kind, chunk.payload).ok(), "a chunk read back can be written");
  }
  Check(writer->Commit().ok(), "commit");
  wal::SnapshotImage rewritten;
  Check(wal::ReadSnapshot(&fs, wal::JoinPath("/rewritten", wal::SnapshotFileName(image.lsn)),
                          &rewritten)
            .ok(),
        "a rewritten snapshot verifies");
  Check(SameChunks(image, rewritten), "a rewritten snapshot holds the same chunks");
  Check(rewritten.bytes.size() == bytes.size(), "the snapshot format has one length per content");
  return 0;
}
