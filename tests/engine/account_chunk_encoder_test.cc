// No account, however long its history, can make a snapshot fail: an account's payload
// is split over bounded chunks (kAccount, then kAccountMore) and joined again on load.
// The bound is lowered here so that a few hundred entries span many chunks.
#include <doctest/doctest.h>

#include "ecomm/database.h"
#include "ecomm/replica.h"
#include "ecomm/wal/snapshot_file.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/seeded_database.h"

namespace ecomm::testing {
namespace {

constexpr size_t kChunkBytes = 300;

TEST_CASE("a long account history spans several bounded snapshot chunks and loads back") {
  FaultFileSystem fs(3);
  DatabaseOptions options = QuietDatabaseOptions(fs);
  options.snapshot_chunk_bytes = kChunkBytes;
  uint64_t digest = 0;
  WithSeededDatabase(options, [&](Database& db, Engine& engine) {
    CommitTicket last;
    for (int i = 0; i < 400; ++i) last = engine.Charge("u0", 1 + i)->ticket;
    for (int i = 0; i < 40; ++i) {
      last =
          engine.PlaceOrder(OrderRequest{"u0", std::vector<OrderLine>{{"p1", 1}}, false})->ticket;
    }
    REQUIRE(engine.WaitDurable(last).ok());
    REQUIRE(db.Snapshot().ok());
    digest = StateDigest(engine);
  });
  std::vector<wal::SnapshotInfo> snapshots;
  REQUIRE(wal::ListSnapshots(&fs, "/db/snapshots", &snapshots).ok());
  REQUIRE_FALSE(snapshots.empty());
  wal::SnapshotImage image;
  REQUIRE(wal::ReadSnapshot(&fs, "/db/snapshots/" + snapshots.back().name, &image).ok());
  size_t continued = 0;
  for (const wal::SnapshotChunk& chunk : image.chunks) {
    CHECK(chunk.payload.size() <= kChunkBytes);
    if (chunk.kind == 5) ++continued;
  }
  CHECK(continued > 50);  // u0's ~30 KB in 300-byte pieces

  auto reopened = Database::Open(options);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->recovery().snapshot_lsn > 0);
  CHECK((*reopened)->recovery().records_replayed == 0);
  CHECK(StateDigest((*reopened)->engine()) == digest);
}

TEST_CASE("a snapshot whose account continuation follows no account chunk is not loaded") {
  FaultFileSystem fs(4);
  REQUIRE(fs.CreateDir("/db").ok());
  std::unique_ptr<wal::SnapshotWriter> writer;
  REQUIRE(wal::SnapshotWriter::Create(&fs, "/db/snapshots", 7, &writer).ok());
  const uint8_t piece[] = {1, 2, 3};
  REQUIRE(writer->Add(5, piece).ok());
  REQUIRE(writer->Commit().ok());
  auto replica = Replica::Load(&fs, "/db", [](const std::string&) {});
  REQUIRE(replica.ok());
  CHECK(replica->applied_lsn() == 0);
  CHECK(replica->skipped_snapshots().find("continuation") != std::string::npos);
}

}  // namespace
}  // namespace ecomm::testing
