// The ledger is what the audit trusts, so how each answer is settled into it is
// checked answer by answer here; and the coupon audit, which compares the ledger with
// a server's answers, against canned ones, one broken rule at a time.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "coupon_audit.h"
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

TEST_CASE("virtual user: a flash crowd's issue, its expected refusals, one coupon per user") {
  Fixture f("coupon_issue=1");
  REQUIRE(f.population.campaign());
  CHECK(f.population.campaign()->id == "t-c0");
  CHECK(f.population.campaign()->total_quantity == 1000);
  ShopRequest issue = f.user.Next();
  REQUIRE(issue.op == Op::kCouponIssue);
  REQUIRE(issue.user >= 0);
  CHECK_FALSE(issue.idempotency_key.empty());  // a retry after a lost answer is safe
  // Sold out, or a repeat click: expected, and nothing is held.
  CHECK(f.user.Settle(issue, ShopReply{409, R"({"code":"COUPON_SOLD_OUT"})"}));
  CHECK(f.user.Settle(issue, ShopReply{409, R"({"code":"COUPON_ALREADY_ISSUED"})"}));
  for (ShopReply bad : {ShopReply{409, R"({"code":"COUPON_NOT_ACTIVE"})"},
                        ShopReply{409, R"({"code":"IDEMPOTENCY_KEY_IN_USE"})"},
                        ShopReply{404, R"({"code":"COUPON_NOT_FOUND"})"},
                        ShopReply{200, R"({"couponId":"t-c0"})"}, ShopReply{200, "not json"}}) {
    CAPTURE(bad.body);
    CHECK_FALSE(f.user.Settle(issue, bad));
  }
  CHECK(f.ledger.issued() == 0);
  CHECK(f.ledger.AvailableCoupon(issue.user).empty());

  const std::string user = f.population.user_id(issue.user);
  auto answer = [&](const std::string& id, const std::string& campaign) {
    return ShopReply{200, R"({"userCouponId":")" + id + R"(","couponId":")" + campaign +
                              R"(","userId":")" + user + R"(","status":"AVAILABLE"})"};
  };
  CHECK(f.user.Settle(issue, answer("uc-1", "t-c0")));
  CHECK(f.ledger.issued() == 1);
  CHECK(f.ledger.user_coupons()[static_cast<size_t>(issue.user)] == "uc-1");
  CHECK(f.ledger.AvailableCoupon(issue.user) == "uc-1");
  // A second coupon for the same user breaks "one per user": counted, the first kept.
  CHECK_FALSE(f.user.Settle(issue, answer("uc-2", "t-c0")));
  CHECK(f.ledger.issued() == 2);
  CHECK(f.ledger.AvailableCoupon(issue.user) == "uc-1");

  // IDEMPOTENCY_KEY_IN_USE above, and no answer: either may have issued one.
  CHECK_FALSE(f.user.Settle(issue, ShopReply{0, ""}));
  CHECK(f.ledger.unknown_outcomes(Op::kCouponIssue) == 2);
  CHECK(f.ledger.unknown_outcomes(Op::kOrder) == 0);
}

TEST_CASE(
    "ledger: an order with its user's coupon pays the discounted total, and a cancel "
    "gives the coupon back") {
  // One user, orders nearly always; the campaign is 10% off.
  Fixture f("order=1000000,coupon_issue=1", /*users=*/1);
  f.options.coupon_use = 1;
  ShopRequest issue;
  issue.op = Op::kCouponIssue;
  issue.user = 0;
  REQUIRE(f.user.Settle(issue, ShopReply{200, R"({"userCouponId":"uc-1","couponId":"t-c0",)"
                                              R"("userId":"t-u0","status":"AVAILABLE"})"}));
  auto next_order = [&f] {
    ShopRequest order = f.user.Next();
    REQUIRE(order.op == Op::kOrder);
    return order;
  };
  auto gross = [&f](const ShopRequest& order) {
    int64_t total = 0;
    for (const Line& l : order.lines) total += f.population.price(l.product) * l.quantity;
    return total;
  };
  auto answer = [](const std::string& id, int64_t paid, int64_t discount, const char* coupon) {
    return ShopReply{200, R"({"orderId":")" + id + R"(","totalPrice":)" + std::to_string(paid) +
                              R"(,"discount":)" + std::to_string(discount) + R"(,"userCouponId":)" +
                              coupon + "}"};
  };

  ShopRequest order = next_order();
  REQUIRE(order.user_coupon_id == "uc-1");
  int64_t discount = gross(order) / 10;
  CHECK(f.user.Settle(order, answer("o-1", gross(order) - discount, discount, R"("uc-1")")));
  CHECK(f.ledger.accounts()[0].paid == gross(order) - discount);
  CHECK(f.ledger.orders()[0].user_coupon_id == "uc-1");
  CHECK(f.ledger.AvailableCoupon(0).empty());  // USED: the next orders carry none
  CHECK(next_order().user_coupon_id.empty());

  ShopRequest cancel;
  cancel.op = Op::kCancel;
  std::mt19937_64 random(1);
  cancel.order = f.ledger.TakeCancellable(random, &cancel.order_id, &cancel.user);
  REQUIRE(cancel.order == 0);
  CHECK(f.user.Settle(cancel, ShopReply{200, "{}"}));
  CHECK(f.ledger.accounts()[0].refunded == gross(order) - discount);
  CHECK(f.ledger.AvailableCoupon(0) == "uc-1");

  // Used first by a concurrent order: refused, nothing recorded, expected.
  ShopRequest again = next_order();
  REQUIRE(again.user_coupon_id == "uc-1");
  CHECK(f.user.Settle(again, ShopReply{409, R"({"code":"COUPON_NOT_USABLE"})"}));
  CHECK(f.ledger.orders().size() == 1);
  // Recorded FAILED (stock): the coupon stays AVAILABLE.
  CHECK(f.user.Settle(
      again, ShopReply{409, R"({"code":"OUT_OF_STOCK","orderId":"o-2","orderStatus":"FAILED"})"}));
  CHECK(f.ledger.orders()[1].status == Ledger::Status::kFailed);
  CHECK(f.ledger.orders()[1].user_coupon_id == "uc-1");
  CHECK(f.ledger.AvailableCoupon(0) == "uc-1");
  // A discount that is not the rule's, or no coupon on the answer: wrong.
  int64_t want = gross(again) / 10;
  CHECK_FALSE(f.user.Settle(again, answer("o-3", gross(again), 0, "null")));
  CHECK_FALSE(f.user.Settle(again, answer("o-4", gross(again) - want - 1, want + 1, R"("uc-1")")));

  // Without a coupon, its refusal is not expected; a server without coupons (no such
  // fields) is fine.
  f.options.coupon_use = 0;
  ShopRequest plain = next_order();
  REQUIRE(plain.user_coupon_id.empty());
  CHECK_FALSE(f.user.Settle(plain, ShopReply{409, R"({"code":"COUPON_NOT_USABLE"})"}));
  CHECK(f.user.Settle(plain, ShopReply{200, R"({"orderId":"o-5","totalPrice":)" +
                                                std::to_string(gross(plain)) + "}"}));
  CHECK(f.user.Settle(plain, answer("o-6", gross(plain), 0, "null")));
}

namespace {

// A server in a chosen state: the coupon audit's reads answered from `answers` (path ->
// reply; 404 for any other).
class CannedShop final : public ShopClient {
 public:
  explicit CannedShop(const std::map<std::string, ShopReply>& answers) : answers_(answers) {}

  ShopReply CreateProduct(const std::string&, const std::string&, int64_t, int64_t) override {
    return {};
  }
  ShopReply CreateUser(const std::string&, const std::string&, const std::string&) override {
    return {};
  }
  ShopReply Charge(const std::string&, int64_t, const std::string&) override { return {}; }
  ShopReply GetBalance(const std::string&) override { return {}; }
  ShopReply GetProduct(const std::string&) override { return {}; }
  ShopReply GetOrder(const std::string& id) override { return Get("/orders/" + id); }
  ShopReply CreateCoupon(const Campaign&) override { return {}; }
  ShopReply GetCoupon(const std::string& id) override { return Get("/coupons/" + id); }
  ShopReply ListUserCoupons(const std::string& user) override {
    return Get("/users/" + user + "/coupons");
  }

 private:
  ShopReply Get(const std::string& path) const {
    auto it = answers_.find(path);
    return it == answers_.end() ? ShopReply{404, "{}"} : it->second;
  }

  const std::map<std::string, ShopReply>& answers_;
};

std::string UserCoupon(const std::string& id, const std::string& user, const std::string& status,
                       const std::string& order = "") {
  return R"({"userCouponId":")" + id + R"(","couponId":"t-c0","userId":")" + user +
         R"(","status":")" + status + R"(")" +
         (order.empty() ? "" : R"(,"orderId":")" + order + "\"") + "}";
}

std::string Order(const std::string& status, int64_t paid, int64_t discount) {
  return R"({"orderStatus":")" + status + R"(","totalPrice":)" + std::to_string(paid) +
         R"(,"discount":)" + std::to_string(discount) +
         R"(,"userCouponId":"uc-0","items":[{"productId":"t-p0","quantity":2,"price":100}]})";
}

}  // namespace

TEST_CASE("coupon audit: a server that keeps the rules passes, each broken rule is named") {
  // Three users; two were issued a coupon of the 10% campaign, and the first used it on
  // an order of 2 x 100: 20 off, 180 paid.
  Fixture f("coupon_issue=1", /*users=*/3);
  REQUIRE(f.ledger.Issued(0, "uc-0"));
  REQUIRE(f.ledger.Issued(1, "uc-1"));
  f.ledger.Placed(Ledger::Order{"o-1", 0, {Line{0, 2}}, 180, Ledger::Status::kSuccess, "uc-0"});
  const std::map<std::string, ShopReply> kept = {
      {"/coupons/t-c0",
       {200, R"({"totalQuantity":1000,"remainingQuantity":998,"discountType":"PERCENT",)"
             R"("discountValue":10,"maxDiscount":null})"}},
      {"/users/t-u0/coupons", {200, "[" + UserCoupon("uc-0", "t-u0", "USED", "o-1") + "]"}},
      {"/users/t-u1/coupons", {200, "[" + UserCoupon("uc-1", "t-u1", "AVAILABLE") + "]"}},
      {"/users/t-u2/coupons", {200, "[]"}},
      {"/orders/o-1", {200, Order("SUCCESS", 180, 20)}}};
  auto audit = [&f](const std::map<std::string, ShopReply>& answers,
                    std::vector<std::string>* violations) {
    return AuditCoupons([&answers] { return std::make_unique<CannedShop>(answers); }, f.population,
                        f.ledger,
                        [violations](std::string v) { violations->push_back(std::move(v)); });
  };

  std::vector<std::string> none;
  CouponAudit clean = audit(kept, &none);
  CHECK(none.empty());
  CHECK(clean.issued == 2);
  CHECK(clean.acknowledged == 2);
  CHECK(clean.remaining == 998);
  CHECK(clean.used == 1);
  CHECK(clean.orders == 1);

  struct Broken {
    const char* rule;
    std::map<std::string, ShopReply> change;
    const char* named;  // in the violation
  };
  for (const Broken& b : std::vector<Broken>{
           {"remaining = total - issued",
            {{"/coupons/t-c0",
              {200, R"({"totalQuantity":1000,"remainingQuantity":997,"discountType":"PERCENT",)"
                    R"("discountValue":10,"maxDiscount":null})"}}},
            "remainingQuantity 997, but 2 of 1000 issued"},
           {"the campaign the run created",
            {{"/coupons/t-c0",
              {200, R"({"totalQuantity":1000,"remainingQuantity":998,"discountType":"FIXED",)"
                    R"("discountValue":10,"maxDiscount":null})"}}},
            "not the campaign the run created"},
           {"one per user",
            {{"/users/t-u1/coupons",
              {200, "[" + UserCoupon("uc-1", "t-u1", "AVAILABLE") + "," +
                        UserCoupon("uc-9", "t-u1", "AVAILABLE") + "]"}}},
            "user t-u1: holds 2 coupons"},
           {"issued as acknowledged",
            {{"/users/t-u2/coupons", {200, "[" + UserCoupon("uc-2", "t-u2", "AVAILABLE") + "]"}}},
            "3 issued, 2 acknowledged and 0 unanswered"},
           {"an acknowledged coupon is held",
            {{"/users/t-u1/coupons", {200, "[]"}}},
            "user t-u1: issued coupon uc-1 is not among its coupons"},
           {"the discount rule",
            {{"/orders/o-1", {200, Order("SUCCESS", 170, 30)}}},
            "the 10% rule gives a discount of 20"},
           {"a USED coupon's order is SUCCESS",
            {{"/orders/o-1", {200, Order("CANCELLED", 180, 20)}}},
            "coupon uc-0 is USED by it, but it is CANCELLED"},
           {"a SUCCESS order's coupon is USED by it",
            {{"/users/t-u0/coupons", {200, "[" + UserCoupon("uc-0", "t-u0", "AVAILABLE") + "]"}}},
            "SUCCESS with coupon uc-0, which is AVAILABLE"}}) {
    CAPTURE(b.rule);
    std::map<std::string, ShopReply> answers = kept;
    for (const auto& [path, reply] : b.change) answers[path] = reply;
    std::vector<std::string> violations;
    audit(answers, &violations);
    bool named = false;
    for (const std::string& v : violations) named = named || v.find(b.named) != std::string::npos;
    CAPTURE(violations.size());
    CHECK_MESSAGE(named, (violations.empty() ? "no violation" : violations.front()));
  }
}

}  // namespace ecomm::load
