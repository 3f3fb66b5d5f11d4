// Top sellers under concurrent sales and cancels. A sale or cancel that finds the
// ranking's lock taken queues itself for the holder to apply; whatever the
// interleaving, once traffic stops the ranking is exactly the one a replay of the log
// computes, and a read in the middle never shows a cancel before its sale.
#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <string>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

TEST_CASE("concurrent sales and cancels leave the ranking a replay computes") {
  EngineFixture f;
  constexpr int kThreads = 4;
  constexpr int kProducts = 12;
  for (int p = 0; p < kProducts; ++p) f.AddProduct("p" + std::to_string(p), 1, 1'000'000);
  for (int t = 0; t < kThreads; ++t) f.AddUser("u" + std::to_string(t), 1'000'000'000);
  std::atomic<bool> done{false};
  std::atomic<int> writers{kThreads};
  RunConcurrently(kThreads + 1, [&](int t) {
    if (t == kThreads) {  // a reader: every answer is well formed, whatever is queued
      while (!done) {
        auto top = f.engine.TopSellers();
        REQUIRE(top.ok());
        for (const TopSeller& v : *top) CHECK(v.total_sales > 0);
      }
      return;
    }
    std::mt19937_64 rng(t);
    std::vector<std::string> placed;
    for (int i = 0; i < 1'500; ++i) {
      std::vector<OrderLine> lines;
      for (int line = 0; line < 1 + static_cast<int>(rng() % 5); ++line) {
        lines.push_back(OrderLine{"p" + std::to_string(rng() % kProducts), 1 + int(rng() % 3)});
      }
      auto order = f.engine.PlaceOrder(OrderRequest{"u" + std::to_string(t), lines, false});
      REQUIRE(order.ok());
      placed.push_back(order->value.order_id.ToString());
      if (rng() % 3 == 0) {
        // A second cancel of one order is INVALID_ORDER_STATE, and changes nothing.
        auto cancelled = f.engine.CancelOrder(placed[rng() % placed.size()]);
        CHECK((cancelled.ok() || cancelled.code() == ErrorCode::kInvalidOrderState));
      }
    }
    if (--writers == 0) done = true;
  });
  ManualClock replay_clock{kStartMs};
  Engine replica(EngineOptions{&replay_clock, nullptr});
  for (const wal::MemoryJournal::Entry& e : f.journal.Entries()) {
    REQUIRE(ReplayRecord(replica, static_cast<RecordType>(e.type), e.payload, e.lsn).ok());
  }
  auto live = f.engine.TopSellers();
  auto replayed = replica.TopSellers();
  REQUIRE(live.ok());
  REQUIRE(replayed.ok());
  REQUIRE(live->size() == replayed->size());
  for (size_t i = 0; i < live->size(); ++i) {
    CHECK((*live)[i].product_id == (*replayed)[i].product_id);
    CHECK((*live)[i].total_sales == (*replayed)[i].total_sales);
  }
}

}  // namespace
}  // namespace ecomm::testing
