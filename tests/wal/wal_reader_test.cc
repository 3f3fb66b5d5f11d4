// One test per error path of the log and snapshot readers, each checking the exact
// behaviour: a torn tail is cut and recovery goes on; corruption followed by good
// records refuses to start with a message naming file and offset, unless started
// with --recover=truncate; a snapshot that fails to verify gives way to the previous.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ecomm/database.h"
#include "ecomm/wal/log_format.h"
#include "ecomm/wal/snapshot_file.h"
#include "log_bytes.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"

namespace ecomm::testing {
namespace {

const std::string kSegment = "/db/wal/00000000000000000001.wal";

// A database on a fault file system holding `charges` synced charges after the shop;
// the "process" is then killed with every byte synced, so nothing is lost.
struct CrashedDatabase {
  FaultFileSystem fs{42};
  DatabaseOptions options;
  uint64_t digest = 0;
  Lsn last = 0;

  explicit CrashedDatabase(int charges, bool with_snapshots = false) {
    options.data_dir = "/db";
    options.fs = &fs;
    options.snapshot_every = 0;
    options.log = [](std::string_view) {};
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(SeedShop(engine, ShopShape{}) > 0);
    for (int i = 0; i < charges; ++i) {
      auto c = engine.Charge("u1", 100 + i);
      REQUIRE(c.ok());
      REQUIRE(engine.WaitDurable(c->ticket).ok());
      last = c->ticket.lsn;
      if (with_snapshots && (i == charges / 3 || i == 2 * charges / 3)) {
        REQUIRE((*db)->Snapshot().ok());
      }
    }
    digest = StateDigest(engine);
    fs.Crash();
    db->reset();
    fs.Reboot();
  }

  // Byte offsets of the frames of the first segment, and where they end (its zero
  // tail, written ahead by the log writer, follows).
  std::vector<size_t> FrameOffsets(size_t* end = nullptr) const {
    std::string bytes = fs.Contents(kSegment);
    std::span data(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    std::vector<size_t> offsets;
    size_t off = wal::kSegmentHeaderSize;
    wal::Frame frame;
    while (wal::ParseFrame(data.subspan(off), &frame) == wal::FrameError::kNone) {
      offsets.push_back(off);
      off += frame.size;
    }
    REQUIRE(wal::ClassifyZeroTail(data.subspan(off)) == wal::ZeroTail::kToTheEnd);
    REQUIRE(off < data.size());
    if (end != nullptr) *end = off;
    return offsets;
  }

  void Edit(const std::function<void(std::string&)>& edit) {
    std::string bytes = fs.Contents(kSegment);
    edit(bytes);
    fs.SetContents(kSegment, bytes);
  }

  Result<std::unique_ptr<Database>> Reopen(wal::RecoveryMode mode = wal::RecoveryMode::kStrict) {
    DatabaseOptions o = options;
    o.recovery = mode;
    return Database::Open(o);
  }
};

void ExpectRefused(CrashedDatabase& c, size_t offset, const std::string& why,
                   const std::string& segment = kSegment) {
  auto db = c.Reopen();
  REQUIRE_FALSE(db.ok());
  CHECK(db.code() == ErrorCode::kCorruption);
  const std::string& message = db.status().message();
  CHECK_MESSAGE(message.find(segment + " at offset " + std::to_string(offset)) != std::string::npos,
                message);
  CHECK_MESSAGE(message.find(why) != std::string::npos, message);
}

void ExpectCut(CrashedDatabase& c, Lsn last, wal::RecoveryMode mode = wal::RecoveryMode::kStrict) {
  auto db = c.Reopen(mode);
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  CHECK((*db)->recovery().last_lsn == last);
  CHECK_FALSE((*db)->recovery().cut.empty());
  // The cut is durable: a second recovery finds a clean log.
  db->reset();
  auto again = c.Reopen();
  REQUIRE(again.ok());
  CHECK((*again)->recovery().last_lsn >= last);
}

// The log recovers in full, to the state before the crash, with nothing cut.
void ExpectIntact(CrashedDatabase& c) {
  auto db = c.Reopen();
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  CHECK((*db)->recovery().last_lsn == c.last);
  CHECK((*db)->recovery().cut.empty());
  CHECK(StateDigest((*db)->engine()) == c.digest);
}

// --- the WAL reader's error paths ---

TEST_CASE("an unfinished snapshot (.tmp) left by a crash is removed at start, cursor temps stay") {
  FaultFileSystem fs(11);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  std::vector<std::string> logged;
  options.log = [&](std::string_view line) { logged.emplace_back(line); };
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    REQUIRE((*db)->engine().CreateUser(NewUser{"u", "U", "u@x"}).ok());
    REQUIRE((*db)->Close().ok());
  }
  fs.SetContents("/db/snapshots/" + wal::SnapshotFileName(99) + ".tmp", std::string(4096, 'x'));
  fs.SetContents("/db/cursors/shipper.tmp", "a shipper's cursor, being written");
  auto db = Database::Open(options);
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  std::vector<std::string> names;
  REQUIRE(fs.ListDir("/db/snapshots", &names).ok());
  for (const std::string& name : names) CHECK_FALSE(name.ends_with(".tmp"));
  std::string cursor_temp;
  CHECK(fs.ReadFile("/db/cursors/shipper.tmp", &cursor_temp).ok());
  bool said = false;
  for (const std::string& line : logged)
    said = said || line.find("unfinished snapshot") != std::string::npos;
  CHECK(said);
  CHECK((*db)->engine().GetUser("u").ok());
}

TEST_CASE("a bad checksum in the middle of the log refuses to start, naming file and offset") {
  CrashedDatabase c(12);
  size_t bad = c.FrameOffsets()[8];
  c.Edit([&](std::string& b) { b[bad + wal::kFrameHeaderSize + 3] ^= 0x10; });
  ExpectRefused(c, bad, "checksum");
  ExpectCut(c, 8, wal::RecoveryMode::kTruncate);  // frames 1..8 survive --recover=truncate
}

TEST_CASE("a bad checksum in the last record is a torn tail: cut, and recovery goes on") {
  CrashedDatabase c(12);
  size_t last = c.FrameOffsets().back();
  c.Edit([&](std::string& b) { b[last + wal::kFrameHeaderSize] ^= 0x01; });
  ExpectCut(c, c.last - 1);
}

TEST_CASE("a bad length in the middle of the log is corruption") {
  CrashedDatabase c(12);
  size_t bad = c.FrameOffsets()[5];
  c.Edit([&](std::string& b) { b.replace(bad, 4, "\xff\xff\xff\x7f"); });
  ExpectRefused(c, bad, "bad record length");
}

TEST_CASE("an unknown frame version is corruption even at the tail") {
  CrashedDatabase c(12);
  size_t last = c.FrameOffsets().back();
  c.Edit([&](std::string& b) { RewriteFrame(b, last, [](std::string& h) { h[5] = 2; }); });
  ExpectRefused(c, last, "unknown record format version");
}

TEST_CASE("an LSN gap is corruption") {
  CrashedDatabase c(12);
  auto offsets = c.FrameOffsets();
  c.Edit([&](std::string& b) { b.erase(offsets[6], offsets[7] - offsets[6]); });
  ExpectRefused(c, offsets[6], "LSN gap");
}

TEST_CASE("a truncated record header at the tail is a torn write") {
  CrashedDatabase c(12);
  size_t last = c.FrameOffsets().back();
  c.Edit([&](std::string& b) { b.resize(last + wal::kFrameHeaderSize / 2); });
  ExpectCut(c, c.last - 1);
}

TEST_CASE("zeros amid records in the middle of the log are corruption") {
  CrashedDatabase c(12);
  size_t bad = c.FrameOffsets()[7];
  c.Edit(
      [&](std::string& b) { b.replace(bad, wal::kFrameHeaderSize, wal::kFrameHeaderSize, '\0'); });
  ExpectRefused(c, bad, "zeros amid records");
  ExpectCut(c, 7, wal::RecoveryMode::kTruncate);
}

TEST_CASE("zeros over the last record's header, its payload still there, are a torn tail") {
  CrashedDatabase c(12);
  size_t last = c.FrameOffsets().back();
  c.Edit(
      [&](std::string& b) { b.replace(last, wal::kFrameHeaderSize, wal::kFrameHeaderSize, '\0'); });
  ExpectCut(c, c.last - 1);
}

TEST_CASE("the zero tail ends a segment's records, and is not a cut") {
  CrashedDatabase c(12);
  size_t end = 0;
  c.FrameOffsets(&end);
  // Short of a header's worth of zeros is the end of the file's frames too.
  c.Edit([&](std::string& b) { b.resize(end + wal::kFrameHeaderSize / 2); });
  ExpectIntact(c);
}

TEST_CASE("a segment that does not go on from the one before is an LSN gap") {
  // The last records of a closed segment read back as zeros, and the next segment has
  // no frame yet: only the segments' names show the loss.
  CrashedDatabase c(12);
  auto offsets = c.FrameOffsets();
  c.Edit([&](std::string& b) {
    b.replace(offsets[9], b.size() - offsets[9], b.size() - offsets[9], '\0');
  });
  std::string next;
  wal::AppendSegmentHeader(c.last + 1, &next);
  const std::string next_path = "/db/wal/" + wal::SegmentFileName(c.last + 1);
  c.fs.SetContents(next_path, next + std::string(4096, '\0'));
  ExpectRefused(c, 0, "LSN gap (expected 10, found segment " + std::to_string(c.last + 1) + ")",
                next_path);
}

TEST_CASE("a version 1 segment, which has no zero tail, is still read") {
  CrashedDatabase c(12);
  size_t end = 0;
  c.FrameOffsets(&end);
  c.Edit([&](std::string& b) {
    b.resize(end);
    SetSegmentVersion(b, 1);
  });
  ExpectIntact(c);
}

TEST_CASE("a segment header with an intact checksum but an unknown version is corruption") {
  CrashedDatabase c(3);
  c.Edit([](std::string& b) { SetSegmentVersion(b, 9); });
  ExpectRefused(c, 0, "unknown segment version");
}

TEST_CASE("a repeated LSN is corruption, not a record to skip") {
  CrashedDatabase c(12);
  auto offsets = c.FrameOffsets();
  c.Edit([&](std::string& b) {
    b.insert(offsets[7], b.substr(offsets[6], offsets[7] - offsets[6]));  // record 7 again
  });
  ExpectRefused(c, offsets[7], "LSN out of order (expected 8, found 7)");
  ExpectCut(c, 7, wal::RecoveryMode::kTruncate);
}

// A segment after the first, holding only its header, `bytes` of it.
std::string AddSegment(CrashedDatabase& c, Lsn name, Lsn header_lsn, size_t bytes) {
  std::string header;
  wal::AppendSegmentHeader(header_lsn, &header);
  std::string path = "/db/wal/" + wal::SegmentFileName(name);
  c.fs.SetContents(path, header.substr(0, bytes) + std::string(4096, '\0'));
  return path;
}

TEST_CASE("a segment header whose LSN is not its file name's is corruption, whatever follows") {
  CrashedDatabase c(12);
  std::string next = AddSegment(c, c.last + 1, c.last + 2, wal::kSegmentHeaderSize);
  ExpectRefused(c, 0, "segment header LSN " + std::to_string(c.last + 2) + " does not match", next);
  ExpectCut(c, c.last, wal::RecoveryMode::kTruncate);  // the segment is removed
}

TEST_CASE("a partial segment header in the newest segment is a torn tail: the file goes") {
  CrashedDatabase c(12);
  AddSegment(c, c.last + 1, c.last + 1, wal::kSegmentHeaderSize / 2);
  ExpectCut(c, c.last);
}

TEST_CASE("a partial record at the end of a segment a newer one follows is corruption") {
  CrashedDatabase c(12);
  size_t last = c.FrameOffsets().back();
  c.Edit([&](std::string& b) { b.resize(last + wal::kFrameHeaderSize + 1); });
  AddSegment(c, c.last, c.last, wal::kSegmentHeaderSize);
  ExpectRefused(c, last, "partial record");
}

TEST_CASE("a log that starts after the first record recovery needs is an LSN gap") {
  // Records after the snapshot are gone, and the segment left holds no frame yet: only
  // its name shows the loss.
  CrashedDatabase c(30, /*with_snapshots=*/true);
  REQUIRE(c.fs.Remove(kSegment).ok());
  std::string next = AddSegment(c, c.last + 5, c.last + 5, wal::kSegmentHeaderSize);
  ExpectRefused(c, 0, "found segment " + std::to_string(c.last + 5) + ")", next);
}

TEST_CASE("an intact log recovers to the same state digest") {
  CrashedDatabase c(30);
  ExpectIntact(c);
}

// --- the snapshot reader's error paths ---

std::vector<std::string> Snapshots(CrashedDatabase& c) {
  std::vector<std::string> names;
  REQUIRE(c.fs.ListDir("/db/snapshots", &names).ok());
  return names;
}

void ExpectFallback(CrashedDatabase& c, const std::function<void(std::string&)>& damage) {
  auto names = Snapshots(c);
  REQUIRE(names.size() == 2);
  std::string newest = "/db/snapshots/" + names.back();
  std::string bytes = c.fs.Contents(newest);
  damage(bytes);
  c.fs.SetContents(newest, bytes);
  auto db = c.Reopen();
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  CHECK((*db)->recovery().snapshot_lsn == wal::ParseSnapshotFileName(names.front()));
  CHECK((*db)->recovery().snapshot_skipped.find(newest) != std::string::npos);
  CHECK(StateDigest((*db)->engine()) == c.digest);
}

TEST_CASE("a truncated snapshot gives way to the previous one plus the log") {
  CrashedDatabase c(30, /*with_snapshots=*/true);
  ExpectFallback(c, [](std::string& b) { b.resize(b.size() - 5); });
}

TEST_CASE("a snapshot with a flipped bit gives way to the previous one plus the log") {
  CrashedDatabase c(30, /*with_snapshots=*/true);
  ExpectFallback(c, [](std::string& b) { b[b.size() / 2] ^= 0x04; });
}

TEST_CASE("recovery from the newest snapshot equals recovery from the whole log") {
  CrashedDatabase c(30, /*with_snapshots=*/true);
  auto db = c.Reopen();
  REQUIRE(db.ok());
  CHECK((*db)->recovery().snapshot_lsn > 0);
  CHECK((*db)->recovery().records_replayed < c.last);
  CHECK(StateDigest((*db)->engine()) == c.digest);
}

}  // namespace
}  // namespace ecomm::testing
