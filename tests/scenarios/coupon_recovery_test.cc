// What a restart keeps of coupons. A story of campaigns created, coupons issued, used,
// given back by a cancel, expired and sold out is cut by a crash after each of its steps
// with a snapshot there (and with none, and by a clean Close): the restarted engine reads
// the same campaigns, wallets and digest, and goes on by the same rules (the issued
// count, a used coupon's order, an idempotent issue). Then seeded power cuts in a flash
// crowd: recovery is a prefix of the log holding every acknowledged issue.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ecomm/database.h"
#include "replay.h"
#include "support/fault_file_system.h"
#include "support/log_truth.h"
#include "support/random_mutations.h"
#include "support/seeded_database.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

constexpr int64_t kHourSeconds = 3'600;
constexpr int kShopUsers = 6;  // ShopShape{}: u0..u5 with 50 000; p0..p4 at 10, 15, .., 30

std::string UserId(int i) { return "u" + std::to_string(i); }

// Everything a client reads of coupons, and the state's digest, as text: two engines
// that agree give the same text, and a difference names the line.
std::string Observe(Engine& engine) {
  std::string out = "digest " + std::to_string(StateDigest(engine)) + "\n";
  for (const char* id : {"fixed", "percent"}) {
    auto c = engine.GetCoupon(id);
    REQUIRE(c.ok());
    out += std::string(id) + " remaining " + std::to_string(c->remaining_quantity) + "\n";
  }
  for (int u = 0; u < kShopUsers; ++u) {
    auto wallet = engine.ListUserCoupons(UserId(u));
    REQUIRE(wallet.ok());
    for (const UserCouponView& c : *wallet) {
      out += c.user_id + " " + c.coupon_id + " " + c.user_coupon_id.ToString() + " " +
             std::string(Name(c.status)) + " issued " + std::to_string(c.issued_at) + " expires " +
             std::to_string(c.expires_at) + " used " + std::to_string(c.used_at.value_or(0)) +
             " by " + (c.order_id ? c.order_id->ToString() : "-") + "\n";
    }
  }
  return out;
}

// The story, one step at a time, on the seeded shop.
class CouponStory {
 public:
  static constexpr int kSteps = 12;
  static inline const IdempotencyKey kKey{"issue-u0", "POST /coupons/fixed/issue u0"};

  explicit CouponStory(Engine& engine) : engine_(engine) {}

  void Step(int step) {
    INFO("story step ", step);
    switch (step) {
      case 0:  // 4 coupons of 40 off
        Must(engine_.CreateCoupon(
            NewCoupon{"fixed", "40 off", DiscountType::kFixed, 40, 4, 0, {}, {}, {}}));
        break;
      case 1:  // 20% off at most 15 from 50, for an hour
        Must(
            engine_.CreateCoupon(NewCoupon{"percent", "20% off", DiscountType::kPercent, 20, 3, 50,
                                           15, std::nullopt, engine_.Now() + kHourSeconds * 1000}));
        break;
      case 2:
        fixed_[0] = Must(engine_.IssueCoupon("fixed", "u0", &kKey)).user_coupon_id.ToString();
        fixed_[1] = Must(engine_.IssueCoupon("fixed", "u1")).user_coupon_id.ToString();
        fixed_[2] = Must(engine_.IssueCoupon("fixed", "u2")).user_coupon_id.ToString();
        Must(engine_.IssueCoupon("percent", "u0"));
        percent_u1_ = Must(engine_.IssueCoupon("percent", "u1")).user_coupon_id.ToString();
        break;
      case 3:  // 30 - 30: free
        free_order_ = Order("u0", fixed_[0], {{"p0", 3}}, 0);
        break;
      case 4:  // 90 - 15 (18, capped)
        capped_order_ = Order("u1", percent_u1_, {{"p4", 3}}, 75);
        break;
      case 5: {  // FAILED: the coupon stays AVAILABLE
        Must(engine_.CreateProduct(NewProduct{"rare", "Rare", 100, 1}));
        auto failed = Must(engine_.PlaceOrder(
            OrderRequest{"u2", std::vector<OrderLine>{{"rare", 2}}, false, fixed_[2]}));
        REQUIRE(failed.failure() == ErrorCode::kOutOfStock);
        break;
      }
      case 6:  // u0's fixed coupon back
        Must(engine_.CancelOrder(free_order_));
        break;
      case 7:  // ... and used again: 80 - 40
        kept_order_ = Order("u0", fixed_[0], {{"p2", 4}}, 40);
        break;
      case 8:  // the percent campaign ends: u0's unused coupon reads EXPIRED
        Must(engine_.AdvanceClock(2 * kHourSeconds));
        break;
      case 9:  // given back after its expiresAt: u1's reads EXPIRED too
        Must(engine_.CancelOrder(capped_order_));
        break;
      case 10: {  // the last fixed coupon; then none is left
        Must(engine_.IssueCoupon("fixed", "u3"));
        auto sold_out = engine_.IssueCoupon("fixed", "u4");
        REQUIRE(sold_out.code() == ErrorCode::kCouponSoldOut);
        break;
      }
      case 11:  // a record after all that, so that every snapshot leaves a log tail
        Must(engine_.Charge("u5", 100));
        break;
    }
  }

  CommitTicket last() const { return last_; }
  const std::string& kept_order() const { return kept_order_; }
  const std::string& fixed_of_u0() const { return fixed_[0]; }
  const std::string& percent_of_u1() const { return percent_u1_; }

 private:
  template <class T>
  T Must(Result<Committed<T>> result) {
    REQUIRE_MESSAGE(result.ok(), result.status().message());
    last_ = result->ticket;
    return result->value;
  }

  std::string Order(const std::string& user, const std::string& coupon,
                    std::vector<OrderLine> lines, Money paid) {
    OrderView order = Must(engine_.PlaceOrder(OrderRequest{user, std::move(lines), false, coupon}));
    REQUIRE(order.status == OrderStatus::kSuccess);
    REQUIRE(order.total_price == paid);
    return order.order_id.ToString();
  }

  Engine& engine_;
  CommitTicket last_;
  std::string fixed_[3];
  std::string percent_u1_;
  std::string free_order_;
  std::string capped_order_;
  std::string kept_order_;
};

enum class Ending { kCrash, kClose };

// Runs the story on a seeded database, a snapshot after step `snapshot_after` (-1:
// none), then ends it by `ending`; restarts and checks that the engine reads and behaves
// the same.
void RestartAfterStory(int snapshot_after, Ending ending) {
  INFO("snapshot after step ", snapshot_after, ending == Ending::kCrash ? ", crash" : ", close");
  FaultFileSystem fs(static_cast<uint64_t>(snapshot_after + 2));
  const DatabaseOptions options = QuietDatabaseOptions(fs);
  std::string before;
  Lsn snapshot_lsn = 0;
  Lsn last = 0;
  std::string kept_order, fixed_of_u0, percent_of_u1;
  WithSeededDatabase(options, [&](Database& db, Engine& engine) {
    CouponStory story(engine);
    for (int step = 0; step < CouponStory::kSteps; ++step) {
      story.Step(step);
      if (step == snapshot_after) {
        REQUIRE(db.Snapshot().ok());
        snapshot_lsn = db.LastSnapshot().lsn;
      }
    }
    REQUIRE(engine.WaitDurable(story.last()).ok());
    last = story.last().lsn;
    before = Observe(engine);
    kept_order = story.kept_order();
    fixed_of_u0 = story.fixed_of_u0();
    percent_of_u1 = story.percent_of_u1();
    if (ending == Ending::kCrash) fs.Crash();  // no final snapshot: Close fails
  });
  if (ending == Ending::kCrash) fs.Reboot();
  if (ending == Ending::kClose) snapshot_lsn = last;

  auto db = Database::Open(options);
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  Engine& engine = (*db)->engine();
  CHECK((*db)->recovery().snapshot_lsn == snapshot_lsn);
  CHECK((*db)->recovery().records_replayed == last - snapshot_lsn);
  CHECK(Observe(engine) == before);

  // The recovered state goes on by the same rules.
  auto retry = engine.IssueCoupon("fixed", "u0", &CouponStory::kKey);
  REQUIRE_MESSAGE(retry.ok(), retry.status().message());
  CHECK(retry->reanswered);
  CHECK(retry->value.user_coupon_id.ToString() == fixed_of_u0);
  CHECK(engine.IssueCoupon("fixed", "u4").code() == ErrorCode::kCouponSoldOut);
  CHECK(engine.IssueCoupon("fixed", "u1").code() == ErrorCode::kCouponAlreadyIssued);
  CHECK(
      engine.PlaceOrder(OrderRequest{"u1", std::vector<OrderLine>{{"p4", 3}}, false, percent_of_u1})
          .code() == ErrorCode::kCouponNotUsable);
  auto cancelled = engine.CancelOrder(kept_order);
  REQUIRE_MESSAGE(cancelled.ok(), cancelled.status().message());
  auto wallet = engine.ListUserCoupons("u0");
  REQUIRE(wallet.ok());
  REQUIRE(wallet->size() == 2);
  CHECK((*wallet)[0].status == UserCouponStatus::kExpired);    // percent
  CHECK((*wallet)[1].status == UserCouponStatus::kAvailable);  // fixed, given back again
  CHECK((*wallet)[1].user_coupon_id.ToString() == fixed_of_u0);
}

TEST_CASE("coupons restart from the log alone as they were") {
  RestartAfterStory(-1, Ending::kCrash);
}

TEST_CASE("coupons restart from a snapshot after any step of the story plus the log after it") {
  for (int step = 0; step < CouponStory::kSteps; ++step) RestartAfterStory(step, Ending::kCrash);
}

TEST_CASE("coupons restart from the snapshot a clean Close writes") {
  RestartAfterStory(-1, Ending::kClose);
}

// Users u0..u39 race for 25 coupons, use some in orders and cancel some of those, until
// the power is cut before a random I/O operation; thread 0 also takes snapshots.
void PowerCutInFlashCrowd(uint64_t seed) {
  INFO("seed = ", seed);
  constexpr int kUsers = 40;
  constexpr int kThreads = 4;
  constexpr Quantity kCoupons = 25;
  FaultFileSystem fs(seed);
  std::mt19937_64 rng(seed);
  DatabaseOptions options = QuietDatabaseOptions(fs);
  options.segment_bytes = 1024 + rng() % 4096;  // segments roll and old ones go
  std::mutex acked_mu;
  std::map<std::string, std::string> acked;  // user -> userCouponId, issues made durable
  std::atomic<Lsn> max_acked{0};
  auto ack = [&](CommitTicket ticket) {
    Lsn seen = max_acked.load();
    while (ticket.lsn > seen && !max_acked.compare_exchange_weak(seen, ticket.lsn)) {
    }
  };
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(SeedShopDurably(engine, ShopShape{.users = kUsers}));
    auto campaign = engine.CreateCoupon(
        NewCoupon{"flash", "Flash", DiscountType::kFixed, 20, kCoupons, 0, {}, {}, {}});
    REQUIRE(campaign.ok());
    REQUIRE(engine.WaitDurable(campaign->ticket).ok());
    ack(campaign->ticket);
    fs.CrashBeforeOp(1 + rng() % 150);

    RunConcurrently(kThreads, [&](int t) {
      for (int i = 0; !fs.crashed(); ++i) {
        if (t == 0 && rng() % 16 == 0) (void)(*db)->Snapshot();  // thread 0 owns rng now
        const std::string user = UserId((t + kThreads * i) % kUsers);
        auto issued = engine.IssueCoupon("flash", user);
        if (issued.code() == ErrorCode::kUnavailable) break;  // the log failed
        // Every step logs something, so that the I/O reaches the crash point.
        Result<Committed<OrderView>> order = Status(ErrorCode::kInternal, "not placed");
        if (issued.ok()) {
          order = engine.PlaceOrder(OrderRequest{user, std::vector<OrderLine>{{"p1", 1}}, false,
                                                 issued->value.user_coupon_id.ToString()});
        }
        Result<CommitTicket> ticket = Status(ErrorCode::kUnavailable, "");
        if (order.ok() && i % 3 == 0) {
          auto cancelled = engine.CancelOrder(order->value.order_id.ToString());
          if (cancelled.ok()) ticket = cancelled->ticket;
        } else if (order.ok()) {
          ticket = order->ticket;
        } else if (auto charged = engine.Charge(user, 1); charged.ok()) {
          ticket = charged->ticket;
        }
        if (!ticket.ok() || !engine.WaitDurable(*ticket).ok()) break;
        ack(*ticket);
        if (issued.ok()) {  // durable with the later record of this thread
          std::lock_guard lock(acked_mu);
          acked[user] = issued->value.user_coupon_id.ToString();
        }
      }
    });
  }
  REQUIRE(fs.crashed());
  std::map<std::string, std::string> history = fs.AppendHistory(".wal");
  fs.Reboot();

  auto recovered = Database::Open(options);
  REQUIRE_MESSAGE(recovered.ok(), recovered.status().message());
  Engine& engine = (*recovered)->engine();
  Lsn last = (*recovered)->recovery().last_lsn;
  CHECK(last >= max_acked.load());
  CHECK(StateDigest(engine) == DigestOfPrefix(FramesOf(history), last));
  Quantity holders = 0;
  for (int u = 0; u < kUsers; ++u) {
    auto wallet = engine.ListUserCoupons(UserId(u));
    REQUIRE(wallet.ok());
    REQUIRE(wallet->size() <= 1);
    holders += static_cast<Quantity>(wallet->size());
    if (auto it = acked.find(UserId(u)); it != acked.end()) {
      REQUIRE(wallet->size() == 1);
      CHECK((*wallet)[0].user_coupon_id.ToString() == it->second);
    }
  }
  CHECK(holders <= kCoupons);
  CHECK(engine.GetCoupon("flash")->remaining_quantity == kCoupons - holders);
}

TEST_CASE("a power cut in a coupon flash crowd keeps a prefix with every acknowledged issue") {
  for (uint64_t seed = 1; seed <= 40; ++seed) PowerCutInFlashCrowd(seed);
}

}  // namespace
}  // namespace ecomm::testing
