// A log failure (EIO on write or sync, a full disk, a stuck fdatasync): the requests
// whose records did not become durable fail UNAVAILABLE, and from then on no answer
// shows any of their effects. The engine drops back to the durable state in-process,
// serves reads from it, refuses writes until the disk works again, then resumes by
// itself; after a restart everything acknowledged is there and nothing else.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "ecomm/database.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/log_state.h"
#include "support/seeded_database.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

DatabaseOptions FaultyOptions(FaultFileSystem& fs) {
  DatabaseOptions options = QuietDatabaseOptions(fs);
  options.sync_timeout_ms = 200;
  return options;
}

// After a power cut and a reboot, the database opens to the state of `digest`.
void ExpectDigestAfterCrash(FaultFileSystem& fs, const DatabaseOptions& options, uint64_t digest) {
  fs.Crash();
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK(StateDigest((*db)->engine()) == digest);
}

struct Fault {
  std::function<void(FaultFileSystem&)> inject;
  std::function<void(FaultFileSystem&)> heal;
};

void ExpectDropBackAndResume(const Fault& fault) {
  FaultFileSystem fs(7);
  DatabaseOptions options = FaultyOptions(fs);
  uint64_t final_digest = 0;
  WithSeededDatabase(options, [&](Database& db, Engine& engine) {
    const uint64_t durable_digest = StateDigest(engine);
    const Money before = engine.GetBalance("u0")->current_balance;

    fault.inject(fs);
    auto charge = engine.Charge("u0", 500);
    REQUIRE(charge.ok());  // applied in memory and handed to the log...
    // The order is lost with the charge's batch, or refused if the log failed first.
    auto order = engine.PlaceOrder(OrderRequest{"u0", std::vector<OrderLine>{{"p0", 1}}, false});
    CHECK(engine.WaitDurable(charge->ticket).code() == ErrorCode::kUnavailable);  // ...never acked
    if (order.ok()) {
      CHECK(engine.WaitDurable(order->ticket).code() == ErrorCode::kUnavailable);
    } else {
      CHECK(order.code() == ErrorCode::kUnavailable);
    }
    // From the moment a request heard UNAVAILABLE, nothing shows its effect: a read
    // either waits out the reload (UNAVAILABLE) or sees the durable state.
    auto balance = engine.GetBalance("u0");
    CHECK((balance.code() == ErrorCode::kUnavailable || balance->current_balance == before));

    REQUIRE(ReachesLogState(db, LogState::kReadOnly));
    CHECK(engine.GetBalance("u0")->current_balance == before);
    if (order.ok()) {
      CHECK(engine.GetOrder(order->value.order_id.ToString()).code() == ErrorCode::kOrderNotFound);
    }
    CHECK(StateDigest(engine) == durable_digest);
    CHECK_FALSE(db.Health().detail.empty());
    // Writes wait for the disk; the probe keeps failing while the fault lasts.
    CHECK(engine.Charge("u0", 1).code() == ErrorCode::kUnavailable);
    CHECK(engine.CreateUser(NewUser{"late", "L", "l@x"}).code() == ErrorCode::kUnavailable);
    std::this_thread::sleep_for(300ms);
    CHECK(db.Health().state == LogState::kReadOnly);
    CHECK(StateDigest(engine) == durable_digest);

    fault.heal(fs);
    REQUIRE(ReachesLogState(db, LogState::kWritable));
    CHECK(db.Health().resumes == 1);
    CHECK(db.Health().reloads == 1);
    auto again = engine.Charge("u0", 7);
    REQUIRE(again.ok());
    REQUIRE(engine.WaitDurable(again->ticket).ok());
    CHECK(engine.GetBalance("u0")->current_balance == before + 7);
    // The lost charge's LSN is handed out again, in a new epoch: its old ticket
    // still reads lost, never as the new record's success.
    for (Lsn lsn = again->ticket.lsn; lsn <= charge->ticket.lsn; ++lsn) {
      REQUIRE(engine.WaitDurable(engine.Charge("u1", 1)->ticket).ok());
    }
    CHECK(engine.WaitDurable(charge->ticket).code() == ErrorCode::kUnavailable);
    CHECK(engine.WaitDurable(again->ticket).ok());
    final_digest = StateDigest(engine);
    CHECK(db.Close().ok());
  });
  ExpectDigestAfterCrash(fs, options, final_digest);
}

TEST_CASE("a failed fdatasync drops back to the durable state, then writes resume") {
  ExpectDropBackAndResume({[](FaultFileSystem& fs) { fs.FailSyncs(true); },
                           [](FaultFileSystem& fs) { fs.FailSyncs(false); }});
}

TEST_CASE("a full disk drops back to the durable state, then writes resume once there is room") {
  ExpectDropBackAndResume({[](FaultFileSystem& fs) { fs.FailWrites(true); },
                           [](FaultFileSystem& fs) { fs.FailWrites(false); }});
}

TEST_CASE("an fdatasync stuck past --fsync-timeout is a failure, writes resume once it returns") {
  ExpectDropBackAndResume({[](FaultFileSystem& fs) { fs.BlockSyncs(); },
                           [](FaultFileSystem& fs) { fs.UnblockSyncs(); }});
}

TEST_CASE("a crash while the log is failed keeps exactly the durable state") {
  FaultFileSystem fs(8);
  DatabaseOptions options = FaultyOptions(fs);
  uint64_t durable_digest = 0;
  WithSeededDatabase(options, [&](Database& db, Engine& engine) {
    durable_digest = StateDigest(engine);
    fs.FailWrites(true);  // half of the next batch reaches the file
    CHECK(engine.WaitDurable(engine.Charge("u0", 500)->ticket).code() == ErrorCode::kUnavailable);
    REQUIRE(ReachesLogState(db, LogState::kReadOnly));
    CHECK_FALSE(db.Close().ok());  // no snapshot of state the log does not hold
  });
  ExpectDigestAfterCrash(fs, options, durable_digest);
}

}  // namespace
}  // namespace ecomm::testing
