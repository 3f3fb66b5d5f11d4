// Placing orders: the request's shape and limits, the seed's order of checks (404,
// then balance, then stock), what a SUCCESS and a FAILED order change, orders from
// the cart, and listing and reading orders.
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/shop.h"

namespace ecomm::testing {
namespace {

OrderRequest Lines(std::vector<OrderLine> lines, std::string user = "u") {
  return OrderRequest{std::move(user), std::move(lines), false};
}

OrderRequest FromCart(std::string user = "u") {
  return OrderRequest{std::move(user), std::nullopt, true};
}

OrderView Place(EngineFixture& f, const OrderRequest& request) {
  auto placed = f.engine.PlaceOrder(request);
  REQUIRE_MESSAGE(placed.ok(), placed.status().message());
  CHECK_FALSE(placed->reanswered);
  return placed->value;
}

void ExpectInvalidOrder(EngineFixture& f, const OrderRequest& request) {
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.PlaceOrder(request); });
}

void CheckItem(const OrderItemView& item, const std::string& product, Quantity quantity,
               Money price) {
  CHECK(item.product_id == product);
  CHECK(item.quantity == quantity);
  CHECK(item.price == price);
}

void CheckStep(const OrderHistoryView& step, OrderStatus status, StatusReason reason, TimeMs at) {
  CHECK(step.status == status);
  CHECK(step.reason == reason);
  CHECK(step.changed_by == ChangedBy::kSystem);  // placing is the system's doing
  CHECK(step.changed_at == at);
}

// A FAILED order: recorded PENDING then FAILED for `reason`, nothing debited.
void CheckFailed(const OrderView& order, StatusReason reason, ErrorCode failure, TimeMs at) {
  CHECK(order.status == OrderStatus::kFailed);
  CHECK(order.failure() == failure);
  REQUIRE(order.history.size() == 2);
  CheckStep(order.history[0], OrderStatus::kPending, StatusReason::kNone, at);
  CheckStep(order.history[1], OrderStatus::kFailed, reason, at);
}

std::vector<OrderStatus> Statuses(const Page<OrderView>& page) {
  std::vector<OrderStatus> statuses;
  for (const OrderView& o : page.items) statuses.push_back(o.status);
  return statuses;
}

std::vector<Uuid> OrderIds(const Page<OrderView>& page) {
  std::vector<Uuid> ids;
  for (const OrderView& o : page.items) ids.push_back(o.order_id);
  return ids;
}

Page<OrderView> Orders(const EngineFixture& f, size_t limit,
                       std::optional<uint64_t> position = std::nullopt) {
  auto page = f.engine.ListOrders("u", limit, position);
  REQUIRE_MESSAGE(page.ok(), page.status().message());
  return std::move(page).value();
}

TEST_CASE("a SUCCESS order debits the balance, takes the stock and captures prices") {
  Shop f;
  f.clock.Advance(5'000);
  const TimeMs at = kStartMs + 5'000;
  const size_t records = f.journal.Entries().size();
  auto placed = f.engine.PlaceOrder(Lines({{"p", 2}, {"q", 5}}));
  REQUIRE(placed.ok());
  const OrderView& order = placed->value;
  CHECK(placed->ticket.lsn == records + 1);
  CHECK(f.journal.Entries().size() == records + 1);  // one transaction, one record

  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.failure() == ErrorCode::kOk);
  CHECK(order.user_id == "u");
  CHECK(order.total_price == 700);
  CHECK(order.order_date == at);
  CHECK(order.updated_at == at);
  CHECK(order.order_id.ToString()[14] == '4');
  REQUIRE(order.items.size() == 2);
  CheckItem(order.items[0], "p", 2, 250);
  CheckItem(order.items[1], "q", 5, 40);
  REQUIRE(order.history.size() == 2);
  CheckStep(order.history[0], OrderStatus::kPending, StatusReason::kNone, at);
  CheckStep(order.history[1], OrderStatus::kSuccess, StatusReason::kNone, at);

  CHECK(f.Balance("u") == 9'300);
  CHECK(f.Stock("p") == 8);
  CHECK(f.Stock("q") == 5);
  CHECK(f.engine.GetProduct("p")->updated_at == at);
  auto payment = f.engine.ListBalanceHistory("u", 1, std::nullopt);
  REQUIRE(payment.ok());
  REQUIRE(payment->items.size() == 1);
  CHECK(payment->items[0].type == TransactionType::kPayment);
  CHECK(payment->items[0].amount == -700);
  CHECK(payment->items[0].order_id == order.order_id);

  auto read = f.engine.GetOrder(order.order_id.ToString());
  REQUIRE(read.ok());
  CHECK(read->order_id == order.order_id);
  CHECK(read->status == OrderStatus::kSuccess);
  CHECK(read->total_price == 700);
  REQUIRE(read->items.size() == 2);
  CheckItem(read->items[1], "q", 5, 40);
  CHECK(read->history.size() == 2);
  CHECK(f.engine.Counts().orders == 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an order may spend the whole balance and the whole stock") {
  Shop f;
  REQUIRE(f.engine.Restock("p", 30).ok());  // 40 units at 250 = exactly 10 000
  OrderView order = Place(f, Lines({{"p", 40}}));
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(f.Balance("u") == 0);
  CHECK(f.Stock("p") == 0);
}

TEST_CASE("a product priced 0 is ordered for nothing") {
  Shop f;
  f.AddProduct("gift", 0, 1);
  OrderView order = Place(f, Lines({{"gift", 1}}));
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.total_price == 0);
  CheckItem(order.items[0], "gift", 1, 0);
  CHECK(f.Balance("u") == 10'000);
  CHECK(f.Stock("gift") == 0);
}

TEST_CASE("duplicate productIds in one request are merged in order of first appearance") {
  Shop f;
  OrderView order = Place(f, Lines({{"p", 1}, {"q", 1}, {"p", 2}}));
  REQUIRE(order.items.size() == 2);
  CheckItem(order.items[0], "p", 3, 250);
  CheckItem(order.items[1], "q", 1, 40);
  CHECK(order.total_price == 790);
  CHECK(f.Stock("p") == 7);
}

TEST_CASE("a line quantity, merged or not, is 1..10^6") {
  EngineFixture f;
  f.AddUser("u", 3'000'000);
  f.AddProduct("one", 1, 3'000'000);
  CHECK(Place(f, Lines({{"one", limits::kMaxLineQuantity}})).status == OrderStatus::kSuccess);
  OrderView merged = Place(f, Lines({{"one", 600'000}, {"one", 400'000}}));
  CHECK(merged.status == OrderStatus::kSuccess);
  CheckItem(merged.items[0], "one", 1'000'000, 1);

  for (Quantity quantity : {Quantity{0}, Quantity{-1}, limits::kMaxLineQuantity + 1, INT64_MIN}) {
    INFO("quantity ", quantity);
    ExpectInvalidOrder(f, Lines({{"one", quantity}}));
  }
  ExpectInvalidOrder(f, Lines({{"one", 600'000}, {"one", 400'001}}));
  // A bad line is refused even beside a good one.
  ExpectInvalidOrder(f, Lines({{"one", 1}, {"one", 0}}));
  CHECK(f.engine.Counts().orders == 2);
  CHECK(f.Stock("one") == 1'000'000);
}

TEST_CASE("an order request holds 1..100 lines") {
  EngineFixture f;
  f.AddUser("u", 1'000);
  std::vector<OrderLine> lines;
  for (int i = 0; i <= 100; ++i) {
    f.AddProduct(NumberedId("l", i), 1, 5);
    lines.push_back(OrderLine{NumberedId("l", i), 1});
  }
  ExpectInvalidOrder(f, Lines(lines));  // 101 lines
  ExpectInvalidOrder(f, Lines({}));
  lines.pop_back();
  OrderView order = Place(f, Lines(lines));
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.items.size() == 100);
  CHECK(order.total_price == 100);
}

TEST_CASE("an order request names exactly one of items and fromCart") {
  Shop f;
  REQUIRE(f.engine.AddToCart("u", "p", 1).ok());
  ExpectInvalidOrder(f, OrderRequest{"u", std::vector<OrderLine>{{"p", 1}}, true});
  ExpectInvalidOrder(f, OrderRequest{"u", std::nullopt, false});
  ExpectInvalidOrder(f, OrderRequest{"", std::vector<OrderLine>{{"p", 1}}, false});
  ExpectInvalidOrder(f, Lines({{"", 1}}));
  CHECK(f.engine.Counts().orders == 0);
}

TEST_CASE("an order from an empty cart is INVALID_REQUEST") {
  Shop f;
  ExpectInvalidOrder(f, FromCart());
  // Also once the cart was filled and emptied again.
  REQUIRE(f.engine.AddToCart("u", "p", 1).ok());
  REQUIRE(f.engine.RemoveFromCart("u", "p").ok());
  ExpectInvalidOrder(f, FromCart());
}

TEST_CASE("an order total past 2^53-1 is INVALID_REQUEST and records no order") {
  EngineFixture f;
  f.AddUser("u");
  // Nine lines of 10^6 x 10^9, one of 7 199 x 10^9 and one of 254 740 991 add up to
  // exactly 2^53-1.
  static_assert(9 * limits::kMaxPrice * limits::kMaxLineQuantity + 7'199 * limits::kMaxPrice +
                    254'740'991 ==
                limits::kMaxOrderTotal);
  std::vector<OrderLine> lines;
  for (int i = 0; i < 10; ++i) {
    f.AddProduct(NumberedId("t", i), limits::kMaxPrice, limits::kMaxLineQuantity);
    lines.push_back(OrderLine{NumberedId("t", i), i < 9 ? limits::kMaxLineQuantity : 7'199});
  }
  f.AddProduct("odd", 254'740'991, 1);
  f.AddProduct("odd+1", 254'740'992, 1);

  lines.push_back(OrderLine{"odd+1", 1});
  ExpectInvalidOrder(f, Lines(lines));  // 2^53
  CHECK(f.engine.Counts().orders == 0);

  // Exactly 2^53-1 passes the limit and fails only on the (empty) balance.
  lines.back() = OrderLine{"odd", 1};
  OrderView order = Place(f, Lines(lines));
  CHECK(order.total_price == limits::kMaxOrderTotal);
  CHECK(order.failure() == ErrorCode::kInsufficientBalance);

  // Ten full lines (10^16) are refused as well.
  lines.pop_back();
  lines.back().quantity = limits::kMaxLineQuantity;
  ExpectInvalidOrder(f, Lines(lines));
  CHECK(f.engine.Counts().orders == 1);
}

TEST_CASE("an unknown user or product is a 404 and records no order, before any other check") {
  Shop f;
  f.AddUser("poor", 1);
  auto expect = [&](ErrorCode code, const OrderRequest& request) {
    ExpectRejected(f, code, [&] { return f.engine.PlaceOrder(request); });
  };
  expect(ErrorCode::kUserNotFound, Lines({{"p", 1}}, "ghost"));
  expect(ErrorCode::kUserNotFound, Lines({{"nothing", 1}}, "ghost"));  // the user comes first
  expect(ErrorCode::kUserNotFound, FromCart("ghost"));
  expect(ErrorCode::kProductNotFound, Lines({{"p", 1}, {"nothing", 1}}));
  // 404 even though the balance and the stock would not cover the order either.
  expect(ErrorCode::kProductNotFound, Lines({{"p", 11}, {"nothing", 1}}, "poor"));
  CHECK(f.engine.Counts().orders == 0);
  CHECK(f.engine.ListOrders("u", 20, std::nullopt)->items.empty());
}

TEST_CASE("an order the balance does not cover is FAILED for insufficient balance") {
  Shop f;
  f.AddUser("poor", 249);
  const size_t records = f.journal.Entries().size();
  OrderView order = Place(f, Lines({{"p", 1}}, "poor"));
  CheckFailed(order, StatusReason::kInsufficientBalance, ErrorCode::kInsufficientBalance, kStartMs);
  CHECK(Describe(order.history[1].reason) == "insufficient balance");
  CHECK(order.total_price == 250);
  CheckItem(order.items[0], "p", 1, 250);
  CHECK(f.journal.Entries().size() == records + 1);  // a FAILED order is a logged outcome

  // Nothing else changed...
  CHECK(f.Balance("poor") == 249);
  CHECK(f.Stock("p") == 10);
  CHECK(f.engine.ListBalanceHistory("poor", 20, std::nullopt)->items.size() == 1);
  CHECK(f.engine.TopSellers()->empty());
  // ...but the order is kept and visible.
  auto read = f.engine.GetOrder(order.order_id.ToString());
  REQUIRE(read.ok());
  CheckFailed(*read, StatusReason::kInsufficientBalance, ErrorCode::kInsufficientBalance, kStartMs);
  auto listed = f.engine.ListOrders("poor", 20, std::nullopt);
  REQUIRE(listed.ok());
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items[0].order_id == order.order_id);
  CHECK(listed->items[0].status == OrderStatus::kFailed);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an order the stock does not cover is FAILED out of stock, on any line") {
  Shop f;
  OrderView order = Place(f, Lines({{"p", 1}, {"q", 11}}));
  CheckFailed(order, StatusReason::kOutOfStock, ErrorCode::kOutOfStock, kStartMs);
  CHECK(Describe(order.history[1].reason) == "out of stock");
  CHECK(order.total_price == 690);
  // The line that was in stock was not taken either.
  CHECK(f.Stock("p") == 10);
  CHECK(f.Stock("q") == 10);
  CHECK(f.Balance("u") == 10'000);
  CHECK(f.engine.GetOrder(order.order_id.ToString())->status == OrderStatus::kFailed);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("when neither balance nor stock covers an order, the reason is insufficient balance") {
  Shop f;
  f.AddUser("poor", 10);
  OrderView order = Place(f, Lines({{"p", 11}}, "poor"));
  CheckFailed(order, StatusReason::kInsufficientBalance, ErrorCode::kInsufficientBalance, kStartMs);
}

TEST_CASE("an order from the cart empties the cart in the same transaction") {
  Shop f;
  REQUIRE(f.engine.AddToCart("u", "q", 3).ok());
  REQUIRE(f.engine.AddToCart("u", "p", 2).ok());
  const size_t records = f.journal.Entries().size();
  OrderView order = Place(f, FromCart());
  CHECK(f.journal.Entries().size() == records + 1);
  CHECK(order.status == OrderStatus::kSuccess);
  REQUIRE(order.items.size() == 2);
  CheckItem(order.items[0], "q", 3, 40);
  CheckItem(order.items[1], "p", 2, 250);
  CHECK(order.total_price == 620);
  CHECK(f.Balance("u") == 9'380);
  CHECK(f.Stock("p") == 8);
  CHECK(f.Stock("q") == 7);
  auto cart = f.engine.GetCart("u");
  REQUIRE(cart.ok());
  CHECK(cart->items.empty());
  CHECK(cart->total_price == 0);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a FAILED order from the cart leaves the cart untouched") {
  Shop f;
  REQUIRE(f.engine.AddToCart("u", "q", 1).ok());
  REQUIRE(f.engine.AddToCart("u", "p", 11).ok());
  OrderView order = Place(f, FromCart());
  CheckFailed(order, StatusReason::kOutOfStock, ErrorCode::kOutOfStock, kStartMs);
  auto cart = f.engine.GetCart("u");
  REQUIRE(cart.ok());
  REQUIRE(cart->items.size() == 2);
  CHECK(cart->items[0].product_id == "q");
  CHECK(cart->items[0].quantity == 1);
  CHECK(cart->items[1].product_id == "p");
  CHECK(cart->items[1].quantity == 11);
  CHECK(f.Balance("u") == 10'000);
  CHECK(f.Stock("q") == 10);
}

TEST_CASE("a user's orders are listed newest first, FAILED and CANCELLED included") {
  Shop f;
  f.AddUser("v", 1'000);
  OrderView first = Place(f, Lines({{"p", 1}}));
  f.clock.Advance(1'000);
  OrderView failed = Place(f, Lines({{"q", 11}}));
  f.clock.Advance(1'000);
  OrderView cancelled = Place(f, Lines({{"q", 1}}));
  REQUIRE(f.engine.CancelOrder(cancelled.order_id.ToString()).ok());
  Place(f, Lines({{"q", 1}}, "v"));  // another user's order is not listed

  Page<OrderView> page = Orders(f, limits::kDefaultPageLimit);
  CHECK(OrderIds(page) == std::vector<Uuid>{cancelled.order_id, failed.order_id, first.order_id});
  CHECK(Statuses(page) == std::vector<OrderStatus>{OrderStatus::kCancelled, OrderStatus::kFailed,
                                                   OrderStatus::kSuccess});
  CHECK_FALSE(page.next.has_value());
  // Listed orders carry the shape of PlaceOrder's answer.
  CHECK(page.items[2].total_price == 250);
  CHECK(page.items[2].order_date == kStartMs);
  REQUIRE(page.items[2].items.size() == 1);
  CheckItem(page.items[2].items[0], "p", 1, 250);
  CHECK(page.items[0].history.size() == 3);
  CHECK(f.engine.ListOrders("v", 20, std::nullopt)->items.size() == 1);
}

TEST_CASE("order pages walk newest to oldest and refuse bad limits and positions") {
  Shop f;
  std::vector<Uuid> placed;
  for (int i = 0; i < 5; ++i) placed.push_back(Place(f, Lines({{"q", 1}})).order_id);

  Page<OrderView> first = Orders(f, 2);
  CHECK(OrderIds(first) == std::vector<Uuid>{placed[4], placed[3]});
  REQUIRE(first.next.has_value());
  Place(f, Lines({{"q", 1}}));  // a newer order does not shift the next page
  Page<OrderView> second = Orders(f, 2, first.next);
  CHECK(OrderIds(second) == std::vector<Uuid>{placed[2], placed[1]});
  REQUIRE(second.next.has_value());
  Page<OrderView> last = Orders(f, 2, second.next);
  CHECK(OrderIds(last) == std::vector<Uuid>{placed[0]});
  CHECK_FALSE(last.next.has_value());

  auto refuse = [&](size_t limit, std::optional<uint64_t> position) {
    INFO("limit ", limit, " position ", position.value_or(UINT64_MAX));
    ExpectRejected(f, ErrorCode::kInvalidRequest,
                   [&] { return f.engine.ListOrders("u", limit, position); });
  };
  refuse(0, std::nullopt);
  refuse(limits::kMaxPageLimit + 1, std::nullopt);
  refuse(2, 0);
  refuse(2, 7);  // six orders exist
  CHECK(Orders(f, limits::kMaxPageLimit).items.size() == 6);
  ExpectRejected(f, ErrorCode::kUserNotFound,
                 [&] { return f.engine.ListOrders("ghost", 20, std::nullopt); });
}

TEST_CASE("more orders than fill a chunk of the user's order list walk whole, newest first") {
  Shop f;
  std::vector<Uuid> placed;  // 10 SUCCESS, then FAILED out of stock: all are listed
  for (int i = 0; i < 600; ++i) placed.push_back(Place(f, Lines({{"q", 1}})).order_id);
  std::vector<Uuid> listed;
  std::optional<uint64_t> position;
  do {
    Page<OrderView> page = Orders(f, limits::kMaxPageLimit, position);
    for (const Uuid& id : OrderIds(page)) listed.push_back(id);
    position = page.next;
  } while (position.has_value());
  CHECK(listed == std::vector<Uuid>(placed.rbegin(), placed.rend()));
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("reading an unknown or malformed order id is ORDER_NOT_FOUND") {
  Shop f;
  OrderView order = Place(f, Lines({{"p", 1}}));
  for (const std::string& id : {Uuid::Random().ToString(), std::string("not-a-uuid"),
                                std::string(""), order.order_id.ToString() + "0"}) {
    INFO("order id '", id, "'");
    ExpectRejected(f, ErrorCode::kOrderNotFound, [&] { return f.engine.GetOrder(id); });
  }
  // The id is a UUID, so its uppercase spelling names the same order.
  std::string upper = order.order_id.ToString();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(f.engine.GetOrder(upper).ok());
}

}  // namespace
}  // namespace ecomm::testing
