// Top sellers: units of SUCCESS orders dated in (now - 72 h, now], to the minute;
// top 5, ties by productId ascending; FAILED orders never count and a cancelled
// order's units leave. The clock moves either by the injected ManualClock or by the
// engine's logged AdvanceClock.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

constexpr TimeMs kMinuteMs = 60'000;
constexpr TimeMs kWindowMs = 72 * 60 * kMinuteMs;
constexpr int64_t kWindowSeconds = 72 * 3600;

// A user rich enough for every order here and products a..g at 10, 1 000 of each.
struct Market : EngineFixture {
  Market() {
    AddUser("u", 1'000'000);
    for (const char* id : {"a", "b", "c", "d", "e", "f", "g"}) AddProduct(id, 10, 1'000);
  }
};

OrderView Sell(EngineFixture& f, const std::string& product, Quantity units) {
  auto placed =
      f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{product, units}}, false});
  REQUIRE_MESSAGE(placed.ok(), placed.status().message());
  return placed->value;
}

using Ranking = std::vector<std::pair<std::string, Quantity>>;

Ranking Top(const EngineFixture& f) {
  Ranking ranking;
  auto top = f.engine.TopSellers();
  REQUIRE(top.ok());
  for (const TopSeller& v : *top) {
    ranking.emplace_back(v.product_id, v.total_sales);
  }
  return ranking;
}

TEST_CASE("with no sales there are no top sellers") {
  Market f;
  CHECK(f.engine.TopSellers()->empty());
}

TEST_CASE("top sellers sum the units of SUCCESS orders per product") {
  Market f;
  Sell(f, "b", 2);
  Sell(f, "a", 1);
  Sell(f, "b", 3);
  auto placed =
      f.engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{"c", 4}, {"a", 1}}, false});
  REQUIRE(placed.ok());
  CHECK(Top(f) == Ranking{{"b", 5}, {"c", 4}, {"a", 2}});
  std::vector<TopSeller> top = f.engine.TopSellers().value();
  CHECK(top[0].name == "Product b");
  CHECK(top[0].price == 10);
}

TEST_CASE("only the top 5 are listed, ties broken by productId ascending") {
  Market f;
  Sell(f, "g", 7);
  Sell(f, "f", 3);
  Sell(f, "e", 3);
  Sell(f, "d", 3);
  Sell(f, "c", 1);
  Sell(f, "b", 5);
  Sell(f, "a", 1);
  CHECK(Top(f) == Ranking{{"g", 7}, {"b", 5}, {"d", 3}, {"e", 3}, {"f", 3}});
  // A later sale reorders the ranking.
  Sell(f, "a", 6);
  CHECK(Top(f) == Ranking{{"a", 7}, {"g", 7}, {"b", 5}, {"d", 3}, {"e", 3}});
}

TEST_CASE("FAILED orders are not counted") {
  Market f;
  f.AddUser("poor", 5);
  Sell(f, "a", 1);
  auto no_money =
      f.engine.PlaceOrder(OrderRequest{"poor", std::vector<OrderLine>{{"b", 1}}, false});
  REQUIRE(no_money.ok());
  CHECK(no_money->value.status == OrderStatus::kFailed);
  CHECK(Sell(f, "c", 1'001).status == OrderStatus::kFailed);  // out of stock
  CHECK(Top(f) == Ranking{{"a", 1}});
}

TEST_CASE("a cancelled order's units leave the top sellers") {
  Market f;
  OrderView first = Sell(f, "a", 4);
  Sell(f, "a", 1);
  OrderView only = Sell(f, "b", 2);
  REQUIRE(f.engine.CancelOrder(first.order_id.ToString()).ok());
  CHECK(Top(f) == Ranking{{"b", 2}, {"a", 1}});
  REQUIRE(f.engine.CancelOrder(only.order_id.ToString()).ok());
  CHECK(Top(f) == Ranking{{"a", 1}});
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an order counts for 72 hours from its minute, then drops out") {
  Market f;
  Sell(f, "a", 3);
  f.clock.Advance(kWindowMs - kMinuteMs);
  CHECK(Top(f) == Ranking{{"a", 3}});  // 71 h 59 min later
  f.clock.Advance(kMinuteMs);
  CHECK(Top(f).empty());  // exactly 72 h later
}

// Orders are bucketed by minute: one placed at 10:00:30 belongs to minute 10:00, so
// it leaves when the clock reaches 10:00:00 three days on, 30 s short of 72 h.
TEST_CASE("the window moves to the minute, not to the millisecond") {
  Market f;
  REQUIRE(kStartMs % kMinuteMs == 30'000);
  Sell(f, "a", 3);
  f.clock.Advance(kWindowMs - 30'001);
  CHECK(Top(f) == Ranking{{"a", 3}});
  f.clock.Advance(1);
  CHECK(Top(f).empty());
}

TEST_CASE("orders leave the window one by one as it slides") {
  Market f;
  Sell(f, "a", 3);
  f.clock.Advance(60 * kMinuteMs);
  Sell(f, "a", 2);
  Sell(f, "b", 4);
  CHECK(Top(f) == Ranking{{"a", 5}, {"b", 4}});
  f.clock.Advance(kWindowMs - 60 * kMinuteMs);  // 72 h after the first order
  CHECK(Top(f) == Ranking{{"b", 4}, {"a", 2}});
  f.clock.Advance(60 * kMinuteMs);
  CHECK(Top(f).empty());
  // New sales count again after the window emptied.
  Sell(f, "c", 1);
  CHECK(Top(f) == Ranking{{"c", 1}});
}

TEST_CASE("cancelling an order after its window has passed leaves the ranking alone") {
  Market f;
  OrderView old = Sell(f, "a", 3);
  f.clock.Advance(kWindowMs);
  Sell(f, "b", 1);
  CHECK(Top(f) == Ranking{{"b", 1}});
  REQUIRE(f.engine.CancelOrder(old.order_id.ToString()).ok());
  CHECK(Top(f) == Ranking{{"b", 1}});
  CHECK(f.Stock("a") == 1'000);  // the cancel itself still restored the stock
}

// The same cancellation, but the ranking was never read while the order was in the
// window, so no read has expired its minute yet.
TEST_CASE("cancelling an expired order that no read has expired yet leaves the ranking alone") {
  Market f;
  OrderView old = Sell(f, "a", 3);
  Sell(f, "c", 2);
  f.clock.Advance(kWindowMs);
  REQUIRE(f.engine.CancelOrder(old.order_id.ToString()).ok());
  Sell(f, "b", 1);
  CHECK(Top(f) == Ranking{{"b", 1}});
}

TEST_CASE("AdvanceClock moves the engine's time, is logged and slides the window") {
  Market f;
  Sell(f, "a", 2);
  const size_t records = f.journal.Entries().size();
  auto advanced = f.engine.AdvanceClock(kWindowSeconds - 60);
  REQUIRE(advanced.ok());
  CHECK(advanced->value == kStartMs + kWindowMs - kMinuteMs);
  CHECK(f.engine.Now() == advanced->value);
  CHECK(advanced->ticket.lsn == records + 1);
  CHECK(f.journal.Entries().size() == records + 1);
  CHECK(Top(f) == Ranking{{"a", 2}});

  // Orders placed now carry the advanced time.
  OrderView later = Sell(f, "b", 1);
  CHECK(later.order_date == kStartMs + kWindowMs - kMinuteMs);

  REQUIRE(f.engine.AdvanceClock(60).ok());
  CHECK(Top(f) == Ranking{{"b", 1}});
  // The offset adds to the injected clock rather than replacing it.
  f.clock.Advance(5'000);
  CHECK(f.engine.Now() == kStartMs + kWindowMs + 5'000);
  // The logged offset is part of the state a replica recovers.
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("AdvanceClock takes 1..10^9 seconds") {
  Market f;
  for (int64_t seconds : {int64_t{0}, int64_t{-1}, limits::kMaxClockAdvanceSeconds + 1}) {
    INFO("advance ", seconds);
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.AdvanceClock(seconds); });
  }
  CHECK(f.engine.Now() == kStartMs);
  REQUIRE(f.engine.AdvanceClock(1).ok());
  auto far = f.engine.AdvanceClock(limits::kMaxClockAdvanceSeconds);
  REQUIRE(far.ok());
  CHECK(far->value == kStartMs + 1'000 + 1'000'000'000'000);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

// One unit of "a" sold in each of `minutes` minutes, each a minute the top sellers
// keep; then the clock moves a whole window on, so that all of them are out of it.
void SellEachMinuteThenWaitAWindow(EngineFixture& f, uint64_t minutes) {
  for (uint64_t minute = 0; minute < minutes; ++minute) {
    Sell(f, "a", 1);
    f.clock.Advance(kMinuteMs);
  }
  CHECK(f.engine.Counts().top_seller_minutes == minutes);
  f.clock.Advance(kWindowMs);
}

TEST_CASE("minutes older than 72 h leave as sales and cancels move the clock, unread") {
  Market f;
  SellEachMinuteThenWaitAWindow(f, 100);
  OrderView last = Sell(f, "b", 1);  // no read of the top sellers in between
  CHECK(f.engine.Counts().top_seller_minutes == 1);
  f.clock.Advance(kWindowMs);
  REQUIRE(f.engine.CancelOrder(last.order_id.ToString()).ok());  // its minute has left too
  CHECK(f.engine.Counts().top_seller_minutes == 0);
  CHECK(Top(f).empty());
}

TEST_CASE("with no traffic at all, SweepExpired drops the minutes the clock retired") {
  Market f;
  SellEachMinuteThenWaitAWindow(f, 10);
  (void)f.engine.SweepExpired(0);
  CHECK(f.engine.Counts().top_seller_minutes == 0);
}

TEST_CASE("loading a snapshot keeps only the window's minutes, and the same ranking") {
  FaultFileSystem fs(3);
  ManualClock clock{kStartMs};
  DatabaseOptions options = SnapshotOnCloseOptions(fs, clock);
  std::vector<TopSeller> before;
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(engine.CreateUser(NewUser{"u", "U", "u@x"}).ok());
    REQUIRE(engine.Charge("u", 1'000'000).ok());
    for (const char* id : {"a", "b", "c"}) REQUIRE(engine.CreateProduct({id, id, 1, 1'000}).ok());
    for (int hour = 0; hour < 120; ++hour) {  // five days, one sale an hour
      const char* product = hour < 60 ? "a" : hour % 2 ? "b" : "c";
      REQUIRE(
          engine.PlaceOrder(OrderRequest{"u", std::vector<OrderLine>{{product, 1}}, false}).ok());
      clock.Advance(60 * kMinuteMs);
    }
    before = engine.TopSellers().value();
    REQUIRE((*db)->Close().ok());
  }
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  CHECK((*db)->engine().Counts().top_seller_minutes <= 72);
  std::vector<TopSeller> after = (*db)->engine().TopSellers().value();
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].product_id == before[i].product_id);
    CHECK(after[i].total_sales == before[i].total_sales);
  }
}

}  // namespace
}  // namespace ecomm::testing
