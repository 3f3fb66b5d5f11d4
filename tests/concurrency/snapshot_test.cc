// Snapshots taken while threads commit: each must be the exact state at its LSN.
// Recovering from the last one plus the log after it gives the final state.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>

#include "ecomm/database.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

// Runs `commit(t)` on `committers` threads while one more thread takes snapshots
// until they are done; returns how many it took.
uint64_t CommitDuringSnapshots(Database& db, int committers,
                               const std::function<void(int)>& commit) {
  std::atomic<int> running{committers};
  uint64_t snapshots = 0;
  RunConcurrently(committers + 1, [&](int t) {
    if (t == committers) {
      while (running.load() > 0) {
        REQUIRE(db.Snapshot().ok());
        ++snapshots;
      }
      return;
    }
    commit(t);
    --running;
  });
  return snapshots;
}

// Opens a database on a fault-injecting disk, runs `load` (seeding, then commits
// during snapshots; it returns the snapshot count), crashes without Close and checks
// that recovery starts from a snapshot and reaches the exact final state: every
// mutation was acknowledged, so nothing may be lost.
void CheckRecoveryFromSnapshotsUnderLoad(uint64_t seed, uint64_t segment_bytes,
                                         const std::function<uint64_t(Database&)>& load) {
  FaultFileSystem fs(seed);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.segment_bytes = segment_bytes;
  options.snapshot_chunk_bytes = 1024;  // busy accounts span several chunks, preserved or not
  options.log = [](std::string_view) {};
  uint64_t final_digest = 0;
  uint64_t snapshots = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    snapshots = load(**db);
    final_digest = StateDigest((*db)->engine());
    CHECK((*db)->LastSnapshot().taken == snapshots);
    fs.Crash();
  }
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK(snapshots > 1);
  CHECK((*db)->recovery().snapshot_lsn > 0);
  CHECK(StateDigest((*db)->engine()) == final_digest);
}

TEST_CASE("snapshots under concurrent commits recover to the exact final state") {
  CheckRecoveryFromSnapshotsUnderLoad(11, 16 << 10, [](Database& db) {
    Engine& engine = db.engine();
    REQUIRE(SeedShopDurably(engine));
    return CommitDuringSnapshots(db, 4, [&](int t) {
      RandomMutations ops(engine, 100 + t, ShopShape{});
      for (int i = 0; i < 1'500; ++i) {
        auto ticket = ops.Step();
        REQUIRE(ticket.has_value());
        REQUIRE(engine.WaitDurable(*ticket).ok());
      }
    });
  });
}

// One account with a long history (several of the snapshot walker's batches) whose
// old orders are cancelled while snapshots run: each snapshot must write a cancelled
// order as it stood at the snapshot's LSN (the account's frame keeps it), or
// replaying the cancel after it would fail.
TEST_CASE("snapshots keep old orders of a busy account as they stood when cancelled later") {
  CheckRecoveryFromSnapshotsUnderLoad(12, 64 << 20, [](Database& db) {
    Engine& engine = db.engine();
    REQUIRE(engine.CreateProduct(NewProduct{"p", "P", 1, 1'000'000}).ok());
    REQUIRE(engine.CreateUser(NewUser{"whale", "W", "w@x.io"}).ok());
    REQUIRE(engine.Charge("whale", 1'000'000).ok());
    std::vector<std::string> placed;
    Lsn last = 0;
    for (int i = 0; i < 2'000; ++i) {
      auto r = engine.PlaceOrder(OrderRequest{"whale", std::vector<OrderLine>{{"p", 1}}, false});
      REQUIRE(r.ok());
      placed.push_back(r->value.order_id.ToString());
      last = r->ticket.lsn;
    }
    REQUIRE(engine.WaitDurable(CommitTicket{last}).ok());
    return CommitDuringSnapshots(db, 1, [&](int) {
      for (size_t i = 0; i < placed.size(); i += 2) {  // every other old order, and new ones
        REQUIRE(engine.CancelOrder(placed[i]).ok());
        auto r = engine.PlaceOrder(OrderRequest{"whale", std::vector<OrderLine>{{"p", 1}}, false});
        REQUIRE(r.ok());
        REQUIRE(engine.WaitDurable(r->ticket).ok());
      }
    });
  });
}

}  // namespace
}  // namespace ecomm::testing
