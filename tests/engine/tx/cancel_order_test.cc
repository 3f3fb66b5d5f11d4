// Cancelling orders: only a SUCCESS order, which gets its total refunded (a REFUND
// entry), its stock restored and a CANCELLED step by the user; everything else is
// refused without a change.
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/shop.h"

namespace ecomm::testing {
namespace {

OrderView Place(EngineFixture& f, std::vector<OrderLine> lines, const std::string& user = "u") {
  auto placed = f.engine.PlaceOrder(OrderRequest{user, std::move(lines), false});
  REQUIRE_MESSAGE(placed.ok(), placed.status().message());
  return placed->value;
}

Committed<OrderView> Cancel(EngineFixture& f, const OrderView& order) {
  auto cancelled = f.engine.CancelOrder(order.order_id.ToString());
  REQUIRE_MESSAGE(cancelled.ok(), cancelled.status().message());
  return cancelled.value();
}

void ExpectCancelRefused(EngineFixture& f, ErrorCode code, const std::string& order_id) {
  INFO("cancel of '", order_id, "'");
  ExpectRejected(f, code, [&] { return f.engine.CancelOrder(order_id); });
}

TEST_CASE("cancelling a SUCCESS order refunds it, restores its stock and records CANCELLED") {
  Shop f;
  OrderView order = Place(f, {{"p", 2}, {"q", 5}});
  REQUIRE(order.status == OrderStatus::kSuccess);
  f.clock.Advance(90'000);
  const TimeMs at = kStartMs + 90'000;
  const size_t records = f.journal.Entries().size();

  Committed<OrderView> cancelled = Cancel(f, order);
  CHECK_FALSE(cancelled.reanswered);
  CHECK(cancelled.ticket.lsn == records + 1);
  CHECK(f.journal.Entries().size() == records + 1);
  const OrderView& view = cancelled.value;
  CHECK(view.order_id == order.order_id);
  CHECK(view.status == OrderStatus::kCancelled);
  CHECK(view.failure() == ErrorCode::kOk);
  CHECK(view.total_price == 700);
  CHECK(view.order_date == kStartMs);  // the order keeps its date
  CHECK(view.updated_at == at);
  CHECK(view.items.size() == 2);
  REQUIRE(view.history.size() == 3);
  CHECK(view.history[0].status == OrderStatus::kPending);
  CHECK(view.history[1].status == OrderStatus::kSuccess);
  const OrderHistoryView& step = view.history[2];
  CHECK(step.status == OrderStatus::kCancelled);
  CHECK(step.reason == StatusReason::kCancelledByUser);
  CHECK(Describe(step.reason) == "cancelled by user");
  CHECK(step.changed_by == ChangedBy::kUser);
  CHECK(step.changed_at == at);

  CHECK(f.Balance("u") == 10'000);
  CHECK(f.Stock("p") == 10);
  CHECK(f.Stock("q") == 10);
  CHECK(f.engine.GetProduct("q")->updated_at == at);
  auto refund = f.engine.ListBalanceHistory("u", 1, std::nullopt);
  REQUIRE(refund.ok());
  REQUIRE(refund->items.size() == 1);
  CHECK(refund->items[0].type == TransactionType::kRefund);
  CHECK(refund->items[0].amount == 700);
  CHECK(refund->items[0].balance_before == 9'300);
  CHECK(refund->items[0].balance_after == 10'000);
  CHECK(refund->items[0].created_at == at);
  CHECK(refund->items[0].order_id == order.order_id);

  auto read = f.engine.GetOrder(order.order_id.ToString());
  REQUIRE(read.ok());
  CHECK(read->status == OrderStatus::kCancelled);
  CHECK(read->history.size() == 3);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a cancel refunds what was paid and restores what was taken, whatever came since") {
  Shop f;
  OrderView order = Place(f, {{"p", 4}});
  OrderView other = Place(f, {{"p", 1}});
  REQUIRE(f.engine.Charge("u", 55).ok());
  REQUIRE(f.engine.Restock("p", 3).ok());
  Cancel(f, order);
  CHECK(f.Balance("u") == 10'000 - 250 + 55);
  CHECK(f.Stock("p") == 10 - 1 + 3);
  // The other order is untouched.
  CHECK(f.engine.GetOrder(other.order_id.ToString())->status == OrderStatus::kSuccess);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("cancelling an order twice is INVALID_ORDER_STATE") {
  Shop f;
  OrderView order = Place(f, {{"p", 1}});
  Cancel(f, order);
  ExpectCancelRefused(f, ErrorCode::kInvalidOrderState, order.order_id.ToString());
  CHECK(f.Balance("u") == 10'000);  // refunded once
  CHECK(f.Stock("p") == 10);
}

TEST_CASE("a FAILED order cannot be cancelled") {
  Shop f;
  f.AddUser("poor", 1);
  OrderView no_money = Place(f, {{"p", 1}}, "poor");
  OrderView no_stock = Place(f, {{"p", 11}});
  REQUIRE(no_money.failure() == ErrorCode::kInsufficientBalance);
  REQUIRE(no_stock.failure() == ErrorCode::kOutOfStock);
  ExpectCancelRefused(f, ErrorCode::kInvalidOrderState, no_money.order_id.ToString());
  ExpectCancelRefused(f, ErrorCode::kInvalidOrderState, no_stock.order_id.ToString());
  CHECK(f.engine.GetOrder(no_stock.order_id.ToString())->status == OrderStatus::kFailed);
}

TEST_CASE("cancelling an unknown or malformed order id is ORDER_NOT_FOUND") {
  Shop f;
  Place(f, {{"p", 1}});
  for (const std::string& id :
       {Uuid::Random().ToString(), std::string("not-a-uuid"), std::string("")}) {
    ExpectCancelRefused(f, ErrorCode::kOrderNotFound, id);
  }
}

// Stock is 0..10^12; restoring a cancelled order's units may not pass it. SPEC names
// no code for this; the engine answers INVALID_REQUEST.
TEST_CASE("a cancel whose restored stock would pass 10^12 is refused") {
  Shop f;
  f.AddProduct("bulk", 1, limits::kMaxStock);
  OrderView order = Place(f, {{"bulk", 1}});
  REQUIRE(f.engine.Restock("bulk", 1).ok());
  ExpectCancelRefused(f, ErrorCode::kInvalidRequest, order.order_id.ToString());
  CHECK(f.engine.GetOrder(order.order_id.ToString())->status == OrderStatus::kSuccess);
}

}  // namespace
}  // namespace ecomm::testing
