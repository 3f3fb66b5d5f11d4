// Snapshots for peers: a snapshot stores the embedder's annex (a replica's topic place)
// when it gives one; the newest annexed snapshot is what a peer is served, past a given
// LSN if asked; a restart knows the loaded snapshot's annex; a snapshot file that does
// not verify is corruption.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "ecomm/database.h"
#include "ecomm/wal/snapshot_file.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"

namespace ecomm::testing {
namespace {

struct Peer {
  FaultFileSystem fs{7};
  ManualClock clock{kStartMs};
  ShopShape shape;

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(SnapshotOnCloseOptions(fs, clock));
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    return std::move(db).value();
  }
  void Mutate(Database& db, uint64_t seed) {
    RandomMutations mutations(db.engine(), seed, shape);
    for (int i = 0; i < 50; ++i) mutations.Step();
  }
  static void AnnexEveryLsn(Database& db) {
    db.SetSnapshotAnnex([](Lsn lsn) { return std::optional("place@" + std::to_string(lsn)); });
  }
};

TEST_CASE("the newest snapshot with an annex is served, and a restart knows the loaded one's") {
  Peer p;
  std::unique_ptr<Database> db = p.Open();
  REQUIRE(SeedShop(db->engine(), p.shape) > 0);
  CHECK(db->NewestAnnexedSnapshot().code() == ErrorCode::kNotFound);

  Peer::AnnexEveryLsn(*db);
  REQUIRE(db->Snapshot().ok());
  const Lsn first = db->LastSnapshot().lsn;
  Result<Database::AnnexedSnapshot> served = db->NewestAnnexedSnapshot();
  REQUIRE(served.ok());
  CHECK(served->lsn == first);
  CHECK(served->annex == "place@" + std::to_string(first));
  Result<SnapshotFileAnnex> file = ReadSnapshotAnnex(&p.fs, served->path);
  REQUIRE(file.ok());
  CHECK(file->lsn == first);
  CHECK(file->annex == served->annex);

  // A snapshot the embedder gives no annex (its records did not count, say): not served.
  // (Set first: asking for one past `first` has a snapshot taken in the background.)
  db->SetSnapshotAnnex([](Lsn) { return std::optional<std::string>(); });
  CHECK(db->NewestAnnexedSnapshot(first).code() == ErrorCode::kNotFound);  // none past it
  p.Mutate(*db, 1);
  REQUIRE(db->Snapshot().ok());
  const Lsn second = db->LastSnapshot().lsn;
  REQUIRE(second > first);
  CHECK(db->NewestAnnexedSnapshot()->lsn == first);
  CHECK_FALSE(ReadSnapshotAnnex(&p.fs, "/db/snapshots/" + wal::SnapshotFileName(second))
                  ->annex.has_value());

  // Two newer snapshots retire the annexed one: nothing is served, and one is asked for.
  p.Mutate(*db, 2);
  REQUIRE(db->Snapshot().ok());
  CHECK(db->NewestAnnexedSnapshot().code() == ErrorCode::kNotFound);

  // Past the log's end none can be taken yet: the answer says so.
  Peer::AnnexEveryLsn(*db);
  const Lsn end = db->LogStats().appended_lsn;
  Result<Database::AnnexedSnapshot> past = db->NewestAnnexedSnapshot(end);
  CHECK(past.code() == ErrorCode::kNotFound);
  CHECK(past.status().message() == "no snapshot past LSN " + std::to_string(end) +
                                       ": this log ends at LSN " + std::to_string(end));

  p.Mutate(*db, 3);
  REQUIRE(db->Close().ok());  // the final snapshot has one
  const Lsn last = db->LastSnapshot().lsn;
  db.reset();
  std::unique_ptr<Database> reopened = p.Open();
  CHECK(reopened->recovery().snapshot_lsn == last);
  CHECK(reopened->recovery().snapshot_annex == "place@" + std::to_string(last));
  CHECK(reopened->NewestAnnexedSnapshot()->lsn == last);
}

TEST_CASE("a snapshot file that does not verify has no annex to read: corruption") {
  Peer p;
  std::unique_ptr<Database> db = p.Open();
  REQUIRE(SeedShop(db->engine(), p.shape) > 0);
  Peer::AnnexEveryLsn(*db);
  REQUIRE(db->Snapshot().ok());
  std::string path = db->NewestAnnexedSnapshot()->path;
  std::string bytes;
  REQUIRE(p.fs.ReadFile(path, &bytes).ok());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  auto write = [&](const std::string& name, const std::string& content) {
    std::unique_ptr<wal::WritableFile> f;
    REQUIRE(p.fs.NewWritableFile(name, &f).ok());
    REQUIRE(f->Append({reinterpret_cast<const uint8_t*>(content.data()), content.size()}).ok());
    REQUIRE(f->Close().ok());
  };
  write("/db/flipped.snap", bytes);
  CHECK(ReadSnapshotAnnex(&p.fs, "/db/flipped.snap").code() == ErrorCode::kCorruption);
  write("/db/cut.snap", bytes.substr(0, 40));
  CHECK(ReadSnapshotAnnex(&p.fs, "/db/cut.snap").code() == ErrorCode::kCorruption);
}

}  // namespace
}  // namespace ecomm::testing
