// A failed fdatasync or a full disk turns the database read-only: the mutation in
// flight is not acknowledged, later mutations fail UNAVAILABLE, reads go on, and
// nothing is retried. After a restart only what was durable is there.
#include <doctest/doctest.h>

#include "ecomm/database.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"

namespace ecomm::testing {
namespace {

void ExpectReadOnlyAfter(const std::function<void(FaultFileSystem&)>& inject) {
  FaultFileSystem fs(7);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.log = [](std::string_view) {};
  uint64_t durable_digest = 0;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    Lsn seeded = SeedShop(engine, ShopShape{});
    REQUIRE(engine.WaitDurable(CommitTicket{seeded}).ok());
    durable_digest = engine.StateDigest();
    Money before = engine.GetBalance("u0")->current_balance;

    inject(fs);
    auto charge = engine.Charge("u0", 500);
    REQUIRE(charge.ok());  // applied in memory and handed to the log...
    CHECK(engine.WaitDurable(charge->ticket).code() == ErrorCode::kUnavailable);  // ...never acked
    CHECK_FALSE((*db)->wal().error().ok());

    CHECK(engine.Charge("u0", 1).code() == ErrorCode::kUnavailable);
    auto order = engine.PlaceOrder(OrderRequest{"u0", std::vector<OrderLine>{{"p0", 1}}, false});
    CHECK(order.code() == ErrorCode::kUnavailable);
    CHECK(engine.CreateUser(NewUser{"late", "L", "l@x"}).code() == ErrorCode::kUnavailable);
    // Reads go on.
    CHECK(engine.GetBalance("u0").ok());
    CHECK(engine.GetProduct("p0").ok());
    CHECK(engine.GetBalance("u0")->current_balance == before + 500);
    CHECK_FALSE((*db)->Close().ok());  // no snapshot of state the log does not hold
  }
  fs.Crash();
  fs.Reboot();
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK((*db)->engine().StateDigest() == durable_digest);
}

TEST_CASE("a failed fdatasync makes later mutations UNAVAILABLE while reads answer") {
  ExpectReadOnlyAfter([](FaultFileSystem& fs) { fs.FailSyncs(true); });
}

TEST_CASE("a full disk makes later mutations UNAVAILABLE while reads answer") {
  ExpectReadOnlyAfter([](FaultFileSystem& fs) { fs.FailWrites(true); });
}

}  // namespace
}  // namespace ecomm::testing
