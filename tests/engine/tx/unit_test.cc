// Replay refuses every record that does not fit the state, each with its reason (one
// case per refusal that generated requests cannot reach: the live path never makes
// such a record, or reaching it needs a state built on purpose). Where the live path
// can meet the same refusal, it gives the same reason.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ecomm/engine.h"
#include "replay.h"
#include "support/engine_fixture.h"

namespace ecomm::testing {
namespace {

void ExpectMisfit(EngineFixture& f, const Record& record, const std::string& reason) {
  INFO(DescribeRecord(record));
  uint64_t before = StateDigest(f.engine);
  Status s = ReplayRecord(f.engine, record, 1'000'000);
  CHECK(s.code() == ErrorCode::kInternal);
  CHECK_MESSAGE(s.message().find("(" + reason) != std::string::npos, s.message());
  CHECK(StateDigest(f.engine) == before);
}

PlaceOrderRecord Order(const EngineFixture& f, std::vector<OrderLineRecord> lines,
                       OrderStatus status = OrderStatus::kSuccess,
                       StatusReason reason = StatusReason::kNone) {
  PlaceOrderRecord r;
  r.at = f.engine.Now();
  r.order_id = Uuid::Random();
  r.user_id = "u";
  r.status = status;
  r.reason = reason;
  if (status == OrderStatus::kSuccess) r.payment_id = Uuid::Random();
  r.lines = std::move(lines);
  return r;
}

TEST_CASE("replay refuses an order record the rule would not have made") {
  EngineFixture f;
  f.AddUser("u", 1'000);
  f.AddProduct("p", 100, 5);
  f.AddProduct("q", 10, 0);

  ExpectMisfit(f, Order(f, {}), "an order has 1 to 100 lines");
  ExpectMisfit(f, Order(f, {{"p", 1, 100}, {"p", 1, 100}}), "product p is on two lines");
  PlaceOrderRecord unpaid = Order(f, {{"p", 1, 100}});
  unpaid.payment_id = Uuid{};
  ExpectMisfit(f, unpaid, "an order is placed SUCCESS with a payment");
  PlaceOrderRecord paid_failure =
      Order(f, {{"q", 1, 10}}, OrderStatus::kFailed, StatusReason::kOutOfStock);
  paid_failure.payment_id = Uuid::Random();
  ExpectMisfit(f, paid_failure, "an order is placed SUCCESS with a payment");
  ExpectMisfit(f, Order(f, {{"p", 1, 100}}, OrderStatus::kCancelled),
               "an order is placed SUCCESS with a payment");
  ExpectMisfit(f, Order(f, {{"p", 1, 99}}), "the price of p is not its catalogue price");
  ExpectMisfit(f, Order(f, {{"ghost", 1, 1}}), "no such product: ghost");

  // The outcome is the seed's: balance first, then stock.
  const std::string wrong_outcome = "the outcome is not the one balance and stock decide";
  ExpectMisfit(f, Order(f, {{"p", 11, 100}}), wrong_outcome);  // 1,100 > 1,000
  ExpectMisfit(f, Order(f, {{"q", 1, 10}}), wrong_outcome);    // no stock
  ExpectMisfit(f, Order(f, {{"p", 1, 100}}, OrderStatus::kFailed, StatusReason::kOutOfStock),
               wrong_outcome);
  ExpectMisfit(f,
               Order(f, {{"q", 1, 10}}, OrderStatus::kFailed, StatusReason::kInsufficientBalance),
               wrong_outcome);

  PlaceOrderRecord from_cart = Order(f, {{"p", 1, 100}});
  from_cart.from_cart = true;  // the cart is empty
  ExpectMisfit(f, from_cart, "an order from the cart has the cart's lines");

  // The records that do fit: the live path's own outcomes; an order id is placed once.
  PlaceOrderRecord placed = Order(f, {{"p", 1, 100}});
  CHECK(ReplayRecord(f.engine, placed, 1'000'000).ok());
  PlaceOrderRecord again = Order(f, {{"p", 1, 100}});
  again.order_id = placed.order_id;
  ExpectMisfit(f, again, "order " + placed.order_id.ToString() + " exists");
  CHECK(ReplayRecord(f.engine,
                     Order(f, {{"q", 1, 10}}, OrderStatus::kFailed, StatusReason::kOutOfStock),
                     1'000'001)
            .ok());
}

TEST_CASE("replay refuses a record whose time the engine does not accept") {
  EngineFixture f;
  f.AddUser("u", 0);
  ExpectMisfit(f, ChargeRecord{-1, "u", 5, Uuid::Random(), std::nullopt}, "time out of range");
  ExpectMisfit(f, ChargeRecord{limits::kMaxTimeMs + 1, "u", 5, Uuid::Random(), std::nullopt},
               "time out of range");
  ExpectMisfit(f, AdvanceClockRecord{limits::kMaxTimeMs - 999, 1},
               "the clock would pass the year 9999");
}

// Totals of 2^53-1: ten lines of 10^6 units at 10^9 each are 10^16.
TEST_CASE("live and replay refuse an order or a cart past 2^53-1 with the same reason") {
  EngineFixture f;
  f.AddUser("u", 0);
  std::vector<OrderLine> items;
  std::vector<OrderLineRecord> lines;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back("p" + std::to_string(i));
  for (const std::string& id : ids) {
    f.AddProduct(id, limits::kMaxPrice, 1);
    items.push_back(OrderLine{id, limits::kMaxLineQuantity});
    lines.push_back(OrderLineRecord{id, limits::kMaxLineQuantity, limits::kMaxPrice});
  }
  auto placed = f.engine.PlaceOrder(OrderRequest{"u", items, false});
  REQUIRE_FALSE(placed.ok());
  CHECK(placed.status().message() == "the order total exceeds 2^53-1");
  ExpectMisfit(f, Order(f, lines, OrderStatus::kFailed, StatusReason::kInsufficientBalance),
               placed.status().message());

  for (int i = 0; i < 9; ++i) {
    REQUIRE(f.engine.AddToCart("u", ids[i], limits::kMaxLineQuantity).ok());  // 9 x 10^15
  }
  auto added = f.engine.AddToCart("u", ids[9], limits::kMaxLineQuantity);
  REQUIRE_FALSE(added.ok());
  CHECK(added.status().message() == "the cart total would exceed 2^53-1");
  ExpectMisfit(f, CartAddRecord{f.engine.Now(), "u", ids[9], limits::kMaxLineQuantity},
               added.status().message());
}

TEST_CASE("live and replay refuse a cancel that would restore stock past 10^12") {
  EngineFixture f;
  f.AddUser("u", 100);
  f.AddProduct("p", 1, limits::kMaxStock);
  auto placed = f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"p", 1}}, false});
  REQUIRE(placed.ok());
  REQUIRE(f.engine.Restock("p", 1).ok());
  auto cancelled = f.engine.CancelOrder(placed->value.order_id.ToString());
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.status().message() == "restoring the stock of p would exceed 10^12");
  ExpectMisfit(f,
               CancelOrderRecord{f.engine.Now(), placed->value.order_id, Uuid::Random(),
                                 ChangedBy::kUser, std::nullopt},
               cancelled.status().message());
}

}  // namespace
}  // namespace ecomm::testing
