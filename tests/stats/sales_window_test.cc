// SalesWindow: SPEC "Top products" computed from order events read in any order, any
// number of times, with event time as the clock.
#include "sales_window.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace ecomm::stats {

namespace {

using Totals = std::vector<std::pair<std::string, int64_t>>;  // productId, totalSales

TimeMs At(const char* text) {
  std::optional<TimeMs> t = ParseTime(text);
  REQUIRE(t);
  return *t;
}

std::vector<SaleLine> Lines(const Totals& lines) {
  std::vector<SaleLine> items;
  for (const auto& [id, quantity] : lines)
    items.push_back(SaleLine{id, "name of " + id, quantity, 100});
  return items;
}

OrderEvent Placed(const std::string& id, TimeMs order_date, const Totals& lines) {
  return OrderEvent{EventType::kPlaced, id, order_date, order_date, Lines(lines)};
}

OrderEvent Cancelled(const std::string& id, TimeMs order_date, TimeMs occurred_at,
                     const Totals& lines) {
  return OrderEvent{EventType::kCancelled, id, order_date, occurred_at, Lines(lines)};
}

Totals TopTotals(const SalesWindow& window, size_t k = 100) {
  Totals totals;
  for (const TopSeller& e : window.Top(k)) totals.emplace_back(e.product_id, e.total_sales);
  return totals;
}

using Outcome = SalesWindow::Outcome;

}  // namespace

TEST_CASE("a placement counts its units and its cancel takes them all back") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  CHECK(w.Apply(Placed("o1", t, {{"p1", 3}, {"p2", 1}})) == Outcome::kApplied);
  CHECK(w.Apply(Placed("o2", t + 1000, {{"p1", 2}})) == Outcome::kApplied);
  CHECK(TopTotals(w) == Totals{{"p1", 5}, {"p2", 1}});
  CHECK(w.Apply(Cancelled("o1", t, t + 60'000, {{"p1", 3}, {"p2", 1}})) == Outcome::kApplied);
  // p2 has no units left: it leaves the ranking instead of showing 0.
  CHECK(TopTotals(w) == Totals{{"p1", 2}});
  CHECK(w.Apply(Cancelled("o2", t + 1000, t + 61'000, {{"p1", 2}})) == Outcome::kApplied);
  CHECK(TopTotals(w).empty());
  CHECK(w.counts().applied == 4);
}

TEST_CASE("a cancel read before its placement nets the order to zero") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  CHECK(w.Apply(Cancelled("o1", t, t + 5000, {{"p1", 4}})) == Outcome::kApplied);
  CHECK(TopTotals(w).empty());
  CHECK(w.Apply(Placed("o1", t, {{"p1", 4}})) == Outcome::kApplied);
  CHECK(w.Apply(Placed("o2", t, {{"p1", 1}})) == Outcome::kApplied);
  CHECK(TopTotals(w) == Totals{{"p1", 1}});
  // Its repeats change nothing either.
  CHECK(w.Apply(Placed("o1", t, {{"p1", 4}})) == Outcome::kDuplicate);
  CHECK(w.Apply(Cancelled("o1", t, t + 5000, {{"p1", 4}})) == Outcome::kDuplicate);
  CHECK(TopTotals(w) == Totals{{"p1", 1}});
}

TEST_CASE("a repeated (orderId, eventType) is applied once") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  OrderEvent placed = Placed("o1", t, {{"p1", 2}});
  CHECK(w.Apply(placed) == Outcome::kApplied);
  CHECK(w.Apply(placed) == Outcome::kDuplicate);
  CHECK(w.Apply(placed) == Outcome::kDuplicate);
  CHECK(TopTotals(w) == Totals{{"p1", 2}});
  OrderEvent cancelled = Cancelled("o1", t, t + 1, {{"p1", 2}});
  CHECK(w.Apply(cancelled) == Outcome::kApplied);
  CHECK(w.Apply(cancelled) == Outcome::kDuplicate);
  CHECK(w.Apply(placed) == Outcome::kDuplicate);
  CHECK(TopTotals(w).empty());
  CHECK(w.counts().applied == 2);
  CHECK(w.counts().duplicate == 4);
}

TEST_CASE("a product twice in one order counts both lines, and its cancel takes both back") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  w.Apply(Placed("o1", t, {{"p1", 2}, {"p1", 3}}));
  CHECK(TopTotals(w) == Totals{{"p1", 5}});
  w.Apply(Cancelled("o1", t, t + 1, {{"p1", 5}}));
  CHECK(TopTotals(w).empty());
}

TEST_CASE("the window runs from now - 72 h (out) to now (in), to the minute") {
  // The clock is the newest occurredAt: 12:00:30, so the window starts with the
  // minute 72 h after 2026-11-27T12:00 (that minute itself is out).
  TimeMs now = At("2026-11-30T12:00:30.000Z");
  TimeMs exactly_72h = At("2026-11-27T12:00:30.000Z");
  SalesWindow w;
  CHECK(w.Apply(Placed("clock", now, {{"p0", 1}})) == Outcome::kApplied);
  CHECK(w.Apply(Placed("out", exactly_72h, {{"p1", 1}})) == Outcome::kExpired);
  CHECK(w.Apply(Placed("out-start-of-minute", At("2026-11-27T12:00:00.000Z"), {{"p1", 1}})) ==
        Outcome::kExpired);
  CHECK(w.Apply(Placed("in", exactly_72h + 60'000, {{"p2", 1}})) == Outcome::kApplied);
  CHECK(w.Apply(Placed("in-start-of-minute", At("2026-11-27T12:01:00.000Z"), {{"p3", 1}})) ==
        Outcome::kApplied);
  CHECK(TopTotals(w) == Totals{{"p0", 1}, {"p2", 1}, {"p3", 1}});
  CHECK(w.counts().expired == 2);
  // An event read late for an order dated before the window is not remembered: its
  // cancel is as expired as it was.
  CHECK(w.Apply(Cancelled("out", exactly_72h, now, {{"p1", 1}})) == Outcome::kExpired);

  // One minute later (an event occurring at 12:01:00) the 12:01 minute of three days ago
  // leaves: p2 and p3 go, with their orders, and a repeat of them is now expired.
  CHECK(w.tracked_orders() == 3);
  CHECK(w.Apply(Placed("next", At("2026-11-30T12:01:00.000Z"), {{"p0", 1}})) == Outcome::kApplied);
  CHECK(TopTotals(w) == Totals{{"p0", 2}});
  CHECK(w.tracked_orders() == 2);
  CHECK(w.Apply(Placed("in", exactly_72h + 60'000, {{"p2", 1}})) == Outcome::kExpired);
  CHECK(*w.clock() == At("2026-11-30T12:01:00.000Z"));
}

TEST_CASE("an event older than the clock does not move it back") {
  SalesWindow w;
  CHECK_FALSE(w.clock());
  TimeMs now = At("2026-11-30T12:00:00.000Z");
  w.Apply(Placed("new", now, {{"p1", 1}}));
  w.Apply(Placed("old", now - 3600'000, {{"p2", 1}}));
  CHECK(*w.clock() == now);
  CHECK(TopTotals(w) == Totals{{"p1", 1}, {"p2", 1}});
}

TEST_CASE("a cancel after the order's minute left the window changes nothing") {
  // Like the server: the units left with their minute; the cancel has nothing to take back.
  SalesWindow w;
  TimeMs placed_at = At("2026-11-27T12:00:00.000Z");
  w.Apply(Placed("old", placed_at, {{"p1", 5}}));
  w.Apply(Placed("recent", At("2026-11-30T11:00:00.000Z"), {{"p1", 1}}));
  CHECK(TopTotals(w) == Totals{{"p1", 6}});
  TimeMs late = At("2026-11-30T12:05:00.000Z");
  CHECK(w.Apply(Cancelled("old", placed_at, late, {{"p1", 5}})) == Outcome::kExpired);
  CHECK(TopTotals(w) == Totals{{"p1", 1}});
}

TEST_CASE("ties rank by productId ascending and only the top k are answered") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  w.Apply(Placed("o1", t, {{"p-c", 2}, {"p-a", 2}, {"p-b", 2}, {"p-z", 9}}));
  w.Apply(Placed("o2", t, {{"p-d", 1}, {"p-e", 1}, {"p-f", 3}}));
  CHECK(TopTotals(w, 5) == Totals{{"p-z", 9}, {"p-f", 3}, {"p-a", 2}, {"p-b", 2}, {"p-c", 2}});
  CHECK(TopTotals(w).size() == 7);
  // A cancel reorders: p-f drops below the products at 2 and p-d/p-e stay out of the top 5.
  w.Apply(Cancelled("o2", t, t + 1, {{"p-d", 1}, {"p-e", 1}, {"p-f", 3}}));
  CHECK(TopTotals(w, 5) == Totals{{"p-z", 9}, {"p-a", 2}, {"p-b", 2}, {"p-c", 2}});
}

TEST_CASE("name and price come from the latest event naming the product, by event time") {
  SalesWindow w;
  TimeMs t = At("2026-11-30T12:00:00.000Z");
  OrderEvent newer = Placed("o2", t + 1000, {{"p1", 1}});
  newer.items[0].name = "New name";
  newer.items[0].price = 250;
  OrderEvent older = Placed("o1", t, {{"p1", 1}});
  older.items[0].name = "Old name";
  older.items[0].price = 200;
  w.Apply(newer);
  w.Apply(older);  // read later, happened earlier
  std::vector<TopSeller> top = w.Top(5);
  REQUIRE(top.size() == 1);
  CHECK(top[0].name == "New name");
  CHECK(top[0].price == 250);
  CHECK(top[0].total_sales == 2);
}

TEST_CASE("memory follows the window: orders and minutes go as the clock moves on") {
  SalesWindow w;
  TimeMs start = At("2026-11-01T00:00:00.000Z");
  constexpr int64_t kHours = 24 * 10;
  for (int64_t h = 0; h < kHours; ++h) {
    w.Apply(Placed("o" + std::to_string(h), start + h * 3600'000, {{"p" + std::to_string(h), 1}}));
  }
  // The last event's hour and the 71 before it are in the window.
  CHECK(w.tracked_orders() == 72);
  CHECK(w.Top(1000).size() == 72);
}

}  // namespace ecomm::stats
