// Races on one account, one product, one order and one cart: each asserts the exact
// outcome a serial execution would give, not merely the absence of a crash.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

OrderRequest Buy(const std::string& user, std::vector<OrderLine> lines) {
  return OrderRequest{user, std::move(lines), false};
}

// Places one order per thread, each by its own user, and counts the outcomes.
struct Outcomes {
  std::atomic<int> success{0};
  std::atomic<int> out_of_stock{0};
  std::atomic<int> other{0};
};

void RaceBuyers(EngineFixture& f, int buyers, const std::string& product, Quantity each,
                Outcomes& out) {
  for (int i = 0; i < buyers; ++i) f.AddUser("buyer" + std::to_string(i), 1'000'000);
  RunConcurrently(buyers, [&](int i) {
    auto r = f.engine.PlaceOrder(Buy("buyer" + std::to_string(i), {{product, each}}));
    if (!r.ok()) {
      ++out.other;
    } else if (r->value.status == OrderStatus::kSuccess) {
      ++out.success;
    } else if (r->value.failure() == ErrorCode::kOutOfStock) {
      ++out.out_of_stock;
    } else {
      ++out.other;
    }
  });
}

TEST_CASE("64 threads charging one account: exact sum and a serial chain of balances") {
  EngineFixture f;
  f.AddUser("u");
  constexpr int kThreads = 64;
  constexpr int kCharges = 200;
  RunConcurrently(kThreads, [&](int t) {
    for (int i = 0; i < kCharges; ++i) REQUIRE(f.engine.Charge("u", t + 1).ok());
  });
  const Money expected = kCharges * (kThreads * (kThreads + 1) / 2);
  CHECK(f.Balance("u") == expected);

  auto page = f.engine.ListBalanceHistory("u", 100, std::nullopt);
  std::vector<BalanceEntryView> history;  // newest first
  while (true) {
    REQUIRE(page.ok());
    history.insert(history.end(), page->items.begin(), page->items.end());
    if (!page->next) break;
    page = f.engine.ListBalanceHistory("u", 100, page->next);
  }
  REQUIRE(history.size() == kThreads * kCharges);
  Money after = expected;
  for (const BalanceEntryView& e : history) {
    CHECK(e.type == TransactionType::kCharge);
    CHECK(e.balance_after == after);
    CHECK(e.balance_before == e.balance_after - e.amount);
    after = e.balance_before;
  }
  CHECK(after == 0);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("10 buyers for the last 5 units: exactly 5 succeed") {
  EngineFixture f;
  f.AddProduct("last", 100, 5);
  Outcomes out;
  RaceBuyers(f, 10, "last", 1, out);
  CHECK(out.success == 5);
  CHECK(out.out_of_stock == 5);
  CHECK(out.other == 0);
  CHECK(f.Stock("last") == 0);
}

TEST_CASE("5 orders of 3000 on a stock of 10000: exactly 3 succeed") {
  EngineFixture f;
  f.AddProduct("bulk", 1, 10'000);
  Outcomes out;
  RaceBuyers(f, 5, "bulk", 3'000, out);
  CHECK(out.success == 3);
  CHECK(out.out_of_stock == 2);
  CHECK(f.Stock("bulk") == 1'000);
}

TEST_CASE("crossed multi-product orders from 16 threads: no deadlock, exact stock") {
  EngineFixture f;
  const std::vector<std::string> products = {"a", "b", "c", "d", "e", "f"};
  constexpr Quantity kStock = 20'000;
  for (const std::string& p : products) f.AddProduct(p, 1, kStock);
  constexpr int kThreads = 16;
  for (int t = 0; t < kThreads; ++t) f.AddUser("x" + std::to_string(t), 1'000'000);
  std::vector<std::vector<Quantity>> sold(kThreads, std::vector<Quantity>(products.size()));
  RunConcurrently(kThreads, [&](int t) {
    for (int i = 0; i < 500; ++i) {
      // Each thread walks the products in its own rotation and direction, so the
      // request orders cross; the engine must lock them in one global order.
      std::vector<OrderLine> lines;
      for (size_t k = 0; k < 3; ++k) {
        size_t idx = (t % 2 == 0) ? (t + i + k) % products.size()
                                  : (products.size() * 4 - t - i - k) % products.size();
        lines.push_back(OrderLine{products[idx], static_cast<Quantity>(1 + (i + k) % 3)});
      }
      auto r = f.engine.PlaceOrder(Buy("x" + std::to_string(t), lines));
      REQUIRE(r.ok());
      if (r->value.status != OrderStatus::kSuccess) continue;
      for (const OrderItemView& item : r->value.items) {
        size_t idx =
            std::find(products.begin(), products.end(), item.product_id) - products.begin();
        sold[t][idx] += item.quantity;
      }
    }
  });
  for (size_t p = 0; p < products.size(); ++p) {
    Quantity total = 0;
    for (int t = 0; t < kThreads; ++t) total += sold[t][p];
    CHECK(f.Stock(products[p]) == kStock - total);
  }
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("readers never see negative stock or an order half-applied across products") {
  EngineFixture f;
  f.AddProduct("left", 1, 3'000);
  f.AddProduct("right", 1, 3'000);
  for (int t = 0; t < 3; ++t) f.AddUser("w" + std::to_string(t), 1'000'000);
  std::atomic<int> writers_left{3};
  std::atomic<int> torn{0}, negative{0}, reads{0};
  RunConcurrently(4, [&](int t) {
    if (t == 3) {  // the reader: both products move together, so a cut sees them equal
      do {
        auto all = f.engine.ListProducts(std::nullopt, std::nullopt);
        REQUIRE(all.ok());
        REQUIRE(all->size() == 2);
        if ((*all)[0].stock != (*all)[1].stock) ++torn;
        if ((*all)[0].stock < 0 || (*all)[1].stock < 0) ++negative;
        ++reads;
      } while (writers_left.load() > 0);
      return;
    }
    for (int i = 0; i < 1'200; ++i) {
      auto r = f.engine.PlaceOrder(Buy(
          "w" + std::to_string(t), {{i % 2 ? "left" : "right", 1}, {i % 2 ? "right" : "left", 1}}));
      REQUIRE(r.ok());
    }
    --writers_left;
  });
  CHECK(torn == 0);
  CHECK(negative == 0);
  CHECK(reads > 0);
  CHECK(f.Stock("left") == 0);
  CHECK(f.Stock("right") == 0);
}

// Runs `call` on 8 threads at once: exactly one result is `won`, and the 7 others
// `lost` (asked only of results that did not win).
template <class Call, class Won, class Lost>
void ExpectOneOfEightWins(const Call& call, const Won& won, const Lost& lost) {
  std::atomic<int> winners{0}, losers{0};
  RunConcurrently(8, [&](int) {
    auto r = call();
    if (won(r)) {
      ++winners;
    } else if (lost(r)) {
      ++losers;
    }
  });
  CHECK(winners == 1);
  CHECK(losers == 7);
}

TEST_CASE("8 threads cancelling one order: exactly one refund") {
  EngineFixture f;
  f.AddUser("u", 1'000);
  f.AddProduct("p", 100, 10);
  auto order = f.engine.PlaceOrder(Buy("u", {{"p", 3}}));
  REQUIRE(order.ok());
  std::string id = order->value.order_id.ToString();
  ExpectOneOfEightWins([&] { return f.engine.CancelOrder(id); },
                       [](const auto& r) { return r.ok(); },
                       [](const auto& r) { return r.code() == ErrorCode::kInvalidOrderState; });
  CHECK(f.Balance("u") == 1'000);
  CHECK(f.Stock("p") == 10);
}

TEST_CASE("8 threads checking out one cart: exactly one order") {
  EngineFixture f;
  f.AddUser("u", 10'000);
  f.AddProduct("p", 100, 50);
  REQUIRE(f.engine.AddToCart("u", "p", 4).ok());
  ExpectOneOfEightWins(
      [&] {
        return f.engine.PlaceOrder(OrderRequest{"u", std::nullopt, true});
      },
      [](const auto& r) { return r.ok() && r->value.status == OrderStatus::kSuccess; },
      [](const auto& r) { return !r.ok() && r.code() == ErrorCode::kInvalidRequest; });
  CHECK(f.Balance("u") == 9'600);
  CHECK(f.Stock("p") == 46);
}

TEST_CASE("8 threads retrying one keyed charge: applied once") {
  EngineFixture f;
  f.AddUser("u");
  IdempotencyKey key{"charge-once", "POST /balance/charge {amount:500}"};
  std::atomic<int> answered{0}, in_use{0};
  RunConcurrently(8, [&](int) {
    auto r = f.engine.Charge("u", 500, &key);
    if (r.ok()) {
      CHECK(r->value.current_balance == 500);
      ++answered;
    } else if (r.code() == ErrorCode::kIdempotencyKeyInUse) {
      ++in_use;
    }
  });
  CHECK(answered + in_use == 8);
  CHECK(answered >= 1);
  CHECK(f.Balance("u") == 500);
}

}  // namespace
}  // namespace ecomm::testing
