// Coupons under contention, each race held to the exact outcome a serial execution
// gives: a flash crowd never gets more than the campaign's coupons nor two for one user;
// one user coupon pays for one order at a time; snapshots taken while coupons are issued
// and used are each the exact state of the log at their LSN.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ecomm/database.h"
#include "replay.h"
#include "snapshot_loader.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"
#include "support/log_truth.h"
#include "support/random_mutations.h"
#include "support/seeded_database.h"
#include "support/shop.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

// Campaign `id` of `quantity` coupons, 100 off each.
NewCoupon Campaign(std::string id, Quantity quantity) {
  return NewCoupon{std::move(id), "Flash sale", DiscountType::kFixed, 100, quantity, 0, {}, {}, {}};
}

// The order in which users click: each of `single` users once, each of `repeaters`
// `clicks_each` times in a row, the groups shuffled. Dealt round robin to threads, a
// repeater's clicks run on different threads at the same moment.
std::vector<int> ClickOrder(int single, int repeaters, int clicks_each, uint64_t seed) {
  std::vector<int> groups(single + repeaters);
  std::iota(groups.begin(), groups.end(), 0);
  std::shuffle(groups.begin(), groups.end(), std::mt19937_64(seed));
  std::vector<int> clicks;
  for (int user : groups) clicks.insert(clicks.end(), user < single ? 1 : clicks_each, user);
  return clicks;
}

TEST_CASE("64 threads, 10 000 users and 500 repeat clickers on 1 000 coupons: exactly 1 000") {
  constexpr int kThreads = 64;
  constexpr int kSingle = 10'000;
  constexpr int kRepeaters = 500;
  constexpr int kClicksEach = 20;
  constexpr Quantity kCoupons = 1'000;
  EngineFixture f;
  for (int u = 0; u < kSingle + kRepeaters; ++u) f.AddUser(NumberedId("user", u));
  REQUIRE(f.engine.CreateCoupon(Campaign("flash", kCoupons)).ok());

  const std::vector<int> clicks = ClickOrder(kSingle, kRepeaters, kClicksEach, 7);
  std::vector<ErrorCode> answers(clicks.size());
  std::vector<Uuid> issued(clicks.size());
  RunConcurrently(kThreads, [&](int t) {
    for (size_t j = t; j < clicks.size(); j += kThreads) {
      auto r = f.engine.IssueCoupon("flash", NumberedId("user", clicks[j]));
      answers[j] = r.ok() ? ErrorCode::kOk : r.code();
      if (r.ok()) issued[j] = r->value.user_coupon_id;
    }
  });

  std::map<int, Uuid> winners;  // user -> the coupon a 200 gave them
  int sold_out = 0, already = 0, other = 0;
  for (size_t j = 0; j < clicks.size(); ++j) {
    if (answers[j] == ErrorCode::kOk) {
      CHECK_MESSAGE(winners.emplace(clicks[j], issued[j]).second, "two coupons for ", clicks[j]);
    } else if (answers[j] == ErrorCode::kCouponSoldOut) {
      ++sold_out;
    } else if (answers[j] == ErrorCode::kCouponAlreadyIssued) {
      ++already;
    } else {
      ++other;
    }
  }
  CHECK(static_cast<Quantity>(winners.size()) == kCoupons);
  CHECK(sold_out + already == static_cast<int>(clicks.size()) - kCoupons);
  CHECK(already > 0);  // the repeaters did race themselves
  CHECK(other == 0);
  // ALREADY_ISSUED went only to users who were given one.
  for (size_t j = 0; j < clicks.size(); ++j) {
    if (answers[j] == ErrorCode::kCouponAlreadyIssued) CHECK(winners.contains(clicks[j]));
  }
  CHECK(f.engine.GetCoupon("flash")->remaining_quantity == 0);
  // The wallets hold exactly what the answers gave.
  Quantity holders = 0;
  for (int u = 0; u < kSingle + kRepeaters; ++u) {
    auto wallet = f.engine.ListUserCoupons(NumberedId("user", u));
    REQUIRE(wallet.ok());
    REQUIRE(wallet->size() == (winners.contains(u) ? 1u : 0u));
    if (!wallet->empty()) CHECK((*wallet)[0].user_coupon_id == winners[u]);
    holders += static_cast<Quantity>(wallet->size());
  }
  CHECK(holders == kCoupons);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("32 threads ordering with one user coupon at once: exactly one SUCCESS, each round") {
  constexpr int kThreads = 32;
  constexpr int kRounds = 20;
  Shop f;  // u with 10 000; p at 250, ten in stock
  REQUIRE(f.engine.Restock("p", kRounds).ok());
  for (int round = 0; round < kRounds; ++round) {
    const std::string campaign = NumberedId("round", round);
    REQUIRE(f.engine.CreateCoupon(Campaign(campaign, 1)).ok());
    auto coupon = f.engine.IssueCoupon(campaign, "u");
    REQUIRE(coupon.ok());
    const OrderRequest request{"u", std::vector<OrderLine>{{"p", 1}}, false,
                               coupon->value.user_coupon_id.ToString()};
    std::atomic<int> success{0}, not_usable{0};
    std::mutex winner_mu;
    Uuid winner;
    RunConcurrently(kThreads, [&](int) {
      auto r = f.engine.PlaceOrder(request);
      if (r.ok() && r->value.status == OrderStatus::kSuccess) {
        ++success;
        std::lock_guard lock(winner_mu);
        winner = r->value.order_id;
      } else if (r.code() == ErrorCode::kCouponNotUsable) {
        ++not_usable;
      }
    });
    CHECK(success == 1);
    CHECK(not_usable == kThreads - 1);
    auto wallet = f.engine.ListUserCoupons("u");
    REQUIRE(wallet.ok());
    CHECK((*wallet)[0].order_id == winner);  // newest first: this round's
  }
  // Each round paid 250 - 100 once and took one unit once.
  CHECK(f.Balance("u") == 10'000 - kRounds * 150);
  CHECK(f.Stock("p") == 10);
  CHECK(f.engine.Counts().orders == kRounds);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

// Winners cancel at once, so the coupon keeps coming back while others try it. In the
// log's order (LSNs), orders with the coupon and cancels of them must alternate: never
// two SUCCESS orders holding it at once.
TEST_CASE("orders and cancels racing on one user coupon: it pays for one order at a time") {
  constexpr int kThreads = 16;
  constexpr int kTries = 60;
  Shop f;
  REQUIRE(f.engine.CreateCoupon(Campaign("once", 1)).ok());
  auto coupon = f.engine.IssueCoupon("once", "u");
  REQUIRE(coupon.ok());
  const OrderRequest request{"u", std::vector<OrderLine>{{"p", 1}}, false,
                             coupon->value.user_coupon_id.ToString()};
  std::mutex events_mu;
  std::vector<std::pair<Lsn, int>> events;  // +1: an order took the coupon, -1: gave it back
  std::atomic<int> other{0};
  RunConcurrently(kThreads, [&](int) {
    for (int i = 0; i < kTries; ++i) {
      auto r = f.engine.PlaceOrder(request);
      if (!r.ok()) {
        if (r.code() != ErrorCode::kCouponNotUsable) ++other;
        continue;
      }
      if (r->value.status != OrderStatus::kSuccess) ++other;
      auto cancelled = f.engine.CancelOrder(r->value.order_id.ToString());
      if (!cancelled.ok()) ++other;
      std::lock_guard lock(events_mu);
      events.emplace_back(r->ticket.lsn, +1);
      if (cancelled.ok()) events.emplace_back(cancelled->ticket.lsn, -1);
    }
  });
  CHECK(other == 0);
  std::sort(events.begin(), events.end());
  int held = 0;
  for (const auto& [lsn, change] : events) {
    held += change;
    REQUIRE_MESSAGE((held == 0 || held == 1), "LSN ", lsn, ": the coupon held by ", held);
  }
  CHECK(held == 0);
  CHECK(events.size() >= 2);
  // Every payment refunded, every unit back: money and stock conserved exactly.
  CHECK(f.Balance("u") == 10'000);
  CHECK(f.Stock("p") == 10);
  CHECK(f.engine.Counts().orders == events.size() / 2);
  CHECK(f.engine.ListUserCoupons("u")->at(0).status == UserCouponStatus::kAvailable);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

// Workers issue coupons of campaigns created meanwhile, use them and cancel some of the
// orders, while one thread takes snapshots and loads each one back at once: every
// snapshot must be the state a replay of the log reaches at its LSN.
TEST_CASE("a snapshot taken while coupons are issued and used is the log's state at its LSN") {
  constexpr int kWorkers = 3;
  constexpr int kSteps = 300;
  constexpr int kUsers = 48;
  constexpr size_t kLoadsKept = 25;  // each costs a replay at the end
  FaultFileSystem fs(41);
  DatabaseOptions options = QuietDatabaseOptions(fs);
  options.snapshot_chunk_bytes = 1024;  // accounts span chunks
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  Engine& engine = (*db)->engine();
  REQUIRE(SeedShopDurably(engine, ShopShape{.users = kUsers}));
  REQUIRE(engine.CreateCoupon(Campaign("c0", 40)).ok());

  std::atomic<int> campaigns{1}, running{kWorkers};
  std::vector<std::pair<Lsn, uint64_t>> loaded;  // snapshot LSN, digest of its load
  RunConcurrently(kWorkers + 1, [&](int t) {
    if (t == kWorkers) {
      while (running.load() > 0) {
        REQUIRE(db.value()->Snapshot().ok());
        if (loaded.size() == kLoadsKept) continue;
        auto load =
            LoadNewestSnapshot(&fs, "/db/snapshots", EngineOptions{}, [](const std::string&) {});
        REQUIRE(load.ok());
        REQUIRE(load->snapshot_lsn == db.value()->LastSnapshot().lsn);
        loaded.emplace_back(load->snapshot_lsn, StateDigest(*load->engine));
      }
      return;
    }
    std::mt19937_64 rng(100 + t);
    for (int i = 0; i < kSteps; ++i) {
      if (t == 0 && i % 40 == 39) {  // a campaign born while snapshots run
        auto created = engine.CreateCoupon(Campaign("c" + std::to_string(campaigns.load()), 40));
        REQUIRE(created.ok());
        ++campaigns;
      }
      const std::string user = "u" + std::to_string(rng() % kUsers);
      const std::string campaign = "c" + std::to_string(rng() % campaigns.load());
      auto issued = engine.IssueCoupon(campaign, user);
      if (!issued.ok()) continue;  // already issued or sold out
      auto order = engine.PlaceOrder(OrderRequest{user, std::vector<OrderLine>{{"p1", 2}}, false,
                                                  issued->value.user_coupon_id.ToString()});
      REQUIRE(order.ok());
      CommitTicket last = order->ticket;
      if (rng() % 3 == 0) {
        auto cancelled = engine.CancelOrder(order->value.order_id.ToString());
        REQUIRE(cancelled.ok());
        last = cancelled->ticket;
      }
      REQUIRE(engine.WaitDurable(last).ok());
    }
    --running;
  });
  auto flush = engine.Charge("u0", 1);  // durable: so is every record before it
  REQUIRE(flush.ok());
  REQUIRE(engine.WaitDurable(flush->ticket).ok());

  CHECK(loaded.size() > 1);
  const std::map<Lsn, LoggedRecord> log = FramesOf(fs.AppendHistory(".wal"));
  for (const auto& [lsn, digest] : loaded) {
    INFO("snapshot at LSN ", lsn);
    CHECK(digest == DigestOfPrefix(log, lsn));
  }
  CHECK(StateDigest(engine) == DigestOfPrefix(log, flush->ticket.lsn));
}

TEST_CASE("the digest taken while a crowd is issued coupons neither stops the engine nor differs") {
  // An issue may land on an account the digest has walked already: the digest is not a
  // cut then, and must say so by its value, never by stopping the process.
  constexpr int kUsers = 400;
  EngineFixture f;
  for (int u = 0; u < kUsers; ++u) f.AddUser(NumberedId("user", u));
  REQUIRE(f.engine.CreateCoupon(Campaign("flash", kUsers / 2)).ok());
  std::atomic<bool> digesting{false};
  std::atomic<int> issuers_left{4};
  int digests = 0;
  RunConcurrently(5, [&](int t) {
    if (t == 4) {
      do {
        digesting = true;
        StateDigest(f.engine);
        ++digests;
      } while (issuers_left.load() > 0);
      return;
    }
    while (!digesting.load()) std::this_thread::yield();  // the crowd meets a digest walking
    for (int u = t; u < kUsers; u += 4) (void)f.engine.IssueCoupon("flash", NumberedId("user", u));
    --issuers_left;
  });
  CHECK(digests > 0);
  CHECK(f.engine.GetCoupon("flash")->remaining_quantity == 0);
  // At rest, the digest is the log's: a replay of it gives the same.
  CHECK(StateDigest(f.engine) == f.ReplayedDigest());
}

}  // namespace
}  // namespace ecomm::testing
