// WAL segments: the bytes as one segment file. Three readers must agree on them:
//  - the ParseSegmentHeader/ParseFrame loop, whose frames must lie inside the input
//    and re-frame to the same bytes;
//  - recovery (ReplayWal over an in-memory file system), which must never fail in
//    kTruncate mode and must leave a log that a second recovery finds clean;
//  - ecomm-wal's read-only scanner (tools/wal/log_scan.cc), whose verdict (clean, torn
//    tail at offset X, corruption) must be the one recovery acts on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecomm/wal/log_format.h"
#include "ecomm/wal/wal_reader.h"
#include "fuzz_support.h"
#include "log_scan.h"
#include "support/fault_file_system.h"

namespace wal = ecomm::wal;
using ecomm::AsBytes;
using ecomm::ErrorCode;
using ecomm::Status;
using ecomm::fuzz::Check;
// No fault is injected: the file system only keeps the segment in memory.
using MemoryFileSystem = ecomm::testing::FaultFileSystem;

namespace {

constexpr char kDir[] = "/wal";

struct Applied {
  wal::Lsn lsn;
  uint8_t type;
  std::string payload;
  bool operator==(const Applied&) const = default;
};

struct Recovery {
  Status status;
  wal::ReplayReport report;
  std::vector<Applied> applied;
};

Recovery Recover(MemoryFileSystem& fs, wal::Lsn after, wal::RecoveryMode mode) {
  Recovery r;
  r.status = wal::ReplayWal(
      &fs, kDir, after, wal::kMaxLsn, mode,
      [&](const wal::WalRecord& record) {
        r.applied.push_back(Applied{record.lsn, record.type,
                                    std::string(record.payload.begin(), record.payload.end())});
        return Status::Ok();
      },
      &r.report);
  return r;
}

void CheckFrames(std::span<const uint8_t> data) {
  std::string why;
  if (!wal::ParseSegmentHeader(data, &why)) {
    Check(!why.empty(), "a refused header says why");
    return;
  }
  size_t offset = wal::kSegmentHeaderSize;
  while (offset < data.size()) {
    wal::Frame frame;
    if (wal::ParseFrame(data.subspan(offset), &frame) != wal::FrameError::kNone) return;
    Check(frame.size == wal::kFrameHeaderSize + frame.payload.size() &&
              frame.size <= data.size() - offset &&
              frame.payload.data() == data.data() + offset + wal::kFrameHeaderSize,
          "a frame lies inside the data");
    // Bytes 6-7 are reserved: the checksum covers them, but AppendFrame writes zeros.
    bool reserved_zero = data[offset + 6] == 0 && data[offset + 7] == 0;
    std::string reframed;
    wal::AppendFrame(frame.lsn, frame.synced_lsn, frame.type, frame.payload, &reframed);
    std::span<const uint8_t> expected = AsBytes(reframed);
    Check(!reserved_zero || std::equal(expected.begin(), expected.end(), data.begin() + offset,
                                       data.begin() + offset + frame.size),
          "a parsed frame re-frames to its bytes");
    offset += frame.size;
  }
}

// The scanner's verdict must be recovery's: same records, torn tail cut where it says.
void CheckScannerAgrees(const std::string& path, const std::string& bytes, wal::Lsn after) {
  MemoryFileSystem pristine(0);
  pristine.SetContents(path, bytes);
  ecomm::waltool::ReadOnlyFileSystem read_only(&pristine);
  std::vector<Applied> scanned;
  std::optional<ecomm::waltool::BadSpot> bad;
  Status s =
      ecomm::waltool::ScanLog(&read_only, kDir, [&](const ecomm::waltool::ScannedSegment& segment) {
        for (const auto& r : segment.records) {
          scanned.push_back(
              Applied{r.lsn, r.type, std::string(r.payload.begin(), r.payload.end())});
        }
        bad = segment.bad;
      });
  Check(s.ok(), "the scanner reads a readable log");

  MemoryFileSystem fs(0);
  fs.SetContents(path, bytes);
  Recovery strict = Recover(fs, after, wal::RecoveryMode::kStrict);
  using Kind = ecomm::waltool::BadSpot::Kind;
  if (bad && bad->kind == Kind::kCorruption) {
    Check(strict.status.code() == ErrorCode::kCorruption,
          "what the scanner calls corruption, recovery refuses");
    return;
  }
  Check(strict.status.ok(), "what the scanner calls clean or torn, recovery accepts");
  Check(strict.applied == scanned, "the scanner sees the records recovery applies");
  bool exists = fs.Exists(path);
  std::string left = fs.Contents(path);
  size_t expected_size = bad ? bad->offset : bytes.size();
  Check(expected_size == 0 ? !exists : exists && left.size() == expected_size,
        "recovery cuts the log where the scanner says the torn tail starts");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  CheckFrames(input);

  // Name the segment after the LSN its header claims, so that recovery reads the
  // frames instead of stopping at a name mismatch, and recover from just before it
  // (the state before is a snapshot's), as after log retention removed older segments.
  wal::Lsn first = 1;
  if (size >= 24) {
    first = 0;
    for (int i = 7; i >= 0; --i) first = first << 8 | data[16 + i];
  }
  wal::Lsn after = first == 0 ? 0 : first - 1;
  std::string path = wal::JoinPath(kDir, wal::SegmentFileName(first));
  std::string bytes(reinterpret_cast<const char*>(data), size);
  CheckScannerAgrees(path, bytes, after);

  MemoryFileSystem fs(0);
  fs.SetContents(path, bytes);
  Recovery truncate = Recover(fs, after, wal::RecoveryMode::kTruncate);
  Check(truncate.status.ok(), "kTruncate recovers any single segment");
  Check(truncate.report.records == truncate.applied.size(), "the report counts the records");
  Recovery again = Recover(fs, after, wal::RecoveryMode::kStrict);
  Check(again.status.ok() && again.report.cut.empty(), "a recovered log is clean");
  Check(again.applied == truncate.applied, "a second recovery applies the same records");
  return 0;
}
