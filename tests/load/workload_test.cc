// The ledger is what the audit trusts, so how each answer is settled into it is
// checked answer by answer here.
#include <doctest/doctest.h>

#include <string>

#include "workload.h"

namespace ecomm::load {

namespace {

struct Fixture {
  LoadOptions options;
  Population population;
  Ledger ledger;
  VirtualUser user;

  explicit Fixture(std::string mix = "order=1", int users = 3)
      : options(Options(mix, users)),
        population(options, "t-"),
        ledger(population),
        user(options, population, &ledger, 0, 1) {}

  static LoadOptions Options(const std::string& mix, int users) {
    LoadOptions o;
    o.users = users;
    o.products = 2;
    o.connections = 1;  // this virtual user owns every user's cart
    std::string error;
    REQUIRE(ParseMix(mix, &o.mix, &error));
    return o;
  }
};

int64_t Units(const std::vector<Line>& lines) {
  int64_t n = 0;
  for (const Line& l : lines) n += l.quantity;
  return n;
}

}  // namespace

TEST_CASE("ledger: a SUCCESS order is paid and sold, its cancel refunds and restores") {
  Fixture f;
  ShopRequest order = f.user.Next();
  REQUIRE(order.op == Op::kOrder);
  CHECK_FALSE(order.idempotency_key.empty());
  int64_t total = 0;
  for (const Line& l : order.lines) total += f.population.price(l.product) * l.quantity;
  std::string answer = R"({"orderId":"o-1","totalPrice":)" + std::to_string(total) + "}";
  CHECK(f.user.Settle(order, ShopReply{200, answer}));
  REQUIRE(f.ledger.orders().size() == 1);
  CHECK(f.ledger.orders()[0].status == Ledger::Status::kSuccess);
  CHECK(f.ledger.accounts()[static_cast<size_t>(order.user)].paid == total);
  int64_t sold = f.ledger.stocks()[0].sold + f.ledger.stocks()[1].sold;
  CHECK(sold == Units(order.lines));

  ShopRequest cancel;
  cancel.op = Op::kCancel;
  std::mt19937_64 random(1);
  cancel.order = f.ledger.TakeCancellable(random, &cancel.order_id, &cancel.user);
  REQUIRE(cancel.order == 0);
  CHECK(cancel.order_id == "o-1");
  CHECK(cancel.user == order.user);  // the owner, whose token a cancel carries
  CHECK(f.ledger.TakeCancellable(random, &cancel.order_id, &cancel.user) == -1);  // once only
  CHECK(f.user.Settle(cancel, ShopReply{200, "{}"}));
  CHECK(f.ledger.orders()[0].status == Ledger::Status::kCancelled);
  CHECK(f.ledger.accounts()[static_cast<size_t>(order.user)].refunded == total);
  CHECK(f.ledger.stocks()[0].sold + f.ledger.stocks()[1].sold == 0);
}

TEST_CASE("ledger: a 409 order is recorded FAILED with no money or stock moved") {
  Fixture f;
  ShopRequest order = f.user.Next();
  CHECK(f.user.Settle(
      order, ShopReply{409, R"({"code":"OUT_OF_STOCK","orderId":"o-2","orderStatus":"FAILED"})"}));
  REQUIRE(f.ledger.orders().size() == 1);
  CHECK(f.ledger.orders()[0].status == Ledger::Status::kFailed);
  CHECK(f.ledger.accounts()[static_cast<size_t>(order.user)].paid == 0);
  CHECK(f.ledger.stocks()[0].sold + f.ledger.stocks()[1].sold == 0);
  std::mt19937_64 random(1);
  std::string id;
  int owner = -1;
  CHECK(f.ledger.TakeCancellable(random, &id, &owner) == -1);  // a FAILED order is not cancelled
}

TEST_CASE("ledger: answers of the wrong class are unexpected and change nothing") {
  Fixture f;
  ShopRequest order = f.user.Next();
  for (ShopReply bad :
       {ShopReply{0, ""}, ShopReply{400, R"({"code":"INVALID_REQUEST"})"},
        ShopReply{409, R"({"code":"IDEMPOTENCY_KEY_IN_USE"})"}, ShopReply{500, "{}"},
        ShopReply{503, "{}"}, ShopReply{200, "not json"}, ShopReply{200, R"({"orderId":"x"})"}}) {
    CAPTURE(bad.status);
    CHECK_FALSE(f.user.Settle(order, bad));
  }
  CHECK(f.ledger.orders().empty());
  CHECK(f.ledger.accounts()[static_cast<size_t>(order.user)].paid == 0);

  ShopRequest charge;
  charge.op = Op::kCharge;
  charge.user = 1;
  charge.amount = 50;
  CHECK_FALSE(f.user.Settle(charge, ShopReply{503, "{}"}));
  CHECK(f.ledger.accounts()[1].charged == 0);
  CHECK(f.user.Settle(charge, ShopReply{200, "{}"}));
  CHECK(f.ledger.accounts()[1].charged == 50);
}

TEST_CASE("virtual user: an order from the cart is the cart it built, and success empties it") {
  Fixture f("order_cart=1", /*users=*/1);
  ShopRequest first = f.user.Next();
  REQUIRE(first.op == Op::kCartAdd);  // the cart is empty: it fills it first
  CHECK(f.user.Settle(first, ShopReply{200, "{}"}));
  ShopRequest order = f.user.Next();
  REQUIRE(order.op == Op::kOrderCart);
  REQUIRE(order.lines.size() == 1);
  CHECK(order.lines[0].product == first.product);
  CHECK(order.lines[0].quantity == first.amount);
  CHECK(f.user.Settle(order, ShopReply{409, R"({"orderId":"o-3","orderStatus":"FAILED"})"}));
  CHECK(f.user.Next().op == Op::kOrderCart);  // refused: the cart is untouched
  int64_t total = f.population.price(first.product) * first.amount;
  CHECK(f.user.Settle(
      order, ShopReply{200, R"({"orderId":"o-4","totalPrice":)" + std::to_string(total) + "}"}));
  CHECK(f.ledger.stocks()[static_cast<size_t>(first.product)].sold == first.amount);
  CHECK(f.user.Next().op == Op::kCartAdd);  // ordered: the cart is empty again
}

TEST_CASE("ledger: a total that is not the sum of the prices is unexpected") {
  Fixture f;
  ShopRequest order = f.user.Next();
  int64_t total = 0;
  for (const Line& l : order.lines) total += f.population.price(l.product) * l.quantity;
  std::string answer = R"({"orderId":"o-9","totalPrice":)" + std::to_string(total + 1) + "}";
  CHECK_FALSE(f.user.Settle(order, ShopReply{200, answer}));
  // Recorded as the server said, so that the audit compares like with like.
  CHECK(f.ledger.accounts()[static_cast<size_t>(order.user)].paid == total + 1);
}

TEST_CASE("ledger: writes without a definite answer are counted, and a cancel in doubt stays out") {
  Fixture f;
  ShopRequest order = f.user.Next();
  int64_t total = 0;
  for (const Line& l : order.lines) total += f.population.price(l.product) * l.quantity;
  REQUIRE(f.user.Settle(
      order, ShopReply{200, R"({"orderId":"o-5","totalPrice":)" + std::to_string(total) + "}"}));
  ShopRequest cancel;
  cancel.op = Op::kCancel;
  std::mt19937_64 random(3);
  cancel.order = f.ledger.TakeCancellable(random, &cancel.order_id, &cancel.user);
  REQUIRE(cancel.order == 0);
  CHECK_FALSE(f.user.Settle(cancel, ShopReply{409, R"({"code":"IDEMPOTENCY_KEY_IN_USE"})"}));
  CHECK(f.ledger.unknown_outcomes() == 1);
  std::string id;
  int owner = -1;
  CHECK(f.ledger.TakeCancellable(random, &id, &owner) == -1);  // it may be cancelled: not again
  CHECK_FALSE(f.user.Settle(order, ShopReply{0, ""}));
  CHECK(f.ledger.unknown_outcomes() == 2);
  ShopRequest browse;
  browse.op = Op::kBrowse;
  CHECK_FALSE(f.user.Settle(browse, ShopReply{503, ""}));
  CHECK(f.ledger.unknown_outcomes() == 2);  // a read changes nothing
}

}  // namespace ecomm::load
