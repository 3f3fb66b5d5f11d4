// Seeded crash points. Each run loads a durable database on a file system that loses
// unsynced bytes, tears the last write at a random byte and sometimes flips a bit in
// the torn part; threads mutate while snapshots are taken; the power is cut after a
// random point of the I/O sequence (before the n-th write, sync, create, rename...). The recovered
// state must equal a reference engine that applied exactly a prefix of the log that contains every
// acknowledged mutation: nothing acknowledged is lost, nothing is half-applied.
#include <doctest/doctest.h>

#include <atomic>
#include <random>

#include "ecomm/database.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/log_truth.h"
#include "support/random_mutations.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

DatabaseOptions OptionsFor(FaultFileSystem& fs, std::mt19937_64& rng) {
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;  // the workload takes snapshots at random moments itself
  options.segment_bytes = 1024 + rng() % 8192;  // small, so segments roll and get removed
  // No zeros ahead (frames grow the file), a few hundred bytes (topped up often, batches
  // running past them), or more than a segment takes.
  const uint64_t zeros[] = {0, 256 + rng() % 2048, uint64_t{1} << 20};
  options.log_zeros_ahead_bytes = zeros[rng() % 3];
  options.log = [](std::string_view) {};
  return options;
}

void CrashAt(uint64_t seed) {
  INFO("seed = ", seed);
  FaultFileSystem fs(seed);
  std::mt19937_64 rng(seed);
  DatabaseOptions options = OptionsFor(fs, rng);
  std::atomic<Lsn> max_acked{0};

  {
    auto db = Database::Open(options);
    REQUIRE_MESSAGE(db.ok(), db.status().message());
    Engine& engine = (*db)->engine();
    Lsn seeded = SeedShop(engine, ShopShape{});
    REQUIRE(seeded > 0);
    REQUIRE(engine.WaitDurable(CommitTicket{seeded}).ok());
    max_acked = seeded;
    fs.CrashBeforeOp(1 + rng() % 300);

    RunConcurrently(3, [&](int t) {
      RandomMutations ops(engine, seed * 7 + t, ShopShape{});
      for (int i = 0; !fs.crashed(); ++i) {
        if (t == 0 && rng() % 40 == 0) (void)(*db)->Snapshot();  // thread 0 owns rng now
        std::optional<CommitTicket> ticket = ops.Step();
        if (!ticket) break;  // the log failed: the power is out
        // Thread 2 mostly pipelines, so the crash often finds records in flight.
        if (t == 2 && i % 16 != 0) continue;
        if (!engine.WaitDurable(*ticket).ok()) break;
        Lsn seen = max_acked.load();
        while (ticket->lsn > seen && !max_acked.compare_exchange_weak(seen, ticket->lsn)) {
        }
      }
    });
  }  // the dead process's Close fails against the crashed file system
  REQUIRE(fs.crashed());
  std::map<std::string, std::string> history = fs.AppendHistory(".wal");
  fs.Reboot();

  auto recovered = Database::Open(options);
  REQUIRE_MESSAGE(recovered.ok(), recovered.status().message());
  Lsn last = (*recovered)->recovery().last_lsn;
  CAPTURE(last);
  CAPTURE((*recovered)->recovery().cut);
  CHECK(last >= max_acked.load());
  CHECK(StateDigest((*recovered)->engine()) == DigestOfPrefix(FramesOf(history), last));
}

// 5 x 100 seeded crash points.
TEST_CASE("crash recovery keeps exactly a prefix with every acknowledged mutation: seeds 1-100") {
  for (uint64_t seed = 1; seed <= 100; ++seed) CrashAt(seed);
}
TEST_CASE("crash recovery: seeds 101-200") {
  for (uint64_t seed = 101; seed <= 200; ++seed) CrashAt(seed);
}
TEST_CASE("crash recovery: seeds 201-300") {
  for (uint64_t seed = 201; seed <= 300; ++seed) CrashAt(seed);
}
TEST_CASE("crash recovery: seeds 301-400") {
  for (uint64_t seed = 301; seed <= 400; ++seed) CrashAt(seed);
}
TEST_CASE("crash recovery: seeds 401-500") {
  for (uint64_t seed = 401; seed <= 500; ++seed) CrashAt(seed);
}

// --fsync interval or off: a ticket completes once its batch is written, not synced, so
// a power cut may lose acknowledged records (as documented) and the disk may have
// written the unsynced pages in any order. That is a torn tail, cut at the first hole,
// never corruption: a frame may vouch only for what an fdatasync really covered.
void ReorderedPowerCut(uint64_t seed, const char* policy) {
  INFO("seed = ", seed, ", --fsync ", policy);
  FaultFileSystem fs(seed);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.sync = *wal::SyncPolicy::Parse(policy);
  options.snapshot_every = 0;
  options.log = [](std::string_view) {};
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(SeedShopDurably(engine));
    RandomMutations ops(engine, seed, ShopShape{});
    for (int i = 0; i < 150; ++i) {
      std::optional<CommitTicket> ticket = ops.Step();
      REQUIRE(ticket);
      REQUIRE(engine.WaitDurable(*ticket).ok());  // one write per record: many pages
    }
    fs.CrashReordered();
  }
  std::map<std::string, std::string> history = fs.AppendHistory(".wal");
  fs.Reboot();
  auto recovered = Database::Open(options);
  REQUIRE_MESSAGE(recovered.ok(), recovered.status().message());
  Lsn last = (*recovered)->recovery().last_lsn;
  CHECK(StateDigest((*recovered)->engine()) == DigestOfPrefix(FramesOf(history), last));
}

TEST_CASE("--fsync interval or off: a power cut reordering unsynced pages is a torn tail") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    ReorderedPowerCut(seed, "interval:60000");
    ReorderedPowerCut(seed, "off");
  }
}

}  // namespace
}  // namespace ecomm::testing
