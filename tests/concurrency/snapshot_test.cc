// Snapshots taken while threads commit: each must be the exact state at its LSN.
// Recovering from the last one plus the log after it gives the final state.
#include <doctest/doctest.h>

#include <atomic>

#include "ecomm/database.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

TEST_CASE("snapshots under concurrent commits recover to the exact final state") {
  FaultFileSystem fs(11);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.segment_bytes = 16 << 10;
  options.log = [](std::string_view) {};
  uint64_t final_digest = 0;
  uint64_t snapshots = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(engine.WaitDurable(CommitTicket{SeedShop(engine, ShopShape{})}).ok());
    std::atomic<int> writers{4};
    RunConcurrently(5, [&](int t) {
      if (t == 4) {  // the snapshotter, while the others commit
        while (writers.load() > 0) {
          REQUIRE((*db)->Snapshot().ok());
          ++snapshots;
        }
        return;
      }
      RandomMutations ops(engine, 100 + t, ShopShape{});
      for (int i = 0; i < 1'500; ++i) {
        auto ticket = ops.Step();
        REQUIRE(ticket.has_value());
        REQUIRE(engine.WaitDurable(*ticket).ok());
      }
      --writers;
    });
    final_digest = engine.StateDigest();
    CHECK((*db)->LastSnapshot().taken == snapshots);
    fs.Crash();  // every mutation was acknowledged, so nothing is lost: no Close
  }
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK(snapshots > 0);
  CHECK((*db)->recovery().snapshot_lsn > 0);
  CHECK((*db)->engine().StateDigest() == final_digest);
}

// One account with a long history whose old orders are cancelled while snapshots
// run: the snapshot must write each cancelled order as it stood at the snapshot's
// LSN (the account's frame keeps it), or replaying the cancel after it would fail.
TEST_CASE("snapshots keep old orders of a busy account as they stood when cancelled later") {
  FaultFileSystem fs(12);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.log = [](std::string_view) {};
  uint64_t final_digest = 0;
  uint64_t snapshots = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
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
    std::atomic<bool> cancelling{true};
    RunConcurrently(2, [&](int t) {
      if (t == 1) {
        while (cancelling.load()) {
          REQUIRE((*db)->Snapshot().ok());
          ++snapshots;
        }
        return;
      }
      for (size_t i = 0; i < placed.size(); i += 2) {  // every other old order, and new ones
        auto cancelled = engine.CancelOrder(placed[i]);
        REQUIRE(cancelled.ok());
        auto r = engine.PlaceOrder(OrderRequest{"whale", std::vector<OrderLine>{{"p", 1}}, false});
        REQUIRE(r.ok());
        REQUIRE(engine.WaitDurable(r->ticket).ok());
      }
      cancelling = false;
    });
    final_digest = engine.StateDigest();
    fs.Crash();
  }
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK(snapshots > 1);
  CHECK((*db)->recovery().snapshot_lsn > 0);
  CHECK((*db)->engine().StateDigest() == final_digest);
}

}  // namespace
}  // namespace ecomm::testing
