// What retention keeps. A snapshot that does not verify is never the fallback that lets
// older log go; an unreadable cursor keeps the log its reader may need, and says so at
// once instead of failing every snapshot.
#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ecomm/database.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_reader.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"

namespace ecomm::testing {
namespace {

DatabaseOptions RetentionOptions(FaultFileSystem& fs, std::vector<std::string>* log) {
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.segment_bytes = 2048;  // many segments, so that retention has something to delete
  options.log = [log](std::string_view line) { log->emplace_back(line); };
  return options;
}

// A batch of durable mutations.
void Mutate(Engine& engine, uint64_t seed) {
  RandomMutations ops(engine, seed, ShopShape{});
  CommitTicket last;
  for (int i = 0; i < 60; ++i) {
    if (std::optional<CommitTicket> t = ops.Step(); t && t->lsn != 0) last = *t;
  }
  REQUIRE(engine.WaitDurable(last).ok());
}

std::string NewestSnapshot(FaultFileSystem& fs) {
  std::vector<wal::SnapshotInfo> snapshots;
  REQUIRE(wal::ListSnapshots(&fs, "/db/snapshots", &snapshots).ok());
  REQUIRE_FALSE(snapshots.empty());
  return "/db/snapshots/" + snapshots.back().name;
}

void FlipAByte(FaultFileSystem& fs, const std::string& path) {
  std::string bytes = fs.Contents(path);
  REQUIRE(bytes.size() > 100);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
  fs.SetContents(path, bytes);
}

TEST_CASE("a snapshot that failed verification is never counted as the fallback") {
  FaultFileSystem fs(21);
  std::vector<std::string> log;
  DatabaseOptions options = RetentionOptions(fs, &log);
  uint64_t digest = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    REQUIRE(SeedShopDurably((*db)->engine()));
    Mutate((*db)->engine(), 1);
    REQUIRE((*db)->Snapshot().ok());  // S1: good
    Mutate((*db)->engine(), 2);
    REQUIRE((*db)->Snapshot().ok());  // S2: rots below
    Mutate((*db)->engine(), 3);
    fs.Crash();
  }
  fs.Reboot();
  FlipAByte(fs, NewestSnapshot(fs));
  {
    auto db = Database::Open(options);  // S2 is skipped: S1 and the log after it
    REQUIRE(db.ok());
    CHECK_FALSE((*db)->recovery().snapshot_skipped.empty());
    Mutate((*db)->engine(), 4);
    REQUIRE((*db)->Snapshot().ok());  // S3: S2 must not be its fallback, S1 is
    digest = StateDigest((*db)->engine());
    fs.Crash();
  }
  fs.Reboot();
  FlipAByte(fs, NewestSnapshot(fs));  // S3 rots too: only S1 and the log remain
  auto db = Database::Open(options);
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  CHECK(StateDigest((*db)->engine()) == digest);
}

TEST_CASE("an unreadable cursor keeps the log, is reported at once, and fails no snapshot") {
  FaultFileSystem fs(22);
  std::vector<std::string> log;
  DatabaseOptions options = RetentionOptions(fs, &log);
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    REQUIRE(SeedShopDurably((*db)->engine()));
    REQUIRE((*db)->Close().ok());
  }
  fs.SetContents("/db/cursors/shipper", "not a cursor");
  log.clear();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  REQUIRE((*db)->UnreadableCursors().size() == 1);
  CHECK((*db)->UnreadableCursors()[0].find("/db/cursors/shipper") != std::string::npos);
  bool logged = false;
  for (const std::string& line : log) logged |= line.find("unreadable cursor") != std::string::npos;
  CHECK(logged);

  std::vector<wal::SegmentInfo> before;
  REQUIRE(wal::ListSegments(&fs, "/db/wal", &before).ok());
  for (uint64_t seed = 5; seed < 8; ++seed) {
    Mutate((*db)->engine(), seed);
    CHECK((*db)->Snapshot().ok());  // writes the snapshot, keeps the log
  }
  std::vector<wal::SegmentInfo> after;
  REQUIRE(wal::ListSegments(&fs, "/db/wal", &after).ok());
  REQUIRE_FALSE(before.empty());
  CHECK(after.front().first_lsn == before.front().first_lsn);

  // Mended (here: deleted), the log goes again at the next snapshot.
  REQUIRE(fs.Remove("/db/cursors/shipper").ok());
  Mutate((*db)->engine(), 9);
  REQUIRE((*db)->Snapshot().ok());
  CHECK((*db)->UnreadableCursors().empty());
  std::vector<wal::SegmentInfo> mended;
  REQUIRE(wal::ListSegments(&fs, "/db/wal", &mended).ok());
  CHECK(mended.front().first_lsn > before.front().first_lsn);
}

TEST_CASE("a failing snapshot is retried with backoff, not every 200 ms") {
  FaultFileSystem fs(23);
  std::mutex mu;
  std::vector<std::string> failures;
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 5;
  options.log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    if (line.starts_with("snapshot failed")) failures.emplace_back(line);
  };
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  fs.FailWritesUnder("/db/snapshots");  // the log is fine; snapshots cannot be written
  REQUIRE(SeedShopDurably((*db)->engine()));
  std::this_thread::sleep_for(std::chrono::milliseconds(1'700));
  {
    std::lock_guard lock(mu);
    // Every 200 ms would be 8 attempts; 200, 400, 800 ms apart is at most 4.
    CHECK(failures.size() >= 1);
    CHECK(failures.size() <= 4);
    if (!failures.empty()) CHECK(failures[0].find("next try in 200 ms") != std::string::npos);
  }
  CHECK((*db)->engine().Charge("u0", 1).ok());  // the log is untouched by it
  fs.FailWritesUnder("");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*db)->LastSnapshot().taken == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK((*db)->LastSnapshot().taken == 1);
}

}  // namespace
}  // namespace ecomm::testing
