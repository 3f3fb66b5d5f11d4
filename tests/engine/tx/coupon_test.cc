// Coupon campaigns and their coupons (SPEC "Coupons"): creating a campaign (defaults,
// every range, a taken id), issuing in SPEC's order of checks (campaign, user, active,
// already issued, sold out) with remainingQuantity counting down, issue retries under an
// Idempotency-Key, and a user's coupons as read at the engine's time (EXPIRED is only
// read, never written). Orders with coupons: coupon_order_test.cc.
#include <functional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"

namespace ecomm::testing {
namespace {

constexpr TimeMs kHourMs = 3'600'000;

// Campaign `id`: FIXED 100 off, `quantity` coupons, valid from now for 30 days.
NewCoupon Campaign(std::string id, Quantity quantity = 3) {
  NewCoupon campaign;
  campaign.coupon_id = std::move(id);
  campaign.name = "Spring sale";
  campaign.discount_value = 100;
  campaign.total_quantity = quantity;
  return campaign;
}

CouponView Create(EngineFixture& f, const NewCoupon& campaign) {
  auto created = f.engine.CreateCoupon(campaign);
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  return created->value;
}

UserCouponView Issue(EngineFixture& f, const std::string& coupon, const std::string& user,
                     const IdempotencyKey* key = nullptr) {
  auto issued = f.engine.IssueCoupon(coupon, user, key);
  REQUIRE_MESSAGE(issued.ok(), issued.status().message());
  CHECK_FALSE(issued->reanswered);
  return issued->value;
}

void ExpectIssueRefused(EngineFixture& f, ErrorCode code, const std::string& coupon,
                        const std::string& user, const IdempotencyKey* key = nullptr) {
  INFO("issue of '", coupon, "' to '", user, "'");
  ExpectRejected(f, code, [&] { return f.engine.IssueCoupon(coupon, user, key); });
}

Quantity Remaining(const EngineFixture& f, const std::string& coupon) {
  auto campaign = f.engine.GetCoupon(coupon);
  REQUIRE_MESSAGE(campaign.ok(), campaign.status().message());
  return campaign->remaining_quantity;
}

// A new campaign's view: `given`'s fields, its times `from` and `until`, every coupon left.
void CheckCampaign(const CouponView& c, const NewCoupon& given, TimeMs from, TimeMs until) {
  CHECK(c.name == given.name);
  CHECK(c.discount_type == given.discount_type);
  CHECK(c.discount_value == given.discount_value);
  CHECK(c.total_quantity == given.total_quantity);
  CHECK(c.remaining_quantity == given.total_quantity);
  CHECK(c.min_order_amount == given.min_order_amount);
  CHECK(c.max_discount == given.max_discount);
  CHECK(c.valid_from == from);
  CHECK(c.valid_until == until);
}

std::vector<UserCouponView> Wallet(const EngineFixture& f, const std::string& user) {
  auto held = f.engine.ListUserCoupons(user);
  REQUIRE_MESSAGE(held.ok(), held.status().message());
  return std::move(held).value();
}

std::vector<UserCouponStatus> Statuses(const std::vector<UserCouponView>& wallet) {
  std::vector<UserCouponStatus> statuses;
  for (const UserCouponView& c : wallet) statuses.push_back(c.status);
  return statuses;
}

std::vector<std::string> CampaignsOf(const std::vector<UserCouponView>& wallet) {
  std::vector<std::string> ids;
  for (const UserCouponView& c : wallet) ids.push_back(c.coupon_id);
  return ids;
}

TEST_CASE("a campaign without times runs from now for 30 days with every coupon remaining") {
  EngineFixture f;
  f.clock.Advance(1'234);
  const TimeMs now = kStartMs + 1'234;
  const size_t records = f.journal.Entries().size();
  NewCoupon campaign = Campaign("ignored", 500);
  campaign.coupon_id.reset();  // the engine names it
  auto created = f.engine.CreateCoupon(campaign);
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  CHECK(created->ticket.lsn == records + 1);
  CHECK(f.journal.Entries().size() == records + 1);

  const CouponView& c = created->value;
  REQUIRE(Uuid::Parse(c.coupon_id).has_value());
  CHECK(c.coupon_id[14] == '4');  // a version 4 UUID
  CheckCampaign(c, campaign, now, now + 30 * 24 * kHourMs);
  CHECK(c.created_at == now);

  auto read = f.engine.GetCoupon(c.coupon_id);
  REQUIRE(read.ok());
  CHECK(read->coupon_id == c.coupon_id);
  CHECK(read->remaining_quantity == 500);
  CHECK(read->valid_until == c.valid_until);
  CHECK(f.engine.Counts().coupons == 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a campaign keeps every field it was given") {
  EngineFixture f;
  NewCoupon given{.coupon_id = "pct",
                  .name = "15% off, at most 200",
                  .discount_type = DiscountType::kPercent,
                  .discount_value = 15,
                  .total_quantity = 7,
                  .min_order_amount = 500,
                  .max_discount = 200,
                  .valid_from = kStartMs + kHourMs,
                  .valid_until = kStartMs + 2 * kHourMs};
  CouponView c = Create(f, given);
  CHECK(c.coupon_id == "pct");
  CheckCampaign(c, given, kStartMs + kHourMs, kStartMs + 2 * kHourMs);  // it may start later
  CHECK(c.created_at == kStartMs);
  CHECK(f.engine.GetCoupon("pct")->max_discount == 200);
}

// Each limit of SPEC's create rule, just past it; the values at the limits are accepted
// (the next test), so these refusals are the limits and nothing broader.
TEST_CASE("every field of a campaign out of range is INVALID_REQUEST and creates nothing") {
  EngineFixture f;
  const NewCoupon fixed = Campaign("bad");
  NewCoupon percent = fixed;
  percent.discount_type = DiscountType::kPercent;
  percent.discount_value = 10;
  auto refuse = [&](const char* what, NewCoupon campaign,
                    const std::function<void(NewCoupon&)>& change) {
    INFO(what);
    change(campaign);
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.CreateCoupon(campaign); });
  };
  refuse("PERCENT 0", percent, [](NewCoupon& c) { c.discount_value = 0; });
  refuse("PERCENT 101", percent, [](NewCoupon& c) { c.discount_value = 101; });
  refuse("FIXED 0", fixed, [](NewCoupon& c) { c.discount_value = 0; });
  refuse("FIXED -1", fixed, [](NewCoupon& c) { c.discount_value = -1; });
  refuse("FIXED 10^9+1", fixed, [](NewCoupon& c) { c.discount_value = 1'000'000'001; });
  refuse("totalQuantity 0", fixed, [](NewCoupon& c) { c.total_quantity = 0; });
  refuse("totalQuantity 10^9+1", fixed, [](NewCoupon& c) { c.total_quantity = 1'000'000'001; });
  refuse("minOrderAmount -1", fixed, [](NewCoupon& c) { c.min_order_amount = -1; });
  refuse("minOrderAmount 2^53", fixed,
         [](NewCoupon& c) { c.min_order_amount = limits::kMaxJsonInteger + 1; });
  refuse("maxDiscount 0", percent, [](NewCoupon& c) { c.max_discount = 0; });
  refuse("maxDiscount -1", percent, [](NewCoupon& c) { c.max_discount = -1; });
  refuse("maxDiscount 10^9+1", percent, [](NewCoupon& c) { c.max_discount = 1'000'000'001; });
  refuse("maxDiscount on FIXED", fixed, [](NewCoupon& c) { c.max_discount = 50; });
  refuse("maxDiscount 0 on FIXED", fixed, [](NewCoupon& c) { c.max_discount = 0; });
  refuse("validFrom == validUntil", fixed, [](NewCoupon& c) {
    c.valid_from = kStartMs + kHourMs;
    c.valid_until = kStartMs + kHourMs;
  });
  refuse("validFrom > validUntil", fixed, [](NewCoupon& c) {
    c.valid_from = kStartMs + 2 * kHourMs;
    c.valid_until = kStartMs + kHourMs;
  });
  // validFrom defaults to now, so a validUntil not after now is refused too.
  refuse("validUntil == now", fixed, [](NewCoupon& c) { c.valid_until = kStartMs; });
  refuse("empty name", fixed, [](NewCoupon& c) { c.name.clear(); });
  refuse("name of 257 bytes", fixed, [](NewCoupon& c) { c.name.assign(257, 'n'); });
  refuse("empty couponId", fixed, [](NewCoupon& c) { c.coupon_id = ""; });
  CHECK(f.engine.Counts().coupons == 0);
  ExpectRejected(f, ErrorCode::kCouponNotFound, [&] { return f.engine.GetCoupon("bad"); });
}

// An embedder may hand the engine any value of the enum's byte. The record decoder takes
// only FIXED and PERCENT, so a campaign of another type that the live path logged would
// stop recovery; live it would be screened as FIXED (1..10^9) yet discount as PERCENT.
TEST_CASE("a campaign of no known discount type is INVALID_REQUEST, as replay cannot read it") {
  EngineFixture f;
  NewCoupon unknown = Campaign("odd");
  unknown.discount_type = static_cast<DiscountType>(2);
  EngineFixture::Fingerprint before = f.Snapshot();
  auto created = f.engine.CreateCoupon(unknown);
  CHECK(created.code() == ErrorCode::kInvalidRequest);
  CHECK(f.Snapshot() == before);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));  // the log replays
}

TEST_CASE("a campaign may sit at every limit of its fields") {
  EngineFixture f;
  int n = 0;
  auto accept = [&](const char* what, DiscountType type, int64_t value,
                    const std::function<void(NewCoupon&)>& change) {
    INFO(what);
    NewCoupon campaign = Campaign("edge" + std::to_string(n++));
    campaign.discount_type = type;
    campaign.discount_value = value;
    change(campaign);
    CouponView c = Create(f, campaign);
    CHECK(c.discount_value == value);
    CHECK(c.total_quantity == campaign.total_quantity);
    CHECK(c.min_order_amount == campaign.min_order_amount);
    CHECK(c.max_discount == campaign.max_discount);
  };
  auto same = [](NewCoupon&) {};
  accept("PERCENT 1", DiscountType::kPercent, 1, same);
  accept("PERCENT 100", DiscountType::kPercent, 100, same);
  accept("FIXED 1", DiscountType::kFixed, 1, same);
  accept("FIXED 10^9", DiscountType::kFixed, 1'000'000'000, same);
  accept("totalQuantity 1", DiscountType::kFixed, 5, [](NewCoupon& c) { c.total_quantity = 1; });
  accept("totalQuantity 10^9", DiscountType::kFixed, 5,
         [](NewCoupon& c) { c.total_quantity = 1'000'000'000; });
  accept("minOrderAmount 2^53-1", DiscountType::kFixed, 5,
         [](NewCoupon& c) { c.min_order_amount = limits::kMaxJsonInteger; });
  accept("maxDiscount 1", DiscountType::kPercent, 50, [](NewCoupon& c) { c.max_discount = 1; });
  accept("maxDiscount 10^9", DiscountType::kPercent, 50,
         [](NewCoupon& c) { c.max_discount = 1'000'000'000; });
  accept("validUntil 1 ms after validFrom", DiscountType::kFixed, 5, [](NewCoupon& c) {
    c.valid_from = kStartMs + kHourMs;
    c.valid_until = kStartMs + kHourMs + 1;
  });
  CHECK(f.engine.Counts().coupons == 10);
  CHECK(Remaining(f, "edge5") == 1'000'000'000);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a campaign under a taken couponId is ALREADY_EXISTS and the first one stays") {
  EngineFixture f;
  Create(f, Campaign("c", 3));
  NewCoupon again = Campaign("c", 9);
  again.name = "Other sale";
  ExpectRejected(f, ErrorCode::kAlreadyExists, [&] { return f.engine.CreateCoupon(again); });
  auto read = f.engine.GetCoupon("c");
  REQUIRE(read.ok());
  CHECK(read->name == "Spring sale");
  CHECK(read->total_quantity == 3);
  CHECK(f.engine.Counts().coupons == 1);
}

TEST_CASE("reading an unknown campaign is COUPON_NOT_FOUND") {
  EngineFixture f;
  Create(f, Campaign("c"));
  for (const char* id : {"ghost", "", "C", "c "}) {
    INFO("campaign '", id, "'");
    ExpectRejected(f, ErrorCode::kCouponNotFound, [&] { return f.engine.GetCoupon(id); });
  }
}

TEST_CASE("issue gives each user an AVAILABLE coupon expiring with its campaign, one less left") {
  EngineFixture f;
  CouponView campaign = Create(f, Campaign("c", 3));
  std::vector<Uuid> ids;
  for (const char* user : {"a", "b", "e", "d"}) f.AddUser(user);
  for (const char* user : {"a", "b", "e"}) {
    f.clock.Advance(1'000);
    const size_t records = f.journal.Entries().size();
    const Quantity before = Remaining(f, "c");
    auto issued = f.engine.IssueCoupon("c", user);
    REQUIRE_MESSAGE(issued.ok(), issued.status().message());
    CHECK(issued->ticket.lsn == records + 1);
    CHECK(f.journal.Entries().size() == records + 1);
    const UserCouponView& uc = issued->value;
    CHECK_FALSE(uc.user_coupon_id.IsNil());
    CHECK(uc.user_coupon_id.ToString()[14] == '4');
    CHECK(uc.coupon_id == "c");
    CHECK(uc.user_id == user);
    CHECK(uc.status == UserCouponStatus::kAvailable);
    CHECK(uc.issued_at == f.engine.Now());
    CHECK(uc.expires_at == campaign.valid_until);
    CHECK_FALSE(uc.used_at.has_value());
    CHECK_FALSE(uc.order_id.has_value());
    CHECK(Remaining(f, "c") == before - 1);
    ids.push_back(uc.user_coupon_id);
    // The wallet holds what issue answered.
    std::vector<UserCouponView> wallet = Wallet(f, user);
    REQUIRE(wallet.size() == 1);
    CHECK(wallet[0].user_coupon_id == uc.user_coupon_id);
    CHECK(wallet[0].issued_at == uc.issued_at);
  }
  CHECK(ids[0] != ids[1]);
  CHECK(ids[1] != ids[2]);
  CHECK(ids[0] != ids[2]);
  CHECK(Remaining(f, "c") == 0);
  ExpectIssueRefused(f, ErrorCode::kCouponSoldOut, "c", "d");
  CHECK(Wallet(f, "d").empty());
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("issue checks in SPEC's order: campaign, user, active, already issued, sold out") {
  EngineFixture f;
  f.AddUser("a");
  f.AddUser("b");
  const TimeMs from = kStartMs + kHourMs;
  const TimeMs until = kStartMs + 2 * kHourMs;
  NewCoupon later = Campaign("later", 1);
  later.valid_from = from;
  later.valid_until = until;
  Create(f, later);

  ExpectIssueRefused(f, ErrorCode::kCouponNotFound, "ghost", "ghost");
  ExpectIssueRefused(f, ErrorCode::kCouponNotFound, "ghost", "a");
  ExpectIssueRefused(f, ErrorCode::kUserNotFound, "later", "ghost");  // not active either
  ExpectIssueRefused(f, ErrorCode::kCouponNotActive, "later", "a");
  f.clock.Set(from - 1);
  ExpectIssueRefused(f, ErrorCode::kCouponNotActive, "later", "a");
  f.clock.Set(from);  // validFrom is in the window
  Issue(f, "later", "a");
  ExpectIssueRefused(f, ErrorCode::kCouponAlreadyIssued, "later", "a");  // and sold out
  ExpectIssueRefused(f, ErrorCode::kCouponSoldOut, "later", "b");
  f.clock.Set(until - 1);
  ExpectIssueRefused(f, ErrorCode::kCouponSoldOut, "later", "b");
  f.clock.Set(until);  // validUntil is not
  ExpectIssueRefused(f, ErrorCode::kCouponNotActive, "later", "b");
  ExpectIssueRefused(f, ErrorCode::kCouponNotActive, "later", "a");
  ExpectIssueRefused(f, ErrorCode::kUserNotFound, "later", "ghost");
  CHECK(Remaining(f, "later") == 0);
  CHECK(Wallet(f, "a").size() == 1);
  CHECK(Wallet(f, "b").empty());
}

TEST_CASE("a user holds one coupon of each campaign: other campaigns still issue to them") {
  EngineFixture f;
  f.AddUser("a");
  Create(f, Campaign("one"));
  Create(f, Campaign("two"));
  UserCouponView first = Issue(f, "one", "a");
  ExpectIssueRefused(f, ErrorCode::kCouponAlreadyIssued, "one", "a");
  UserCouponView second = Issue(f, "two", "a");
  CHECK(first.user_coupon_id != second.user_coupon_id);
  CHECK(Remaining(f, "one") == 2);
  CHECK(Remaining(f, "two") == 2);
  CHECK(Wallet(f, "a").size() == 2);
}

TEST_CASE("a retried issue answers the first coupon and issues nothing more") {
  EngineFixture f;
  f.AddUser("a", 1'000);
  f.AddProduct("p", 250, 10);
  Create(f, Campaign("c", 1));  // the retry comes when none is left
  const IdempotencyKey key{"issue-1", "POST /coupons/c/issue a"};
  auto issue = [&] { return f.engine.IssueCoupon("c", "a", &key); };
  auto first = issue();
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK_FALSE(first->reanswered);
  // The coupon is used since, and time moves on: the retry is still the first answer.
  auto order = f.engine.PlaceOrder(OrderRequest{"a", std::vector<OrderLine>{{"p", 1}}, false,
                                                first->value.user_coupon_id.ToString()});
  REQUIRE(order.ok());
  REQUIRE(order->value.status == OrderStatus::kSuccess);
  f.clock.Advance(60'000);

  EngineFixture::Fingerprint before = f.Snapshot();
  auto retry = issue();
  REQUIRE_MESSAGE(retry.ok(), retry.status().message());
  CHECK(retry->reanswered);
  CHECK(retry->ticket.lsn == first->ticket.lsn);
  CHECK(f.Snapshot() == before);
  const UserCouponView& again = retry->value;
  CHECK(again.user_coupon_id == first->value.user_coupon_id);
  CHECK(again.coupon_id == "c");
  CHECK(again.user_id == "a");
  CHECK(again.status == UserCouponStatus::kAvailable);
  CHECK(again.issued_at == first->value.issued_at);
  CHECK(again.expires_at == first->value.expires_at);
  CHECK_FALSE(again.used_at.has_value());
  CHECK(Remaining(f, "c") == 0);
  CHECK(Wallet(f, "a").size() == 1);

  const IdempotencyKey other{"issue-1", "POST /coupons/c/issue b"};
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.IssueCoupon("c", "a", &other); });
}

// SPEC: rejected requests (404, 409 COUPON_*) are not stored under their key.
TEST_CASE("a refused issue is not stored under its key: the retry once the cause is gone issues") {
  EngineFixture f;
  NewCoupon later = Campaign("later", 1);
  later.valid_from = kStartMs + kHourMs;
  Create(f, later);
  f.AddUser("a");
  const IdempotencyKey key{"k", "POST /coupons/later/issue"};
  SUBCASE("an unknown campaign, then created") {
    ExpectIssueRefused(f, ErrorCode::kCouponNotFound, "soon", "a", &key);
    Create(f, Campaign("soon"));
    CHECK(Issue(f, "soon", "a", &key).coupon_id == "soon");
    CHECK(Remaining(f, "soon") == 2);
  }
  SUBCASE("an unknown user, then created") {
    f.clock.Set(kStartMs + kHourMs);
    ExpectIssueRefused(f, ErrorCode::kUserNotFound, "later", "late", &key);
    f.AddUser("late");
    CHECK(Issue(f, "later", "late", &key).user_id == "late");
  }
  SUBCASE("a campaign not yet active, then started") {
    ExpectIssueRefused(f, ErrorCode::kCouponNotActive, "later", "a", &key);
    f.clock.Set(kStartMs + kHourMs);
    Issue(f, "later", "a", &key);
  }
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a user's coupons are listed newest first, EXPIRED read from expiresAt on, unwritten") {
  EngineFixture f;
  f.AddUser("u", 1'000);
  f.AddUser("v");
  f.AddProduct("p", 250, 10);
  for (int hours : {1, 2, 3}) {
    NewCoupon c = Campaign("h" + std::to_string(hours));
    c.valid_until = kStartMs + hours * kHourMs;
    Create(f, c);
  }
  Issue(f, "h1", "u");
  f.clock.Advance(1'000);
  UserCouponView used = Issue(f, "h2", "u");
  f.clock.Advance(1'000);
  Issue(f, "h3", "u");
  Issue(f, "h2", "v");  // another user's coupons are not listed
  CHECK(Wallet(f, "u").size() == 3);
  CHECK(CampaignsOf(Wallet(f, "u")) == std::vector<std::string>{"h3", "h2", "h1"});
  CHECK(Statuses(Wallet(f, "u")) == std::vector<UserCouponStatus>(3, UserCouponStatus::kAvailable));

  auto order = f.engine.PlaceOrder(
      OrderRequest{"u", std::vector<OrderLine>{{"p", 1}}, false, used.user_coupon_id.ToString()});
  REQUIRE(order.ok());
  REQUIRE(order->value.status == OrderStatus::kSuccess);
  std::vector<UserCouponView> wallet = Wallet(f, "u");
  REQUIRE(wallet.size() == 3);
  CHECK(wallet[1].status == UserCouponStatus::kUsed);
  CHECK(wallet[1].order_id == order->value.order_id);
  CHECK(wallet[1].used_at == kStartMs + 2'000);
  CHECK_FALSE(wallet[0].used_at.has_value());
  CHECK_FALSE(wallet[0].order_id.has_value());

  // Just before h1's expiresAt it is AVAILABLE, from it on EXPIRED; reading writes nothing.
  f.clock.Set(kStartMs + kHourMs - 1);
  CHECK(Wallet(f, "u")[2].status == UserCouponStatus::kAvailable);
  f.clock.Set(kStartMs + kHourMs);
  EngineFixture::Fingerprint before = f.Snapshot();
  CHECK(Statuses(Wallet(f, "u")) == std::vector<UserCouponStatus>{UserCouponStatus::kAvailable,
                                                                  UserCouponStatus::kUsed,
                                                                  UserCouponStatus::kExpired});
  CHECK(f.Snapshot() == before);
  // The engine's own clock, moved by a logged AdvanceClock, expires them the same way;
  // a USED coupon past its expiresAt still reads USED.
  REQUIRE(f.engine.AdvanceClock(2 * 3'600).ok());
  wallet = Wallet(f, "u");
  CHECK(Statuses(wallet) == std::vector<UserCouponStatus>{UserCouponStatus::kExpired,
                                                          UserCouponStatus::kUsed,
                                                          UserCouponStatus::kExpired});
  CHECK(wallet[1].order_id == order->value.order_id);
  CHECK_FALSE(wallet[2].order_id.has_value());
  CHECK(wallet[2].expires_at == kStartMs + kHourMs);
  CHECK(Statuses(Wallet(f, "v")) == std::vector<UserCouponStatus>{UserCouponStatus::kExpired});
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a user without coupons lists none, an unknown user is USER_NOT_FOUND") {
  EngineFixture f;
  f.AddUser("u");
  Create(f, Campaign("c"));
  CHECK(Wallet(f, "u").empty());
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.ListUserCoupons("ghost"); });
}

}  // namespace
}  // namespace ecomm::testing
