// Log failures that come and go under concurrent traffic. Whatever interleaving the
// threads see, once the disk is healthy and traffic stops, the state in memory is
// exactly what a restart rebuilds from disk: no record that failed left an effect,
// and no acknowledged one was lost.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "ecomm/database.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/log_state.h"
#include "support/random_mutations.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("failures that come and go under load leave memory equal to the durable state") {
  FaultFileSystem fs(11);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 500;  // snapshots race the failures too
  options.sync_timeout_ms = 20;  // stalls race the watchdog
  // Zeros ahead topped up often, racing the failures too. (A MiB of them, copied by the
  // fault file system at a sync, takes ThreadSanitizer past the 20 ms watchdog.)
  options.log_zeros_ahead_bytes = 4096;
  options.log = [](std::string_view) {};
  uint64_t live_digest = 0;
  uint64_t acked = 0;
  uint64_t lost = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(SeedShopDurably(engine));
    std::atomic<bool> done{false};
    std::atomic<uint64_t> acked_count{0};
    std::atomic<uint64_t> lost_count{0};
    std::thread faults([&] {
      for (int round = 0; round < 6; ++round) {
        std::this_thread::sleep_for(30ms);
        switch (round % 3) {
          case 0:
            fs.FailSyncs(true);
            break;
          case 1:
            fs.FailWrites(true);
            break;
          case 2:
            fs.BlockSyncs();  // past the 20 ms timeout: the watchdog fails the log
            break;
        }
        std::this_thread::sleep_for(30ms);
        fs.FailSyncs(false);
        fs.FailWrites(false);
        fs.UnblockSyncs();
        if (!ReachesLogState(**db, LogState::kWritable, 20s))
          break;  // checked below, on the test's thread
      }
      done = true;
    });
    RunConcurrently(3, [&](int t) {
      RandomMutations ops(engine, 100 + t, ShopShape{});
      while (!done) {
        std::optional<CommitTicket> ticket = ops.Step();
        if (!ticket) continue;  // refused: the log is failed or reloading
        if (engine.WaitDurable(*ticket).ok()) {
          ++acked_count;
        } else {
          ++lost_count;
        }
      }
    });
    faults.join();
    REQUIRE(ReachesLogState(**db, LogState::kWritable, 20s));
    acked = acked_count;
    lost = lost_count;
    live_digest = StateDigest(engine);
    CHECK((*db)->Health().resumes >= 1);
    CHECK((*db)->Health().resumes == (*db)->Health().reloads);
    CHECK((*db)->Close().ok());
  }
  INFO("acknowledged ", acked, ", lost ", lost);
  CHECK(acked > 0);
  CHECK(lost > 0);  // the failures did cost tickets: the test saw what it is about
  fs.Crash();
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK(StateDigest((*db)->engine()) == live_digest);
}

}  // namespace
}  // namespace ecomm::testing
