// The log boundary: one record per mutation (FAILED orders included, rejections
// excluded), LSNs contiguous from 1, and a fresh engine that applies the journal
// reaches the same state digest.
#include <doctest/doctest.h>

#include "replay.h"
#include "support/engine_fixture.h"

namespace ecomm::testing {
namespace {

TEST_CASE("every mutation is one record, rejections are none, LSNs are contiguous") {
  EngineFixture f;
  f.AddUser("u", 500);                                                       // 2 records
  f.AddProduct("p", 100, 3);                                                 // 1
  REQUIRE(f.engine.Restock("p", 2).ok());                                    // 1
  REQUIRE(f.engine.AddToCart("u", "p", 1).ok());                             // 1
  auto placed = f.engine.PlaceOrder(OrderRequest{"u", std::nullopt, true});  // 1
  REQUIRE(placed.ok());
  auto failed = f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"p", 5}}, false});
  REQUIRE(failed.ok());  // FAILED (insufficient balance) and still logged: 1
  CHECK(failed->value.status == OrderStatus::kFailed);
  REQUIRE(f.engine.CancelOrder(placed->value.order_id.ToString()).ok());  // 1
  REQUIRE(f.engine.AdvanceClock(60).ok());                                // 1
  REQUIRE(f.engine.AddToCart("u", "p", 1).ok());                          // 1
  REQUIRE(f.engine.RemoveFromCart("u", "p").ok());                        // 1
  CHECK_FALSE(f.engine.Charge("nobody", 5).ok());                         // none

  auto entries = f.journal.Entries();
  REQUIRE(entries.size() == 11);
  for (size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].lsn == i + 1);
  CHECK(failed->ticket.lsn == 7);
  CHECK(f.engine.WaitDurable(failed->ticket).ok());
  CHECK(static_cast<RecordType>(entries[6].type) == RecordType::kPlaceOrder);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a replica answers reads exactly as the original") {
  EngineFixture f;
  f.AddUser("u", 10'000);
  f.AddProduct("p", 250, 10);
  f.AddProduct("q", 40, 10);
  auto order =
      f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"p", 2}, {"q", 5}}, false});
  REQUIRE(order.ok());

  ManualClock clock{kStartMs};
  Engine replica(EngineOptions{&clock, nullptr});
  for (const auto& e : f.journal.Entries()) {
    REQUIRE(ReplayRecord(replica, static_cast<RecordType>(e.type), e.payload, e.lsn).ok());
  }
  auto copy = replica.GetOrder(order->value.order_id.ToString());
  REQUIRE(copy.ok());
  CHECK(copy->total_price == 700);
  CHECK(copy->order_date == order->value.order_date);
  CHECK(replica.GetBalance("u")->current_balance == 9'300);
  auto top = replica.TopSellers().value();
  REQUIRE(top.size() == 2);
  CHECK(top[0].product_id == "q");
  CHECK(top[0].total_sales == 5);
}

TEST_CASE("a record that does not fit the state is refused, not applied") {
  Engine engine;
  ChargeRecord charge{1, "ghost", 10, Uuid::Random(), std::nullopt};
  Status s = ReplayRecord(engine, charge, 1);
  CHECK(s.code() == ErrorCode::kInternal);
  CHECK(engine.Counts().users == 0);

  REQUIRE(ReplayRecord(engine, CreateUserRecord{1, "u", "n", "e@x"}, 1).ok());
  CHECK(ReplayRecord(engine, CreateUserRecord{1, "u", "n", "e@x"}, 2).code() ==
        ErrorCode::kInternal);
  PlaceOrderRecord order;
  order.user_id = "u";
  order.order_id = Uuid::Random();
  order.lines = {{"missing", 1, 1}};
  CHECK(ReplayRecord(engine, order, 3).code() == ErrorCode::kInternal);
  CHECK(engine.Counts().orders == 0);
}

TEST_CASE("a failed journal refuses mutations and leaves state untouched") {
  EngineFixture f;
  f.AddUser("u", 100);
  f.AddProduct("p", 10, 5);
  f.journal.Fail();
  ExpectRejected(f, ErrorCode::kUnavailable, [&] { return f.engine.Charge("u", 5); });
  ExpectRejected(f, ErrorCode::kUnavailable, [&] {
    return f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"p", 1}}, false});
  });
  ExpectRejected(f, ErrorCode::kUnavailable, [&] {
    return f.engine.CreateUser(NewUser{"v", "V", "v@x"});
  });
  IdempotencyKey key{"k", "fp"};
  ExpectRejected(f, ErrorCode::kUnavailable, [&] { return f.engine.Charge("u", 5, &key); });
  // Reads go on.
  CHECK(f.Balance("u") == 100);
  CHECK(f.Stock("p") == 5);
}

}  // namespace
}  // namespace ecomm::testing
