// Orders with a user coupon (SPEC "Coupons"): the discount rules (FIXED min(value,
// total), PERCENT floored and capped), what is paid and checked against the balance,
// the coupon's errors and their place in the order of checks, a FAILED order keeping its
// discount and the coupon, orders from the cart, and a cancel giving the coupon back.
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/shop.h"

namespace ecomm::testing {
namespace {

constexpr TimeMs kHourMs = 3'600'000;

// Campaign `id`, FIXED `value` off, ten coupons, valid for 30 days.
NewCoupon Fixed(std::string id, int64_t value) {
  return NewCoupon{std::move(id), "Sale", DiscountType::kFixed, value, 10, 0, {}, {}, {}};
}

// Campaign `id`, PERCENT `value` off, capped at `cap` when given.
NewCoupon Percent(std::string id, int64_t value, std::optional<Money> cap = std::nullopt) {
  NewCoupon campaign = Fixed(std::move(id), value);
  campaign.discount_type = DiscountType::kPercent;
  campaign.max_discount = cap;
  return campaign;
}

// Creates `campaign` unless it exists and issues one of its coupons to `user`; returns
// the coupon's userCouponId as a request spells it.
std::string Hold(EngineFixture& f, const NewCoupon& campaign, const std::string& user = "u") {
  if (!f.engine.GetCoupon(*campaign.coupon_id).ok()) {
    REQUIRE(f.engine.CreateCoupon(campaign).ok());
  }
  auto issued = f.engine.IssueCoupon(*campaign.coupon_id, user);
  REQUIRE_MESSAGE(issued.ok(), issued.status().message());
  return issued->value.user_coupon_id.ToString();
}

OrderRequest With(const std::string& coupon, std::vector<OrderLine> lines, std::string user = "u") {
  return OrderRequest{std::move(user), std::move(lines), false, coupon};
}

// Places `request`, which must be recorded (SUCCESS or FAILED) under its coupon.
OrderView Ordered(EngineFixture& f, const OrderRequest& request) {
  auto placed = f.engine.PlaceOrder(request);
  REQUIRE_MESSAGE(placed.ok(), placed.status().message());
  CHECK(placed->value.user_coupon_id == Uuid::Parse(request.user_coupon_id.value_or("")));
  return placed->value;
}

void ExpectOrderRefused(EngineFixture& f, ErrorCode code, const OrderRequest& request) {
  INFO("order of '", request.user_id, "' with coupon '", request.user_coupon_id.value_or(""), "'");
  ExpectRejected(f, code, [&] { return f.engine.PlaceOrder(request); });
}

// The user's coupon `id` as a read at the engine's time shows it.
UserCouponView Read(const EngineFixture& f, const std::string& id, const std::string& user = "u") {
  auto held = f.engine.ListUserCoupons(user);
  REQUIRE(held.ok());
  for (const UserCouponView& c : *held) {
    if (c.user_coupon_id.ToString() == id) return c;
  }
  FAIL("user ", user, " does not hold coupon ", id);
  return {};
}

void CheckAvailable(const UserCouponView& coupon) {
  CHECK(coupon.status == UserCouponStatus::kAvailable);
  CHECK_FALSE(coupon.used_at.has_value());
  CHECK_FALSE(coupon.order_id.has_value());
}

BalanceEntryView NewestEntry(const EngineFixture& f, const std::string& user) {
  auto page = f.engine.ListBalanceHistory(user, 1, std::nullopt);
  REQUIRE(page.ok());
  REQUIRE_FALSE(page->items.empty());
  return page->items[0];
}

TEST_CASE("a FIXED coupon takes its value off what is paid, the items keep their prices") {
  Shop f;
  std::string id = Hold(f, Fixed("f300", 300));
  f.clock.Advance(5'000);
  const TimeMs at = kStartMs + 5'000;
  const size_t records = f.journal.Entries().size();
  OrderView order = Ordered(f, With(id, {{"p", 2}, {"q", 5}}));
  CHECK(f.journal.Entries().size() == records + 1);  // the coupon is used in the same record
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.discount == 300);
  CHECK(order.total_price == 400);
  REQUIRE(order.items.size() == 2);
  CHECK(order.items[0].price == 250);
  CHECK(order.items[1].price == 40);
  CHECK(f.Balance("u") == 9'600);
  CHECK(f.Stock("p") == 8);
  CHECK(f.Stock("q") == 5);
  BalanceEntryView payment = NewestEntry(f, "u");
  CHECK(payment.type == TransactionType::kPayment);
  CHECK(payment.amount == -400);
  CHECK(payment.balance_after == 9'600);
  CHECK(payment.order_id == order.order_id);

  UserCouponView used = Read(f, id);
  CHECK(used.status == UserCouponStatus::kUsed);
  CHECK(used.used_at == at);
  CHECK(used.order_id == order.order_id);
  auto read = f.engine.GetOrder(order.order_id.ToString());
  REQUIRE(read.ok());
  CHECK(read->discount == 300);
  CHECK(read->total_price == 400);
  CHECK(read->user_coupon_id == order.user_coupon_id);
  CHECK(f.engine.ListOrders("u", 20, std::nullopt)->items[0].discount == 300);

  // Without a coupon: no discount, no coupon id.
  auto plain = f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"q", 1}}, false});
  REQUIRE(plain.ok());
  CHECK(plain->value.discount == 0);
  CHECK_FALSE(plain->value.user_coupon_id.has_value());
  CHECK(plain->value.total_price == 40);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a FIXED coupon worth more than the total makes the order free: a PAYMENT of 0") {
  Shop f;
  f.AddUser("broke");  // a balance of 0 pays for a free order
  std::string id = Hold(f, Fixed("big", 1'000), "broke");
  OrderView order = Ordered(f, With(id, {{"p", 1}}, "broke"));
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.discount == 250);  // min(1000, 250)
  CHECK(order.total_price == 0);
  CHECK(f.Balance("broke") == 0);
  CHECK(f.Stock("p") == 9);
  BalanceEntryView payment = NewestEntry(f, "broke");
  CHECK(payment.type == TransactionType::kPayment);
  CHECK(payment.amount == 0);
  CHECK(payment.balance_before == 0);
  CHECK(payment.balance_after == 0);
  CHECK(payment.order_id == order.order_id);

  REQUIRE(f.engine.CancelOrder(order.order_id.ToString()).ok());
  BalanceEntryView refund = NewestEntry(f, "broke");
  CHECK(refund.type == TransactionType::kRefund);
  CHECK(refund.amount == 0);
  CHECK(f.engine.ListBalanceHistory("broke", 20, std::nullopt)->items.size() == 2);
  CHECK(f.Stock("p") == 10);
  CheckAvailable(Read(f, id, "broke"));
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a PERCENT coupon takes floor(total x value / 100), capped by maxDiscount") {
  Shop f;
  f.AddProduct("n", 999, 10);
  struct Case {
    NewCoupon campaign;
    std::vector<OrderLine> lines;
    Money total;
    Money discount;
  };
  const std::vector<Case> cases = {
      {Percent("p10", 10), {{"n", 1}}, 999, 99},                // 99.9 floored
      {Percent("p15cap", 15, 100), {{"p", 4}}, 1'000, 100},     // 150 capped
      {Percent("p15", 15, 200), {{"p", 4}}, 1'000, 150},        // under the cap
      {Percent("p100", 100), {{"p", 1}}, 250, 250},             // all of it
      {Percent("p1", 1), {{"q", 2}}, 80, 0},                    // 0.8 floored to nothing
      {Percent("p33", 33), {{"q", 1}, {"n", 1}}, 1'039, 342}};  // 342.87 floored
  Money paid = 0;
  for (const Case& c : cases) {
    INFO("campaign ", *c.campaign.coupon_id);
    std::string id = Hold(f, c.campaign);
    OrderView order = Ordered(f, With(id, c.lines));
    CHECK(order.status == OrderStatus::kSuccess);
    CHECK(order.discount == c.discount);
    CHECK(order.total_price == c.total - c.discount);
    // Even a discount of 0 uses the coupon up.
    CHECK(Read(f, id).status == UserCouponStatus::kUsed);
    paid += order.total_price;
  }
  CHECK(f.Balance("u") == 10'000 - paid);
  CHECK(f.Stock("n") == 8);
  CHECK(f.Stock("p") == 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("the balance check uses what is paid: the discount makes an order affordable") {
  Shop f;
  f.AddUser("tight", 400);
  std::string id = Hold(f, Fixed("f300", 300), "tight");
  auto full =
      f.engine.PlaceOrder(OrderRequest{"tight", std::vector<OrderLine>{{"p", 2}, {"q", 5}}, false});
  REQUIRE(full.ok());
  CHECK(full->value.failure() == ErrorCode::kInsufficientBalance);  // 700 > 400

  OrderView order = Ordered(f, With(id, {{"p", 2}, {"q", 5}}, "tight"));
  CHECK(order.status == OrderStatus::kSuccess);  // 400 = 400
  CHECK(order.total_price == 400);
  CHECK(f.Balance("tight") == 0);
}

TEST_CASE("an unknown, malformed or another user's coupon is COUPON_NOT_FOUND, no order") {
  Shop f;
  f.AddUser("v", 10'000);
  std::string mine = Hold(f, Fixed("f", 100));
  std::string theirs = Hold(f, Fixed("f", 100), "v");
  REQUIRE(f.engine.AddToCart("u", "p", 1).ok());
  for (const std::string& id : {Uuid::Random().ToString(), std::string("not-a-uuid"),
                                std::string(""), mine + "0", theirs}) {
    ExpectOrderRefused(f, ErrorCode::kCouponNotFound, With(id, {{"p", 1}}));
    ExpectOrderRefused(f, ErrorCode::kCouponNotFound, OrderRequest{"u", std::nullopt, true, id});
  }
  CHECK(f.engine.ListOrders("u", 20, std::nullopt)->items.empty());
  CHECK(f.engine.Counts().orders == 0);
  CheckAvailable(Read(f, theirs, "v"));
  CHECK(Ordered(f, With(theirs, {{"p", 1}}, "v")).status == OrderStatus::kSuccess);

  // The id is a UUID: its uppercase spelling names the same coupon.
  std::string upper = mine;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto placed = f.engine.PlaceOrder(With(upper, {{"p", 1}}));
  REQUIRE(placed.ok());
  CHECK(placed->value.discount == 100);
  CHECK(Read(f, mine).status == UserCouponStatus::kUsed);
}

TEST_CASE("a total before the discount below minOrderAmount is COUPON_NOT_USABLE, no order") {
  Shop f;
  NewCoupon campaign = Fixed("min700", 100);
  campaign.min_order_amount = 700;
  std::string id = Hold(f, campaign);
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(id, {{"p", 2}, {"q", 4}}));  // 660
  CHECK(f.engine.Counts().orders == 0);
  CheckAvailable(Read(f, id));
  // 700 reaches the minimum, although the 600 paid would not.
  OrderView order = Ordered(f, With(id, {{"p", 2}, {"q", 5}}));
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.total_price == 600);
}

TEST_CASE("a USED or expired coupon is COUPON_NOT_USABLE before balance and stock, no order") {
  Shop f;
  f.AddUser("v", 10'000);
  f.AddUser("poor");
  std::string used = Hold(f, Fixed("free", 1'000), "poor");
  REQUIRE(Ordered(f, With(used, {{"q", 1}}, "poor")).status == OrderStatus::kSuccess);
  // Neither the balance nor the stock would cover these: the coupon is refused first.
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(used, {{"q", 1}}, "poor"));
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(used, {{"p", 11}}, "poor"));

  NewCoupon short_lived = Fixed("short", 50);
  short_lived.valid_until = kStartMs + kHourMs;
  std::string mine = Hold(f, short_lived);
  std::string theirs = Hold(f, short_lived, "v");
  f.clock.Set(kStartMs + kHourMs - 1);
  CHECK(Ordered(f, With(theirs, {{"q", 1}}, "v")).status == OrderStatus::kSuccess);
  f.clock.Set(kStartMs + kHourMs);  // expiresAt: no longer usable
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(mine, {{"q", 1}}));
  CHECK(Read(f, mine).status == UserCouponStatus::kExpired);
  CHECK(f.engine.ListOrders("u", 20, std::nullopt)->items.empty());
  CHECK(f.engine.Counts().orders == 2);
}

TEST_CASE("the request's shape, then the user and every product, come before the coupon") {
  Shop f;
  std::string used = Hold(f, Fixed("f", 100));
  REQUIRE(Ordered(f, With(used, {{"q", 1}})).status == OrderStatus::kSuccess);
  const std::string unknown = Uuid::Random().ToString();
  for (const std::string& id : {used, unknown, std::string("not-a-uuid")}) {
    ExpectOrderRefused(f, ErrorCode::kInvalidRequest, With(id, {{"p", 0}}));
    ExpectOrderRefused(f, ErrorCode::kUserNotFound, With(id, {{"p", 1}}, "ghost"));
    ExpectOrderRefused(f, ErrorCode::kProductNotFound, With(id, {{"p", 1}, {"nothing", 1}}));
  }
  CHECK(f.engine.Counts().orders == 1);
}

TEST_CASE("a FAILED order keeps its discount and leaves the coupon AVAILABLE") {
  Shop f;
  f.AddUser("poor", 399);
  std::string id = Hold(f, Fixed("f300", 300), "poor");
  const size_t records = f.journal.Entries().size();
  OrderView failed = Ordered(f, With(id, {{"p", 2}, {"q", 5}}, "poor"));
  CHECK(f.journal.Entries().size() == records + 1);
  CHECK(failed.failure() == ErrorCode::kInsufficientBalance);  // 400 to pay, 399 held
  CHECK(failed.discount == 300);
  CHECK(failed.total_price == 400);
  auto read = f.engine.GetOrder(failed.order_id.ToString());
  REQUIRE(read.ok());
  CHECK(read->discount == 300);
  CHECK(read->user_coupon_id == failed.user_coupon_id);
  CheckAvailable(Read(f, id, "poor"));
  CHECK(f.Balance("poor") == 399);
  CHECK(f.engine.ListBalanceHistory("poor", 20, std::nullopt)->items.size() == 1);
  CHECK(f.Stock("p") == 10);

  // Out of stock likewise; and the coupon still serves once the balance covers it.
  std::string other = Hold(f, Fixed("f100", 100));
  OrderView out = Ordered(f, With(other, {{"q", 11}}));
  CHECK(out.failure() == ErrorCode::kOutOfStock);
  CHECK(out.discount == 100);
  CHECK(out.total_price == 340);
  CheckAvailable(Read(f, other));
  CHECK(f.Balance("u") == 10'000);
  REQUIRE(f.engine.Charge("poor", 1).ok());
  CHECK(Ordered(f, With(id, {{"p", 2}, {"q", 5}}, "poor")).status == OrderStatus::kSuccess);
  CHECK(f.Balance("poor") == 0);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an order from the cart takes a coupon: SUCCESS empties the cart, FAILED keeps both") {
  Shop f;
  std::string id = Hold(f, Fixed("f300", 300));
  REQUIRE(f.engine.AddToCart("u", "q", 5).ok());
  REQUIRE(f.engine.AddToCart("u", "p", 2).ok());
  OrderView order = Ordered(f, OrderRequest{"u", std::nullopt, true, id});
  CHECK(order.status == OrderStatus::kSuccess);
  CHECK(order.discount == 300);
  CHECK(order.total_price == 400);
  CHECK(f.engine.GetCart("u")->items.empty());
  CHECK(Read(f, id).order_id == order.order_id);
  CHECK(f.Balance("u") == 9'600);

  std::string other = Hold(f, Fixed("f100", 100));
  REQUIRE(f.engine.AddToCart("u", "q", 6).ok());  // 5 left in stock
  OrderView failed = Ordered(f, OrderRequest{"u", std::nullopt, true, other});
  CHECK(failed.failure() == ErrorCode::kOutOfStock);
  CHECK(failed.discount == 100);
  CHECK(f.engine.GetCart("u")->items.size() == 1);
  CheckAvailable(Read(f, other));
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("cancel refunds what was paid and gives the coupon back for another order") {
  Shop f;
  std::string id = Hold(f, Fixed("f300", 300));
  OrderView first = Ordered(f, With(id, {{"p", 2}, {"q", 5}}));
  f.clock.Advance(90'000);
  auto cancelled = f.engine.CancelOrder(first.order_id.ToString());
  REQUIRE(cancelled.ok());
  CHECK(cancelled->value.status == OrderStatus::kCancelled);
  CHECK(cancelled->value.discount == 300);  // the order keeps its record of the coupon
  CHECK(cancelled->value.user_coupon_id == first.user_coupon_id);
  CHECK(f.Balance("u") == 10'000);
  BalanceEntryView refund = NewestEntry(f, "u");
  CHECK(refund.type == TransactionType::kRefund);
  CHECK(refund.amount == 400);
  CHECK(refund.order_id == first.order_id);
  CheckAvailable(Read(f, id));

  OrderView second = Ordered(f, With(id, {{"q", 1}}));
  CHECK(second.status == OrderStatus::kSuccess);
  CHECK(second.discount == 40);
  CHECK(second.total_price == 0);
  CHECK(Read(f, id).order_id == second.order_id);
  // Cancelling the first order again is refused and does not free the coupon.
  ExpectRejected(f, ErrorCode::kInvalidOrderState,
                 [&] { return f.engine.CancelOrder(first.order_id.ToString()); });
  CHECK(Read(f, id).order_id == second.order_id);
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(id, {{"q", 1}}));
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a coupon given back after its expiresAt reads EXPIRED and is no longer usable") {
  Shop f;
  NewCoupon short_lived = Fixed("short", 100);
  short_lived.valid_until = kStartMs + kHourMs;
  std::string id = Hold(f, short_lived);
  OrderView order = Ordered(f, With(id, {{"p", 1}}));
  f.clock.Set(kStartMs + 2 * kHourMs);
  CHECK(Read(f, id).status == UserCouponStatus::kUsed);  // used coupons do not expire
  REQUIRE(f.engine.CancelOrder(order.order_id.ToString()).ok());
  CHECK(f.Balance("u") == 10'000);
  UserCouponView back = Read(f, id);
  CHECK(back.status == UserCouponStatus::kExpired);
  CHECK_FALSE(back.used_at.has_value());
  CHECK_FALSE(back.order_id.has_value());
  ExpectOrderRefused(f, ErrorCode::kCouponNotUsable, With(id, {{"p", 1}}));
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a retried order with a coupon answers the first order and uses the coupon once") {
  Shop f;
  std::string id = Hold(f, Fixed("f300", 300));
  const IdempotencyKey key{"order-1", "POST /order u p 2 coupon"};
  auto place = [&] { return f.engine.PlaceOrder(With(id, {{"p", 2}}), &key); };
  auto first = place();
  REQUIRE(first.ok());
  REQUIRE(first->value.status == OrderStatus::kSuccess);
  EngineFixture::Fingerprint before = f.Snapshot();
  // The coupon is USED now; the retry is answered from the key, not refused.
  auto retry = place();
  REQUIRE_MESSAGE(retry.ok(), retry.status().message());
  CHECK(retry->reanswered);
  CHECK(retry->value.order_id == first->value.order_id);
  CHECK(retry->value.discount == 300);
  CHECK(retry->value.user_coupon_id == first->value.user_coupon_id);
  CHECK(f.Snapshot() == before);
  CHECK(f.Balance("u") == 9'800);
}

// SPEC: a 409 COUPON_* is a rejection, not an outcome: its key stays free.
TEST_CASE("an order refused for its coupon is not stored under its key: the retry places it") {
  Shop f;
  std::string id = Hold(f, Fixed("f300", 300));
  OrderView holder = Ordered(f, With(id, {{"q", 1}}));
  const IdempotencyKey key{"order-2", "POST /order u p 1 coupon"};
  const OrderRequest request = With(id, {{"p", 1}});
  ExpectRejected(f, ErrorCode::kCouponNotUsable,
                 [&] { return f.engine.PlaceOrder(request, &key); });
  REQUIRE(f.engine.CancelOrder(holder.order_id.ToString()).ok());
  auto retry = f.engine.PlaceOrder(request, &key);
  REQUIRE_MESSAGE(retry.ok(), retry.status().message());
  CHECK_FALSE(retry->reanswered);
  CHECK(retry->value.status == OrderStatus::kSuccess);
  CHECK(Read(f, id).order_id == retry->value.order_id);
}

}  // namespace
}  // namespace ecomm::testing
