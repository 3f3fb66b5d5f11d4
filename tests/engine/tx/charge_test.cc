// Balances: the charge amount range, the 2^53-1 cap, and the balance history (newest
// first, signed amounts, a before/after chain, orderId only on PAYMENT and REFUND,
// pages with positions).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecomm/record.h"
#include "replay.h"
#include "support/engine_fixture.h"
#include "support/rich_account.h"

namespace ecomm::testing {
namespace {

Page<BalanceEntryView> History(const EngineFixture& f, size_t limit,
                               std::optional<uint64_t> position = std::nullopt) {
  auto page = f.engine.ListBalanceHistory("u", limit, position);
  REQUIRE_MESSAGE(page.ok(), page.status().message());
  return std::move(page).value();
}

std::vector<Money> Amounts(const Page<BalanceEntryView>& page) {
  std::vector<Money> amounts;
  for (const BalanceEntryView& e : page.items) amounts.push_back(e.amount);
  return amounts;
}

void ExpectCharged(EngineFixture& f, Money amount, Money balance) {
  auto charged = f.engine.Charge("u", amount);
  REQUIRE_MESSAGE(charged.ok(), charged.status().message());
  CHECK(charged->value.user_id == "u");
  CHECK(charged->value.current_balance == balance);
  CHECK_FALSE(charged->reanswered);
  CHECK(f.Balance("u") == balance);
}

void ExpectChargeRefused(EngineFixture& f, Money amount) {
  INFO("charge ", amount);
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.Charge("u", amount); });
}

OrderView PlaceOne(EngineFixture& f, const std::string& product, Quantity quantity) {
  auto placed =
      f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{product, quantity}}, false});
  REQUIRE_MESSAGE(placed.ok(), placed.status().message());
  return placed->value;
}

// Every entry's balanceBefore is the next older entry's balanceAfter, and each
// amount is the difference it made.
void CheckChain(const std::vector<BalanceEntryView>& newest_first) {
  for (size_t i = 0; i < newest_first.size(); ++i) {
    const BalanceEntryView& e = newest_first[i];
    CHECK(e.balance_after - e.balance_before == e.amount);
    if (i + 1 < newest_first.size()) CHECK(e.balance_before == newest_first[i + 1].balance_after);
  }
}

TEST_CASE("a charge is an integer from 1 to 10^9") {
  EngineFixture f;
  f.AddUser("u");
  f.clock.Advance(2'000);
  ExpectCharged(f, 1, 1);
  ExpectCharged(f, limits::kMaxChargeAmount, 1'000'000'001);
  CHECK(f.engine.GetBalance("u")->updated_at == kStartMs + 2'000);
  for (Money amount : {Money{0}, Money{-1}, limits::kMaxChargeAmount + 1, INT64_MIN, INT64_MAX}) {
    ExpectChargeRefused(f, amount);
  }
  CHECK(History(f, limits::kMaxPageLimit).items.size() == 2);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("charging or reading an unknown user is USER_NOT_FOUND") {
  EngineFixture f;
  f.AddUser("u", 10);
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.Charge("ghost", 5); });
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.GetBalance("ghost"); });
  ExpectRejected(f, ErrorCode::kUserNotFound,
                 [&] { return f.engine.ListBalanceHistory("ghost", 20, std::nullopt); });
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.Charge("", 5); });
}

// Refused as INVALID_REQUEST live, and as a record that does not fit in replay, with
// the same reason; nothing changes either way.
template <class Call>
void ExpectCapRefused(Engine& engine, const Record& record, Call&& call) {
  uint64_t before = StateDigest(engine);
  auto refused = call();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code() == ErrorCode::kInvalidRequest);
  Status replayed = ReplayRecord(engine, record, 1'000);
  CHECK(replayed.code() == ErrorCode::kInternal);
  CHECK(replayed.message().find(refused.status().message()) != std::string::npos);
  CHECK(StateDigest(engine) == before);
}

TEST_CASE("a charge that would take the balance past 2^53-1 is refused, reaching it is not") {
  auto engine = EngineWithBalance("u", limits::kMaxBalance - limits::kMaxChargeAmount + 1);
  auto record = [&](Money amount) {
    return ChargeRecord{engine->Now(), "u", amount, Uuid::Random(), std::nullopt};
  };
  ExpectCapRefused(*engine, record(limits::kMaxChargeAmount),
                   [&] { return engine->Charge("u", limits::kMaxChargeAmount); });  // 2^53
  auto charged = engine->Charge("u", limits::kMaxChargeAmount - 1);
  REQUIRE_MESSAGE(charged.ok(), charged.status().message());
  CHECK(charged->value.current_balance == 9'007'199'254'740'991);
  ExpectCapRefused(*engine, record(1), [&] { return engine->Charge("u", 1); });
}

// SPEC: "a balance never exceeds 2^53-1". The one other way up is a refund; the
// engine refuses such a cancel as INVALID_REQUEST (SPEC names no code for it).
TEST_CASE("a cancel whose refund would take the balance past 2^53-1 is refused") {
  auto engine = EngineWithBalance("u", limits::kMaxBalance - 50);
  REQUIRE(engine->CreateProduct(NewProduct{"p", "Pen", 100, 1}).ok());
  auto placed = engine->PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"p", 1}}, false});
  REQUIRE(placed.ok());
  REQUIRE(placed->value.status == OrderStatus::kSuccess);
  REQUIRE(engine->Charge("u", 150).ok());
  CHECK(engine->GetBalance("u")->current_balance == limits::kMaxBalance);
  std::string id = placed->value.order_id.ToString();
  ExpectCapRefused(*engine,
                   CancelOrderRecord{engine->Now(), placed->value.order_id, Uuid::Random(),
                                     ChangedBy::kUser, std::nullopt},
                   [&] { return engine->CancelOrder(id); });
  CHECK(engine->GetOrder(id)->status == OrderStatus::kSuccess);
  CHECK(engine->GetProduct("p")->stock == 0);
}

TEST_CASE("balance history lists CHARGE, PAYMENT and REFUND newest first") {
  EngineFixture f;
  f.AddUser("u");
  f.AddProduct("p", 100, 10);
  ExpectCharged(f, 500, 500);
  f.clock.Advance(1'000);
  OrderView order = PlaceOne(f, "p", 3);
  f.clock.Advance(1'000);
  REQUIRE(f.engine.CancelOrder(order.order_id.ToString()).ok());

  Page<BalanceEntryView> page = History(f, limits::kDefaultPageLimit);
  CHECK_FALSE(page.next.has_value());
  REQUIRE(page.items.size() == 3);
  const BalanceEntryView& refund = page.items[0];
  const BalanceEntryView& payment = page.items[1];
  const BalanceEntryView& charge = page.items[2];

  CHECK(refund.type == TransactionType::kRefund);
  CHECK(refund.amount == 300);
  CHECK(refund.balance_before == 200);
  CHECK(refund.balance_after == 500);
  CHECK(refund.created_at == kStartMs + 2'000);
  CHECK(refund.order_id == order.order_id);

  CHECK(payment.type == TransactionType::kPayment);
  CHECK(payment.amount == -300);  // a PAYMENT is negative
  CHECK(payment.balance_before == 500);
  CHECK(payment.balance_after == 200);
  CHECK(payment.created_at == kStartMs + 1'000);
  CHECK(payment.order_id == order.order_id);

  CHECK(charge.type == TransactionType::kCharge);
  CHECK(charge.amount == 500);
  CHECK(charge.balance_before == 0);
  CHECK(charge.balance_after == 500);
  CHECK(charge.created_at == kStartMs);
  CHECK_FALSE(charge.order_id.has_value());  // a CHARGE belongs to no order

  CheckChain(page.items);
  CHECK_FALSE(refund.transaction_id.IsNil());
  CHECK(refund.transaction_id != payment.transaction_id);
  CHECK(payment.transaction_id != charge.transaction_id);
  CHECK(f.Balance("u") == 500);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a FAILED order posts nothing to the balance history") {
  EngineFixture f;
  f.AddUser("u", 50);
  f.AddProduct("p", 100, 10);
  CHECK(PlaceOne(f, "p", 1).status == OrderStatus::kFailed);
  CHECK(Amounts(History(f, limits::kDefaultPageLimit)) == std::vector<Money>{50});
}

TEST_CASE("balance history pages walk newest to oldest through `next`") {
  EngineFixture f;
  f.AddUser("u");
  for (Money amount = 1; amount <= 5; ++amount) ExpectCharged(f, amount, amount * (amount + 1) / 2);

  Page<BalanceEntryView> first = History(f, 2);
  CHECK(Amounts(first) == std::vector<Money>{5, 4});
  REQUIRE(first.next.has_value());
  // A position stays valid while newer entries arrive: the next page is unchanged.
  ExpectCharged(f, 6, 21);
  Page<BalanceEntryView> second = History(f, 2, first.next);
  CHECK(Amounts(second) == std::vector<Money>{3, 2});
  REQUIRE(second.next.has_value());
  Page<BalanceEntryView> last = History(f, 2, second.next);
  CHECK(Amounts(last) == std::vector<Money>{1});
  CHECK_FALSE(last.next.has_value());

  CHECK(Amounts(History(f, 3)) == std::vector<Money>{6, 5, 4});
  Page<BalanceEntryView> all = History(f, limits::kMaxPageLimit);
  CHECK(Amounts(all) == std::vector<Money>{6, 5, 4, 3, 2, 1});
  CHECK_FALSE(all.next.has_value());
  CheckChain(all.items);
}

TEST_CASE("a history of many pages walks whole, in order, and survives replay") {
  // Longer than several of the chunks the history is kept in.
  EngineFixture f;
  f.AddUser("u");
  constexpr Money kCharges = 1000;
  for (Money amount = 1; amount <= kCharges; ++amount) {
    ExpectCharged(f, amount, amount * (amount + 1) / 2);
  }
  std::vector<BalanceEntryView> all;
  std::optional<uint64_t> position;
  do {
    Page<BalanceEntryView> page = History(f, limits::kMaxPageLimit, position);
    all.insert(all.end(), page.items.begin(), page.items.end());
    position = page.next;
  } while (position.has_value());
  REQUIRE(all.size() == kCharges);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].amount == kCharges - static_cast<Money>(i));
  CheckChain(all);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("with the default page size the history comes 20 entries at a time") {
  EngineFixture f;
  f.AddUser("u");
  for (int i = 0; i < 25; ++i) REQUIRE(f.engine.Charge("u", 1).ok());
  Page<BalanceEntryView> first = History(f, limits::kDefaultPageLimit);
  CHECK(first.items.size() == 20);
  REQUIRE(first.next.has_value());
  Page<BalanceEntryView> second = History(f, limits::kDefaultPageLimit, first.next);
  CHECK(second.items.size() == 5);
  CHECK(second.items.back().balance_before == 0);  // the oldest entry
  CHECK_FALSE(second.next.has_value());
}

TEST_CASE("a history page size outside 1..100 or a position never issued is INVALID_REQUEST") {
  EngineFixture f;
  f.AddUser("u");
  for (Money amount = 1; amount <= 5; ++amount) REQUIRE(f.engine.Charge("u", amount).ok());
  auto refuse = [&](size_t limit, std::optional<uint64_t> position) {
    INFO("limit ", limit, " position ", position.value_or(UINT64_MAX));
    ExpectRejected(f, ErrorCode::kInvalidRequest,
                   [&] { return f.engine.ListBalanceHistory("u", limit, position); });
  };
  refuse(0, std::nullopt);
  refuse(limits::kMaxPageLimit + 1, std::nullopt);
  refuse(2, 0);
  refuse(2, 6);  // beyond the five entries
  refuse(2, UINT64_MAX);
  CHECK(History(f, limits::kMaxPageLimit).items.size() == 5);
  CHECK(History(f, 1).items.size() == 1);
}

}  // namespace
}  // namespace ecomm::testing
