// One rule, one place: a record the live path refuses is refused by replay with the
// same reason, and a record it accepts replays to the same state. Requests are
// generated from a seed (valid, at and past every limit, unknown and duplicate ids);
// each one goes to the live engine, and the record it would have logged goes to a
// replica that replays the live engine's log as it grows.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ecomm/engine.h"
#include "replay.h"
#include "support/engine_fixture.h"

namespace ecomm {
namespace {

using testing::EngineFixture;
using testing::kStartMs;

class Agreement {
 public:
  explicit Agreement(uint64_t seed) : rng_(seed) {}

  // Sends one generated request of kind `kind` to the live engine and checks the
  // replica against it.
  void Step(RecordType kind) {
    switch (kind) {
      case RecordType::kCreateUser: {
        std::string id = Id(users_), name = Text(), email = Text();
        Expect(live().CreateUser(NewUser{id, name, email}),
               CreateUserRecord{Now(), id, name, email});
        break;
      }
      case RecordType::kCreateProduct: {
        std::string id = Id(products_), name = Text();
        Money price = Pick({-1, 0, 7, 1'000'000'000, 1'000'000'001});
        Quantity stock = Pick({-1, 0, 5, 999'999'999'999, 1'000'000'000'000, 1'000'000'000'001});
        Expect(live().CreateProduct(NewProduct{id, name, price, stock}),
               CreateProductRecord{Now(), id, name, price, stock});
        break;
      }
      case RecordType::kRestock: {
        std::string id = Id(products_);
        Quantity q = Pick({-1, 0, 3, 1'000'000'000, 1'000'000'001});
        Expect(live().Restock(id, q), RestockRecord{Now(), id, q});
        break;
      }
      case RecordType::kCharge: {
        std::string id = Id(users_);
        Money amount = Pick({-5, 0, 1, 40'000, 1'000'000'000, 1'000'000'001});
        Expect(live().Charge(id, amount),
               ChargeRecord{Now(), id, amount, Uuid::Random(), std::nullopt});
        break;
      }
      case RecordType::kPlaceOrder:
        PlaceOrder();
        break;
      case RecordType::kCancelOrder: {
        std::string id = orders_.empty() || Chance(10) ? Uuid::Random().ToString()
                                                       : orders_[Below(orders_.size())];
        Expect(live().CancelOrder(id), CancelOrderRecord{Now(), *Uuid::Parse(id), Uuid::Random(),
                                                         ChangedBy::kUser, std::nullopt});
        break;
      }
      case RecordType::kCartAdd: {
        std::string user = Id(users_), product = Id(products_);
        Quantity q = Pick({-1, 0, 1, 2, 999'999, 1'000'000, 1'000'001});
        Expect(live().AddToCart(user, product, q), CartAddRecord{Now(), user, product, q});
        break;
      }
      case RecordType::kCartRemove: {
        std::string user = Id(users_), product = Id(products_);
        Expect(live().RemoveFromCart(user, product), CartRemoveRecord{Now(), user, product});
        break;
      }
      case RecordType::kAdvanceClock: {
        int64_t seconds = Pick({-1, 0, 1, 3600, 1'000'000'000, 1'000'000'001});
        Expect(live().AdvanceClock(seconds), AdvanceClockRecord{Now(), seconds});
        break;
      }
      case RecordType::kCreateCoupon:
        CreateCoupon();
        break;
      case RecordType::kIssueCoupon: {
        std::string coupon = Id(coupons_), user = Id(users_);
        auto issued = live().IssueCoupon(coupon, user);
        if (issued.ok()) held_.push_back(issued->value);
        Expect(issued, IssueCouponRecord{Now(), coupon, user, Uuid::Random(), std::nullopt});
        break;
      }
    }
    f_.clock.Advance(static_cast<TimeMs>(Below(1500)));
  }

  // Advances the clock by the most one record may until the year 9999 refuses.
  void AdvanceToTheEnd() {
    for (;;) {
      auto advanced = live().AdvanceClock(limits::kMaxClockAdvanceSeconds);
      Expect(advanced, AdvanceClockRecord{Now(), limits::kMaxClockAdvanceSeconds});
      if (!advanced.ok()) return;
    }
  }

  Engine& live() { return f_.engine; }
  const Engine& replica() const { return replica_; }
  int refusals() const { return refusals_; }
  int accepted() const { return accepted_; }

 private:
  void PlaceOrder() {
    std::string user = Id(users_);
    std::vector<OrderLine> items;
    std::vector<std::string> ids;
    size_t n = 1 + Below(4);
    for (size_t i = 0; i < n; ++i) {
      std::string id = Id(products_);
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;  // merged otherwise
      ids.push_back(id);
      items.push_back(OrderLine{id, Pick({-1, 0, 1, 2, 3, 1'000'000, 1'000'001})});
    }
    PlaceOrderRecord record;
    record.at = Now();
    record.order_id = Uuid::Random();
    record.user_id = user;
    record.payment_id = Uuid::Random();
    for (const OrderLine& item : items) {
      auto product = replica_.GetProduct(item.product_id);
      record.lines.push_back({item.product_id, item.quantity, product.ok() ? product->price : 0});
    }
    OrderRequest request{user, items, false};
    if (!held_.empty() && Chance(2)) {  // a coupon, now and then another user's
      const UserCouponView& coupon = held_[Below(held_.size())];
      request.user_coupon_id = coupon.user_coupon_id.ToString();
      record.user_coupon_id = coupon.user_coupon_id;
      auto campaign = replica_.GetCoupon(coupon.coupon_id);
      Money total = TotalOf(record);
      if (campaign.ok() && total >= 0 && total <= limits::kMaxOrderTotal) {
        record.discount = DiscountBy(*campaign, total);
      }
    }
    auto placed = live().PlaceOrder(request);
    if (placed.ok()) orders_.push_back(placed->value.order_id.ToString());
    Expect(placed, record);
  }

  // Campaigns at and past every limit: the live path and replay must refuse the same.
  // (A maxDiscount of 0 is refused before a record is built: the record reads 0 as none.)
  void CreateCoupon() {
    NewCoupon c;
    c.coupon_id = Id(coupons_);
    c.name = Text();
    c.discount_type = Chance(2) ? DiscountType::kFixed : DiscountType::kPercent;
    c.discount_value = Pick({-1, 0, 1, 50, 100, 101, 1'000'000'000, 1'000'000'001});
    c.total_quantity = Pick({-1, 0, 1, 2, 3, 1'000'000'000, 1'000'000'001});
    c.min_order_amount = Pick({-1, 0, 100, 1'000'000});
    if (Chance(2)) c.max_discount = Pick({-1, 1, 500, 1'000'000'000, 1'000'000'001});
    if (Chance(3)) c.valid_from = Now() + Pick({-1'000'000, 0, 3'600'000});
    if (Chance(3)) c.valid_until = Now() + Pick({-1, 0, 1'000, 86'400'000});
    CreateCouponRecord record{
        .at = Now(),
        .coupon_id = *c.coupon_id,
        .name = c.name,
        .discount_type = c.discount_type,
        .discount_value = c.discount_value,
        .total_quantity = c.total_quantity,
        .min_order_amount = c.min_order_amount,
        .max_discount = c.max_discount.value_or(0),
        .valid_from = c.valid_from.value_or(Now()),
        .valid_until = c.valid_until.value_or(Now() + limits::kDefaultCouponValidityMs)};
    Expect(live().CreateCoupon(c), record);
  }

  // SPEC's discount, written out again as the test's oracle.
  static Money DiscountBy(const CouponView& c, Money total) {
    if (c.discount_type == DiscountType::kFixed) return std::min(c.discount_value, total);
    return std::min(total * c.discount_value / 100, c.max_discount.value_or(total));
  }

  // The live answer `result` and the record the live path would have logged for it.
  template <class Answer, class R>
  void Expect(const Result<Answer>& result, const R& record) {
    if (result.ok()) {
      ++accepted_;
      CatchUp();
      return;
    }
    ++refusals_;
    uint64_t before = StateDigest(replica_);
    Status replayed = ReplayRecord(replica_, record, replica_lsn_ + 1);
    REQUIRE_MESSAGE(!replayed.ok(), "live refused (", result.status().message(),
                    ") but replay applied ", DescribeRecord(record));
    CHECK(replayed.code() == ErrorCode::kInternal);
    CHECK_MESSAGE(
        replayed.message().find("(" + result.status().message() + ")") != std::string::npos,
        "live: ", result.status().message(), "; replay: ", replayed.message());
    CHECK(StateDigest(replica_) == before);
  }

  // Replays what the live engine logged since the last call.
  void CatchUp() {
    for (const wal::MemoryJournal::Entry& e : f_.journal.Entries()) {
      if (e.lsn <= replica_lsn_) continue;
      Status s = ReplayRecord(replica_, static_cast<RecordType>(e.type), e.payload, e.lsn);
      REQUIRE_MESSAGE(s.ok(), s.message());
      replica_lsn_ = e.lsn;
    }
  }

  TimeMs Now() const { return f_.engine.Now(); }
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(size_t one_in) { return Below(one_in) == 0; }
  int64_t Pick(std::initializer_list<int64_t> values) {
    return values.begin()[Below(values.size())];
  }

  // An id from a small pool (so ids repeat: duplicates, known and unknown ones), or a
  // malformed one now and then.
  std::string Id(const std::vector<std::string>& pool) {
    if (Chance(25)) return "";
    if (Chance(25)) return std::string("bad\x01id");
    if (Chance(40)) return std::string(257, 'x');
    return pool[Below(pool.size())];
  }
  std::string Text() {
    if (Chance(20)) return "";
    if (Chance(20)) return std::string(257, 't');
    return "text " + std::to_string(Below(1000));
  }

  std::mt19937_64 rng_;
  EngineFixture f_;
  ManualClock replica_clock_{kStartMs};
  Engine replica_{EngineOptions{&replica_clock_, nullptr}};
  Lsn replica_lsn_ = 0;
  std::vector<std::string> users_{"u1", "u2", "u3", "u4"};
  std::vector<std::string> products_{"p1", "p2", "p3", "p4", "p5"};
  std::vector<std::string> orders_;
  std::vector<std::string> coupons_{"c1", "c2", "c3"};
  std::vector<UserCouponView> held_;  // issued, by any user
  int refusals_ = 0;
  int accepted_ = 0;
};

TEST_CASE("live and replay agree on every generated record: same refusals, same state") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    Agreement a(seed);
    std::mt19937_64 kinds(seed);
    for (int i = 0; i < 4000; ++i) {
      a.Step(static_cast<RecordType>(1 + kinds() % 11));
    }
    a.AdvanceToTheEnd();
    CHECK(a.accepted() > 500);
    CHECK(a.refusals() > 500);
    CHECK(StateDigest(a.live()) == StateDigest(a.replica()));
  }
}

}  // namespace
}  // namespace ecomm
