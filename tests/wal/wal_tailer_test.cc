// The WAL tailer: a read-only follower of the segments, as the Kafka shipper runs it
// beside a live server. Every record is returned once, in order, across rollovers; a
// write in progress is waited for; each reader error path has its test, with the
// exact status and the file and offset it names.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/wal/log_format.h"
#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_tailer.h"
#include "ecomm/wal/wal_writer.h"
#include "log_bytes.h"
#include "support/fault_file_system.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

using wal::Lsn;
using wal::TailedRecord;
using wal::WalTailer;

const std::string kDir = "/db/wal";
constexpr uint8_t kType = 4;

std::string PathOf(Lsn first) { return wal::JoinPath(kDir, wal::SegmentFileName(first)); }

// The payload of record `lsn`: its number, then `pad` bytes to make it larger.
std::string Payload(Lsn lsn, size_t pad = 0) {
  return "record " + std::to_string(lsn) + ";" + std::string(pad, 'x');
}

// Records first..last as a segment; each frame was appended after the one before it
// had been synced (--fsync always, one record per batch).
std::string Segment(Lsn first, Lsn last, size_t pad = 0) {
  std::string out;
  wal::AppendSegmentHeader(first, &out);
  for (Lsn lsn = first; lsn <= last; ++lsn) {
    wal::AppendFrame(lsn, lsn - 1, kType, AsBytes(Payload(lsn, pad)), &out);
  }
  return out;
}

std::vector<size_t> FrameOffsets(const std::string& segment) {
  std::vector<size_t> offsets;
  for (size_t off = wal::kSegmentHeaderSize; off < segment.size();) {
    wal::Frame frame;
    REQUIRE(wal::ParseFrame(AsBytes(segment).subspan(off), &frame) == wal::FrameError::kNone);
    offsets.push_back(off);
    off += frame.size;
  }
  return offsets;
}

// A WAL directory on the fault file system whose segments the tests write byte by byte.
struct Dir {
  FaultFileSystem fs{11};
  Dir() { REQUIRE(fs.CreateDir(kDir).ok()); }
  void Put(Lsn first, const std::string& bytes) { fs.SetContents(PathOf(first), bytes); }
};

// Forwards to a FaultFileSystem and runs `before_list` (once) before a directory listing:
// a writer acting between a reader's last read of a segment and its look for the next.
class RacingFileSystem final : public wal::FileSystem {
 public:
  explicit RacingFileSystem(FaultFileSystem* base) : base_(base) {}
  std::function<void()> before_list;
  // Applied (once) to what the next ReadFileRange returns: a read racing a write.
  std::function<void(uint64_t offset, std::string* out)> next_read;

  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    if (auto act = std::exchange(before_list, nullptr)) act();
    return base_->ListDir(dir, names);
  }
  Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<wal::WritableFile>* file) override {
    return base_->NewWritableFile(path, file);
  }
  Status ReadFile(const std::string& path, std::string* contents) override {
    return base_->ReadFile(path, contents);
  }
  Status ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                       std::string* out) override {
    Status s = base_->ReadFileRange(path, offset, max_bytes, out);
    if (auto act = std::exchange(next_read, nullptr)) act(offset, out);
    return s;
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    return base_->Truncate(path, size);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status Remove(const std::string& path) override { return base_->Remove(path); }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }

 private:
  FaultFileSystem* base_;
};

std::vector<Lsn> Range(Lsn from, Lsn to) {
  std::vector<Lsn> lsns;
  for (Lsn lsn = from; lsn <= to; ++lsn) lsns.push_back(lsn);
  return lsns;
}

struct Reading {
  std::vector<Lsn> lsns;
  Status status;
};

// Calls Next until it returns nothing or fails, checking each record against its LSN.
Reading ReadOn(WalTailer& tailer, size_t max = 1000) {
  Reading reading;
  while (true) {
    std::vector<TailedRecord> batch;
    reading.status = tailer.Next(max, &batch);
    REQUIRE(batch.size() <= max);
    if (!reading.status.ok() || batch.empty()) return reading;
    for (const TailedRecord& r : batch) {
      CHECK(r.type == kType);
      CHECK(r.payload.starts_with(Payload(r.lsn)));
      reading.lsns.push_back(r.lsn);
    }
    CHECK(tailer.last_lsn() == reading.lsns.back());
  }
}

std::vector<Lsn> ReadAll(WalTailer& tailer, size_t max = 1000) {
  Reading reading = ReadOn(tailer, max);
  REQUIRE_MESSAGE(reading.status.ok(), reading.status.ToString());
  return reading.lsns;
}

// The reading stopped at an error with `code` and a message holding every one of
// `parts`; asked again, the tailer fails the same way and appends nothing.
void ExpectError(WalTailer& tailer, const Reading& reading, ErrorCode code,
                 const std::vector<std::string>& parts) {
  std::vector<TailedRecord> batch;
  Status again = tailer.Next(100, &batch);
  CHECK(batch.empty());
  for (const Status& s : {reading.status, again}) {
    REQUIRE_MESSAGE(s.code() == code, s.ToString());
    for (const std::string& part : parts) {
      CHECK_MESSAGE(s.message().find(part) != std::string::npos, s.message());
    }
  }
}

std::string At(Lsn segment, size_t offset) {
  return PathOf(segment) + " at offset " + std::to_string(offset);
}

// A tailer of `d` from `after` reads exactly `lsns`, then stops at the error that
// ExpectError describes.
void ExpectReadThenError(Dir& d, Lsn after, const std::vector<Lsn>& lsns, ErrorCode code,
                         const std::vector<std::string>& parts) {
  WalTailer tailer(&d.fs, kDir, after);
  Reading reading = ReadOn(tailer);
  CHECK(reading.lsns == lsns);
  ExpectError(tailer, reading, code, parts);
}

// A directory of the real file system, for what only the real one shows: concurrent
// reads of a file being written, and inotify.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("ecomm-tailer-" + std::to_string(getpid()) + "-" + name)) {
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// --- following a live writer ---

TEST_CASE("a tailer reads every record once, in order, while threads append across rollovers") {
  TempDir dir("live");
  wal::WalOptions options;
  options.sync = wal::SyncPolicy{wal::SyncPolicy::Mode::kOff, 0};
  options.segment_bytes = 16 << 10;  // a rollover every two hundred records or so
  options.wait_for_room = true;
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(wal::FileSystem::Posix(), dir.path, 1, options, &writer).ok());

  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::vector<std::map<Lsn, std::string>> appended(kThreads);  // per thread: LSN -> payload
  std::atomic<bool> done{false};
  std::thread appenders([&] {
    RunConcurrently(kThreads, [&](int t) {
      for (int i = 0; i < kPerThread; ++i) {
        // Sizes vary so that frames straddle read and segment ends at every offset.
        std::string payload = "t" + std::to_string(t) + "/" + std::to_string(i) +
                              std::string(static_cast<size_t>(i % 97), 'p');
        wal::Appended a = writer->Append(kType, AsBytes(payload));
        if (!a.ok()) continue;
        appended[t][a.lsn()] = payload;
        // Written (fsync is off) before the next: many small writes, many rollovers.
        CHECK(writer->WaitDurable(a.position()));
      }
    });
    done = true;
  });

  WalTailer tailer(wal::FileSystem::Posix(), dir.path, 0);
  std::vector<TailedRecord> read;
  const Lsn total = Lsn{kThreads} * kPerThread;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  Status status;
  while ((!done || tailer.last_lsn() < total) && status.ok() &&
         std::chrono::steady_clock::now() < deadline) {
    std::vector<TailedRecord> batch;
    status = tailer.Next(37, &batch);
    if (batch.empty()) tailer.WaitForData(std::chrono::milliseconds(20));
    for (TailedRecord& r : batch) read.push_back(std::move(r));
  }
  appenders.join();
  REQUIRE(writer->Close().ok());
  REQUIRE_MESSAGE(status.ok(), status.ToString());

  std::map<Lsn, std::string> written;
  for (const auto& mine : appended) written.insert(mine.begin(), mine.end());
  REQUIRE(written.size() == total);
  REQUIRE(read.size() == total);
  for (size_t i = 0; i < read.size(); ++i) {
    REQUIRE(read[i].lsn == i + 1);
    CHECK(read[i].type == kType);
    CHECK(read[i].payload == written[read[i].lsn]);
  }
  std::vector<wal::SegmentInfo> segments;
  REQUIRE(wal::ListSegments(wal::FileSystem::Posix(), dir.path, &segments).ok());
  CHECK(segments.size() >= 10);
}

TEST_CASE("a tailer starts after `after`: mid-segment, at a segment boundary, at the end") {
  Dir d;
  d.Put(1, Segment(1, 10));
  d.Put(11, Segment(11, 20));
  d.Put(21, Segment(21, 30));
  for (Lsn after : {Lsn{0}, Lsn{5}, Lsn{10}, Lsn{11}, Lsn{20}, Lsn{29}, Lsn{30}}) {
    CAPTURE(after);
    WalTailer tailer(&d.fs, kDir, after);
    CHECK(tailer.last_lsn() == after);
    CHECK(ReadAll(tailer, 3) == Range(after + 1, 30));
    CHECK(tailer.last_lsn() == 30);
  }
}

TEST_CASE("a partial frame at the tail of the newest segment is waited for, then returned") {
  Dir d;
  std::string full = Segment(1, 4);
  size_t fourth = FrameOffsets(full)[3];
  WalTailer tailer(&d.fs, kDir, 0);

  d.Put(1, full.substr(0, wal::kSegmentHeaderSize - 5));  // the header being written
  CHECK(ReadAll(tailer).empty());
  d.Put(1, full.substr(0, fourth + wal::kFrameHeaderSize - 3));  // a frame header, partly
  CHECK(ReadAll(tailer) == Range(1, 3));
  d.Put(1, full.substr(0, full.size() - 2));  // the payload, partly
  CHECK(ReadAll(tailer).empty());
  d.Put(1, full);
  CHECK(ReadAll(tailer) == Range(4, 4));
}

TEST_CASE("frames written over the zero tail are waited for, then returned, across a rollover") {
  // The writer keeps zeros ahead of its frames and writes each batch over them.
  Dir d;
  std::string full = Segment(1, 6);
  const std::string zeros(4096, '\0');
  auto offsets = FrameOffsets(full);
  auto written_to = [&](size_t end) { return full.substr(0, end) + zeros.substr(end % 512); };
  WalTailer tailer(&d.fs, kDir, 0);

  d.Put(1, written_to(offsets[3]));
  CHECK(ReadAll(tailer) == Range(1, 3));
  CHECK(ReadAll(tailer).empty());
  d.Put(1, written_to(offsets[5]));
  CHECK(ReadAll(tailer) == Range(4, 5));
  d.Put(1, written_to(full.size() - 3));  // record 6 being written: its last bytes still zeros
  CHECK(ReadAll(tailer).empty());
  // Record 6 done; the segment closed with zeros left, fewer than a frame header.
  d.Put(1, full + std::string(wal::kFrameHeaderSize - 1, '\0'));
  d.Put(7, Segment(7, 9) + zeros);
  CHECK(ReadAll(tailer) == Range(6, 9));
}

TEST_CASE("a read that saw a batch in part and a later batch whole is read again, not judged") {
  // The writer overwrites its zero tail; a read copying page after page meanwhile can
  // see record 4 (one batch) still partly zeros and record 5 (a batch appended after 4
  // was synced, so vouching for it) already there.
  Dir d;
  RacingFileSystem fs(&d.fs);
  std::string full = Segment(1, 6);
  size_t fourth = FrameOffsets(full)[3];
  d.Put(1, full);
  fs.next_read = [&](uint64_t offset, std::string* out) {
    REQUIRE(offset == 0);
    out->replace(fourth + wal::kFrameHeaderSize, 4, 4, '\0');
  };
  WalTailer tailer(&fs, kDir, 0);
  CHECK(ReadAll(tailer) == Range(1, 6));
}

TEST_CASE("zeros amid the frames of a segment a newer one follows are an LSN gap") {
  // The zeros end the segment's frames for the tailer; the next segment's first LSN
  // then tells that frames were lost.
  Dir d;
  std::string bytes = Segment(1, 6);
  bytes.replace(FrameOffsets(bytes)[3], wal::kFrameHeaderSize, wal::kFrameHeaderSize, '\0');
  d.Put(1, bytes);
  d.Put(7, Segment(7, 8));
  ExpectReadThenError(d, 0, Range(1, 3), ErrorCode::kCorruption,
                      {"LSN gap (expected 4, found segment 7)", At(7, 0)});
}

TEST_CASE("a segment finished just before its successor appears is read again, to its end") {
  Dir d;
  RacingFileSystem fs(&d.fs);
  std::string full = Segment(1, 5);
  d.Put(1, full.substr(0, full.size() - 4));  // record 5 being written
  WalTailer tailer(&fs, kDir, 0);
  CHECK(ReadAll(tailer) == Range(1, 4));
  // The tailer reads the partial record again, finds no more bytes, and looks for a
  // newer segment; just before it looks, the writer finishes record 5 and rolls over.
  fs.before_list = [&] {
    d.Put(1, full);
    d.Put(6, Segment(6, 8));
  };
  CHECK(ReadAll(tailer) == Range(5, 8));
}

TEST_CASE("a bad last write of the newest segment is waited for, as recovery would cut it") {
  // Frames 5 and 6 were appended in one batch after 4 was synced; frame 5 is damaged.
  // No frame after it was appended once it had been synced: a torn write.
  Dir d;
  std::string bytes = Segment(1, 4);
  size_t fifth = bytes.size();
  wal::AppendFrame(5, 4, kType, AsBytes(Payload(5)), &bytes);
  wal::AppendFrame(6, 4, kType, AsBytes(Payload(6)), &bytes);
  bytes[fifth + wal::kFrameHeaderSize + 1] ^= 0x20;
  d.Put(1, bytes);
  WalTailer tailer(&d.fs, kDir, 0);
  CHECK(ReadAll(tailer) == Range(1, 4));
  CHECK(ReadAll(tailer).empty());
}

TEST_CASE("a torn tail is waited on, then followed past recovery's cut into the next segment") {
  Dir d;
  std::string bytes = Segment(1, 5);
  std::string torn;
  wal::AppendFrame(6, 5, kType, AsBytes(Payload(6)), &torn);
  SUBCASE("a partial frame") { torn.resize(torn.size() - 4); }
  SUBCASE("a whole frame with a flipped bit") { torn[wal::kFrameHeaderSize + 1] ^= 0x08; }
  d.Put(1, bytes + torn);  // the server died in the middle of writing record 6
  WalTailer tailer(&d.fs, kDir, 0);
  CHECK(ReadAll(tailer) == Range(1, 5));
  CHECK(ReadAll(tailer).empty());

  // The server restarts: recovery cuts segment 1 after record 5, and the writer starts
  // a new segment there, so segment 1 is closed now, and shorter than what was read.
  wal::ReplayReport report;
  REQUIRE(wal::ReplayWal(
              &d.fs, kDir, 0, wal::kMaxLsn, wal::RecoveryMode::kStrict,
              [](const wal::WalRecord&) { return Status::Ok(); }, &report)
              .ok());
  REQUIRE(report.last_lsn == 5);
  REQUIRE_FALSE(report.cut.empty());
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(&d.fs, kDir, 6, {}, &writer).ok());
  for (Lsn lsn = 6; lsn <= 8; ++lsn) {
    wal::Appended a = writer->Append(kType, AsBytes(Payload(lsn)));
    REQUIRE(a.ok());
    REQUIRE(writer->WaitDurable(a.position()));
  }
  REQUIRE(writer->Close().ok());
  CHECK(ReadAll(tailer) == Range(6, 8));
}

TEST_CASE("a segment removed by retention after the tailer read all of it is not an error") {
  Dir d;
  d.Put(1, Segment(1, 10));
  WalTailer tailer(&d.fs, kDir, 0);
  CHECK(ReadAll(tailer) == Range(1, 10));
  d.Put(11, Segment(11, 20));
  REQUIRE(d.fs.Remove(PathOf(1)).ok());
  CHECK(ReadAll(tailer) == Range(11, 20));
}

// --- the reader's error paths ---

TEST_CASE("a bad checksum followed by frames appended after it was synced is corruption") {
  Dir d;
  std::string bytes = Segment(1, 10);
  size_t bad = FrameOffsets(bytes)[4];
  bytes[bad + wal::kFrameHeaderSize + 2] ^= 0x01;
  d.Put(1, bytes);  // the newest segment
  // The records before the bad one come first.
  ExpectReadThenError(d, 0, Range(1, 4), ErrorCode::kCorruption, {"checksum", At(1, bad)});
}

TEST_CASE("a bad last frame of a segment a newer one follows is corruption") {
  Dir d;
  std::string bytes = Segment(1, 10);
  size_t last = FrameOffsets(bytes).back();
  bytes[bytes.size() - 1] ^= 0x01;
  d.Put(1, bytes);
  d.Put(11, Segment(11, 12));
  ExpectReadThenError(d, 0, Range(1, 9), ErrorCode::kCorruption, {"checksum", At(1, last)});
}

TEST_CASE("a segment a newer one follows that ends in a partial frame is corruption") {
  Dir d;
  std::string bytes = Segment(1, 6);
  size_t sixth = FrameOffsets(bytes)[5];
  d.Put(1, bytes.substr(0, bytes.size() - 3));
  d.Put(6, Segment(6, 8));
  ExpectReadThenError(d, 0, Range(1, 5), ErrorCode::kCorruption, {"partial record", At(1, sixth)});
}

TEST_CASE("a segment a newer one follows that ends in a partial header is corruption") {
  Dir d;
  d.Put(1, Segment(1, 0).substr(0, wal::kSegmentHeaderSize - 1));
  d.Put(2, Segment(2, 3));
  ExpectReadThenError(d, 0, {}, ErrorCode::kCorruption, {"partial segment header", At(1, 0)});
}

TEST_CASE("an LSN gap between segments is corruption") {
  Dir d;
  d.Put(1, Segment(1, 10));
  d.Put(12, Segment(12, 20));
  ExpectReadThenError(d, 0, Range(1, 10), ErrorCode::kCorruption,
                      {"LSN gap (expected 11, found segment 12)", At(12, 0)});
}

TEST_CASE("an LSN out of order inside a segment, a gap or a repeat, is corruption") {
  const std::pair<Lsn, std::string> cases[] = {{7, "LSN gap (expected 6, found 7)"},
                                               {5, "LSN out of order (expected 6, found 5)"}};
  for (const auto& [lsn, why] : cases) {
    CAPTURE(lsn);
    Dir d;
    std::string bytes = Segment(1, 5);
    size_t bad = bytes.size();
    wal::AppendFrame(lsn, 5, kType, AsBytes(Payload(lsn)), &bytes);
    d.Put(1, bytes);
    ExpectReadThenError(d, 0, Range(1, 5), ErrorCode::kCorruption, {why, At(1, bad)});
  }
}

TEST_CASE("an unknown frame version is corruption even at the tail of the newest segment") {
  Dir d;
  std::string bytes = Segment(1, 4);
  size_t last = FrameOffsets(bytes).back();
  RewriteFrame(bytes, last, [](std::string& h) { h[5] = 2; });  // the frame version
  d.Put(1, bytes);
  ExpectReadThenError(d, 0, Range(1, 3), ErrorCode::kCorruption,
                      {"unknown record format version", At(1, last)});
}

TEST_CASE("a segment header of an unknown version or an LSN not its name's is corruption") {
  std::string unknown_version = Segment(1, 3);
  SetSegmentVersion(unknown_version, 9);
  const std::pair<std::string, std::string> cases[] = {
      {unknown_version, "unknown segment version 9"},  // its checksum intact
      {Segment(2, 4), "does not match its name"}};
  for (const auto& [bytes, why] : cases) {
    CAPTURE(why);
    Dir d;
    d.Put(1, bytes);
    ExpectReadThenError(d, 0, {}, ErrorCode::kCorruption, {why, At(1, 0)});
  }
}

TEST_CASE("the segment of the record after `after` deleted is NotFound, naming the oldest LSN") {
  Dir d;
  d.Put(11, Segment(11, 20));
  d.Put(21, Segment(21, 25));
  ExpectReadThenError(d, 5, {}, ErrorCode::kFileNotFound,
                      {"record 6 is no longer in " + kDir, "the oldest LSN there is 11"});
  WalTailer at_oldest(&d.fs, kDir, 10);
  CHECK(ReadAll(at_oldest) == Range(11, 25));
}

TEST_CASE("a segment deleted while the tailer reads it is NotFound, naming the oldest LSN") {
  Dir d;
  d.Put(1, Segment(1, 40, 64 << 10));  // 2.5 MiB: more than one read
  d.Put(41, Segment(41, 45));
  WalTailer tailer(&d.fs, kDir, 0);
  std::vector<TailedRecord> first;
  REQUIRE(tailer.Next(1, &first).ok());
  REQUIRE(first.size() == 1);
  REQUIRE(d.fs.Remove(PathOf(1)).ok());
  Reading reading = ReadOn(tailer);  // what the tailer had read before the deletion
  REQUIRE(!reading.lsns.empty());
  Lsn last = reading.lsns.back();
  CHECK(reading.lsns == Range(2, last));
  CHECK(last < 40);
  ExpectError(
      tailer, reading, ErrorCode::kFileNotFound,
      {"record " + std::to_string(last + 1) + " is no longer in", "the oldest LSN there is 41"});
}

// --- OldestLsn ---

TEST_CASE("OldestLsn is the first LSN of the oldest segment, or nothing") {
  Dir d;
  std::optional<Lsn> oldest = 7;
  REQUIRE(wal::OldestLsn(&d.fs, "/db/missing", &oldest).ok());
  CHECK_FALSE(oldest.has_value());
  oldest = 7;
  REQUIRE(wal::OldestLsn(&d.fs, kDir, &oldest).ok());
  CHECK_FALSE(oldest.has_value());
  d.Put(21, Segment(21, 30));
  d.Put(11, Segment(11, 20));
  d.fs.SetContents(kDir + "/notes.txt", "not a segment");
  REQUIRE(wal::OldestLsn(&d.fs, kDir, &oldest).ok());
  CHECK(oldest == 11);
}

// --- waiting ---

TEST_CASE("WaitForData returns when a writer appends, and the record is then readable") {
  TempDir dir("wait");
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(wal::FileSystem::Posix(), dir.path, 1, {}, &writer).ok());
  WalTailer tailer(wal::FileSystem::Posix(), dir.path, 0);
  std::vector<TailedRecord> read;
  REQUIRE(tailer.Next(10, &read).ok());
  REQUIRE(read.empty());

  const auto timeout = std::chrono::seconds(20);
  std::thread append([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    wal::Appended a = writer->Append(kType, AsBytes(Payload(1)));
    CHECK((a.ok() && writer->WaitDurable(a.position())));
  });
  // Wake-ups may come before the frame (the segment is created first): look each time.
  auto start = std::chrono::steady_clock::now();
  while (read.empty() && std::chrono::steady_clock::now() - start < timeout) {
    tailer.WaitForData(timeout);
    REQUIRE(tailer.Next(10, &read).ok());
  }
  append.join();
  CHECK(std::chrono::steady_clock::now() - start < timeout);
  REQUIRE(read.size() == 1);
  CHECK(read[0].lsn == 1);
  CHECK(read[0].payload == Payload(1));
}

// fsync=off: the writer never syncs, so only the reader's own fdatasync makes what it
// passed on durable.
TEST_CASE("SyncReturned fdatasyncs the segments records were returned from") {
  TempDir dir("sync");
  wal::WalOptions options;
  options.sync = *wal::SyncPolicy::Parse("off");
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(wal::FileSystem::Posix(), dir.path, 1, options, &writer).ok());
  for (int i = 1; i <= 3; ++i) REQUIRE(writer->Append(kType, AsBytes(Payload(i))).ok());
  REQUIRE(writer->WaitDurable({3}));  // written to the OS; with "off" that is all
  WalTailer tailer(wal::FileSystem::Posix(), dir.path, 0);
  std::vector<TailedRecord> read;
  REQUIRE(tailer.Next(10, &read).ok());
  REQUIRE(read.size() == 3);
  CHECK(tailer.SyncReturned().ok());
  CHECK(tailer.SyncReturned().ok());  // nothing new: nothing to do
}

TEST_CASE("WaitForData returns after its timeout when nothing changes") {
  TempDir dir("idle");
  std::filesystem::create_directories(dir.path);
  WalTailer tailer(wal::FileSystem::Posix(), dir.path, 0);
  tailer.WaitForData(std::chrono::milliseconds(30));
  WalTailer missing(wal::FileSystem::Posix(), dir.path / "missing", 0);
  missing.WaitForData(std::chrono::milliseconds(30));
  std::vector<TailedRecord> read;
  CHECK(missing.Next(10, &read).ok());
  CHECK(read.empty());
}

}  // namespace
}  // namespace ecomm::testing
