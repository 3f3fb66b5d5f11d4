// Database::ApplyCounted, a follower's way in: a primary's records applied with the
// live path's checks and logged locally at their LSNs, so the follower's digest is the
// primary's and survives a restart; a record out of step or one that does not fit
// changes nothing, neither the state nor the log.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "ecomm/database.h"
#include "ecomm/wal/snapshot_file.h"
#include "replay.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"

namespace ecomm::testing {
namespace {

struct Follow {
  FaultFileSystem fs{3};
  ManualClock clock{kStartMs};
  EngineFixture primary;
  std::vector<wal::MemoryJournal::Entry> entries;

  Follow() {
    ShopShape shape;
    REQUIRE(SeedShop(primary.engine, shape) > 0);
    RandomMutations mutations(primary.engine, 5, shape);
    for (int i = 0; i < 300; ++i) mutations.Step();
    entries = primary.journal.Entries();
  }
  std::unique_ptr<Database> Open() {
    auto db = Database::Open(SnapshotOnCloseOptions(fs, clock));
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    return std::move(db).value();
  }
  static Status Apply(Database& db, const wal::MemoryJournal::Entry& e) {
    return db.ApplyCounted(static_cast<RecordType>(e.type), e.payload, e.lsn);
  }
};

TEST_CASE("a follower database ends with the primary's digest, and keeps it over a restart") {
  Follow f;
  std::unique_ptr<Database> db = f.Open();
  for (const auto& e : f.entries) REQUIRE(Follow::Apply(*db, e).ok());
  CHECK(db->LogStats().appended_lsn == f.entries.back().lsn);
  CHECK(StateDigest(db->engine()) == StateDigest(f.primary.engine));
  // Not closed: the restart finds the records in the log, not in a final snapshot.
  for (const auto& e : f.entries) CHECK(db->engine().WaitDurable(CommitTicket{e.lsn, 0}).ok());
  f.fs.Crash();
  db.reset();
  f.fs.Reboot();
  std::unique_ptr<Database> reopened = f.Open();
  CHECK(reopened->recovery().records_replayed == f.entries.size());
  CHECK(StateDigest(reopened->engine()) == StateDigest(f.primary.engine));
}

TEST_CASE("a counted record that does not follow the log's last changes nothing") {
  Follow f;
  std::unique_ptr<Database> db = f.Open();
  REQUIRE(Follow::Apply(*db, f.entries[0]).ok());
  uint64_t digest = StateDigest(db->engine());
  Status skipped = Follow::Apply(*db, f.entries[2]);
  CHECK(skipped.code() == ErrorCode::kInternal);
  CHECK(skipped.message() == "counted record 3 does not follow this log's last record, 1");
  Status again = Follow::Apply(*db, f.entries[0]);
  CHECK(again.code() == ErrorCode::kInternal);
  CHECK(db->LogStats().appended_lsn == 1);
  CHECK(StateDigest(db->engine()) == digest);
}

TEST_CASE("a counted record the state refuses is not logged") {
  Follow f;
  std::unique_ptr<Database> db = f.Open();
  // A charge needs its user: applied first, it does not fit.
  auto charge = std::find_if(f.entries.begin(), f.entries.end(), [](const auto& e) {
    return e.type == static_cast<uint8_t>(RecordType::kCharge);
  });
  REQUIRE(charge != f.entries.end());
  wal::MemoryJournal::Entry first = *charge;
  first.lsn = 1;
  Status refused = Follow::Apply(*db, first);
  CHECK(refused.code() == ErrorCode::kInternal);
  CHECK(db->LogStats().appended_lsn == 0);
  CHECK(StateDigest(db->engine()) == StateDigest(Engine{}));
}

// The digest of a follower that applied the first `count` entries.
uint64_t DigestAfter(const std::vector<wal::MemoryJournal::Entry>& entries, size_t count) {
  FaultFileSystem fs(4);
  ManualClock clock{kStartMs};
  auto db = Database::Open(SnapshotOnCloseOptions(fs, clock));
  REQUIRE(db.ok());
  for (size_t i = 0; i < count; ++i) REQUIRE(Follow::Apply(**db, entries[i]).ok());
  return StateDigest((*db)->engine());
}

TEST_CASE(
    "CutBack takes back durable records and a snapshot past the cut, the log goes on after it") {
  Follow f;
  std::unique_ptr<Database> db = f.Open();
  for (size_t i = 0; i < 200; ++i) REQUIRE(Follow::Apply(*db, f.entries[i]).ok());
  REQUIRE(db->Snapshot().ok());  // at LSN 200, past the cut
  for (size_t i = 200; i < 250; ++i) REQUIRE(Follow::Apply(*db, f.entries[i]).ok());
  REQUIRE(db->engine().WaitDurable(CommitTicket{250, 0}).ok());

  REQUIRE(db->CutBack(150).ok());
  CHECK(db->LogStats().appended_lsn == 150);
  CHECK(db->Health().state == LogState::kWritable);
  CHECK(StateDigest(db->engine()) == DigestAfter(f.entries, 150));
  // The records the topic counts next land after the cut.
  CHECK(Follow::Apply(*db, f.entries[200]).code() == ErrorCode::kInternal);
  for (size_t i = 150; i < f.entries.size(); ++i) REQUIRE(Follow::Apply(*db, f.entries[i]).ok());
  CHECK(StateDigest(db->engine()) == StateDigest(f.primary.engine));
  for (const auto& e : f.entries) REQUIRE(db->engine().WaitDurable(CommitTicket{e.lsn, 1}).ok());

  f.fs.Crash();  // the restart finds the same: no snapshot or frame of the cut records
  db.reset();
  f.fs.Reboot();
  std::unique_ptr<Database> reopened = f.Open();
  CHECK(reopened->recovery().snapshot_lsn == 0);
  CHECK(StateDigest(reopened->engine()) == StateDigest(f.primary.engine));
}

TEST_CASE("the newest snapshot at or below the replication cursor stays, so a cut reloads") {
  Follow f;
  DatabaseOptions options = SnapshotOnCloseOptions(f.fs, f.clock);
  options.segment_bytes = 4096;  // many segments: retention has something to remove
  options.log_zeros_ahead_bytes = 0;
  auto opened = Database::Open(options);
  REQUIRE(opened.ok());
  std::unique_ptr<Database> db = std::move(opened).value();
  auto apply_to = [&](Lsn last) {
    for (const auto& e : f.entries) {
      if (e.lsn > db->LogStats().appended_lsn && e.lsn <= last) REQUIRE(Follow::Apply(*db, e).ok());
    }
    REQUIRE(db->engine().WaitDurable(CommitTicket{last, 0}).ok());
  };
  apply_to(100);
  REQUIRE(db->Snapshot().ok());
  // The replica's counted place: records past it may be taken back.
  REQUIRE(wal::WriteCursor(&f.fs, "/db/cursors", wal::kReplicationCursor, 120).ok());
  for (Lsn at : {150, 200, 250}) {
    apply_to(at);
    REQUIRE(db->Snapshot().ok());  // the newest two, and the one at 100 below the cursor
  }
  std::vector<wal::SnapshotInfo> snapshots;
  REQUIRE(wal::ListSnapshots(&f.fs, "/db/snapshots", &snapshots).ok());
  std::vector<Lsn> kept;
  for (const auto& snapshot : snapshots) kept.push_back(snapshot.lsn);
  CHECK(kept == std::vector<Lsn>{100, 200, 250});

  REQUIRE(db->CutBack(130).ok());  // the snapshot at 100 and the log after it
  CHECK(db->LogStats().appended_lsn == 130);
  CHECK(StateDigest(db->engine()) == DigestAfter(f.entries, 130));
}

TEST_CASE("CutBack past the log's end changes nothing") {
  Follow f;
  std::unique_ptr<Database> db = f.Open();
  for (size_t i = 0; i < 10; ++i) REQUIRE(Follow::Apply(*db, f.entries[i]).ok());
  uint64_t digest = StateDigest(db->engine());
  CHECK(db->CutBack(11).code() == ErrorCode::kInvalidArgument);
  CHECK(db->LogStats().appended_lsn == 10);
  CHECK(StateDigest(db->engine()) == digest);
}

}  // namespace
}  // namespace ecomm::testing
