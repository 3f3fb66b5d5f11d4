// Coupons over real HTTP (SPEC "Coupons (first come, first served)"): every coupon
// endpoint's answer with its exact fields, every refusal with its status and code in
// the order SPEC gives the checks, the discount an order gets, pays and gives back,
// and, after each refusal, that the campaign, the user's coupons, the account and the
// log are exactly as they were.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"
#include "ecomm/time_format.h"

namespace ecomm::testing {

namespace {

// The members SPEC.md's table names for each answer.
const std::initializer_list<const char*> kCouponFields = {
    "couponId",          "name",           "discountType", "discountValue", "totalQuantity",
    "remainingQuantity", "minOrderAmount", "maxDiscount",  "validFrom",     "validUntil"};
const std::initializer_list<const char*> kUserCouponFields = {
    "userCouponId", "couponId", "userId", "status", "issuedAt", "expiresAt"};
const std::initializer_list<const char*> kUsedFields = {"usedAt", "orderId"};

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;
// A campaign that has not started yet, and one that is over, whatever today is.
constexpr const char* kFuture = R"("2999-01-01T00:00:00Z")";
constexpr const char* kFutureEnd = R"("2999-02-01T00:00:00Z")";
constexpr const char* kPast = R"("2000-01-01T00:00:00Z")";
constexpr const char* kPastEnd = R"("2000-02-01T00:00:00Z")";

TimeMs TimeOf(const rapidjson::Value& object, const char* name) {
  std::optional<TimeMs> time = ParseTime(Str(object, name));
  REQUIRE_MESSAGE(time.has_value(), "\"", name, "\" is not an RFC 3339 time in ", ToText(object));
  return *time;
}

void CheckCoupon(const rapidjson::Value& coupon) {
  CheckMembers(coupon, kCouponFields);
  std::string type = Str(coupon, "discountType");
  CHECK((type == "FIXED" || type == "PERCENT"));
  CHECK(Int(coupon, "remainingQuantity") <= Int(coupon, "totalQuantity"));
  CHECK((coupon["maxDiscount"].IsNull() || Int(coupon, "maxDiscount") > 0));
  CHECK(IsTimestamp(Str(coupon, "validFrom")));
  CHECK(IsTimestamp(Str(coupon, "validUntil")));
}

// A user coupon: usedAt and orderId exactly when it is USED.
void CheckUserCoupon(const rapidjson::Value& coupon) {
  bool used = Str(coupon, "status") == "USED";
  if (used) {
    CheckMembers(coupon, kUserCouponFields, kUsedFields);
    CHECK(IsTimestamp(Str(coupon, "usedAt")));
    CHECK(IsUuid(Str(coupon, "orderId")));
  } else {
    CheckMembers(coupon, kUserCouponFields);
    CHECK((Str(coupon, "status") == "AVAILABLE" || Str(coupon, "status") == "EXPIRED"));
  }
  CHECK(IsUuid(Str(coupon, "userCouponId")));
  CHECK(IsTimestamp(Str(coupon, "issuedAt")));
  CHECK(IsTimestamp(Str(coupon, "expiresAt")));
}

// POST /coupons that must create the campaign (201); returns it.
rapidjson::Document CreateCoupon(httplib::Client& client, const std::string& body,
                                 const Headers& headers = {}) {
  INFO("POST /coupons ", body);
  rapidjson::Document coupon = CheckJson(Post(client, "/coupons", body, headers), 201);
  CheckCoupon(coupon);
  return coupon;
}

// A campaign of `quantity` coupons, active from now for 30 days; returns its couponId.
std::string FixedCoupon(httplib::Client& client, int64_t value, int64_t quantity = 100,
                        int64_t min_order_amount = 0) {
  return Str(CreateCoupon(client, Object({{"name", Quote("Fixed")},
                                          {"discountType", Quote("FIXED")},
                                          {"discountValue", std::to_string(value)},
                                          {"totalQuantity", std::to_string(quantity)},
                                          {"minOrderAmount", std::to_string(min_order_amount)}})),
             "couponId");
}

std::string PercentCoupon(httplib::Client& client, int64_t percent, int64_t max_discount) {
  return Str(CreateCoupon(client, Object({{"name", Quote("Percent")},
                                          {"discountType", Quote("PERCENT")},
                                          {"discountValue", std::to_string(percent)},
                                          {"totalQuantity", "100"},
                                          {"maxDiscount", std::to_string(max_discount)}})),
             "couponId");
}

HttpReply Issue(httplib::Client& client, const std::string& coupon_id, const std::string& user_id,
                const Headers& headers = {}) {
  return Post(client, "/coupons/" + coupon_id + "/issue", Object({{"userId", Quote(user_id)}}),
              headers);
}

// Issues a coupon that must be given; returns its userCouponId.
std::string IssueOk(httplib::Client& client, const std::string& coupon_id,
                    const std::string& user_id) {
  rapidjson::Document issued = CheckJson(Issue(client, coupon_id, user_id));
  CheckUserCoupon(issued);
  CHECK(Str(issued, "status") == "AVAILABLE");
  return Str(issued, "userCouponId");
}

// POST /order of `lines` with the user's coupon.
HttpReply PlaceOrderWith(httplib::Client& client, const std::string& user_id, const Lines& lines,
                         const std::string& user_coupon_id) {
  std::string body = OrderBody(user_id, lines);
  body.insert(body.size() - 1, ",\"userCouponId\":" + Quote(user_coupon_id));
  return Post(client, "/order", body);
}

rapidjson::Document CouponsOf(httplib::Client& client, const std::string& user_id) {
  rapidjson::Document coupons = CheckJson(Get(client, "/users/" + user_id + "/coupons"));
  REQUIRE(coupons.IsArray());
  for (const rapidjson::Value& coupon : coupons.GetArray()) {
    CheckUserCoupon(coupon);
    CHECK(Str(coupon, "userId") == user_id);
  }
  return coupons;
}

// The user coupon as its user's list shows it.
rapidjson::Document UserCoupon(httplib::Client& client, const std::string& user_id,
                               const std::string& user_coupon_id) {
  rapidjson::Document coupons = CouponsOf(client, user_id);
  for (const rapidjson::Value& coupon : coupons.GetArray()) {
    if (Str(coupon, "userCouponId") != user_coupon_id) continue;
    rapidjson::Document one;
    one.CopyFrom(coupon, one.GetAllocator());
    return one;
  }
  FAIL("no coupon ", user_coupon_id, " among ", ToText(coupons));
  return {};
}

int64_t RemainingOf(httplib::Client& client, const std::string& coupon_id) {
  return Int(CheckJson(Get(client, "/coupons/" + coupon_id)), "remainingQuantity");
}

// What a refusal must leave as it was: the campaigns, the users' coupons and accounts,
// and the log (nothing was written).
std::vector<std::string> ObserveCoupons(httplib::Client& client,
                                        const std::vector<std::string>& coupons,
                                        const std::vector<std::string>& users) {
  std::vector<std::string> paths;
  for (const std::string& coupon : coupons) paths.push_back("/coupons/" + coupon);
  for (const std::string& user : users) {
    paths.push_back("/users/" + user + "/coupons");
    for (std::string& path : AccountPaths(user)) paths.push_back(std::move(path));
  }
  std::vector<std::string> seen = Observe(client, paths);
  seen.push_back("lsn " + std::to_string(DurableLsn(client)));
  return seen;
}

// The order's discount and coupon, as every order answer shows them.
void CheckDiscount(const rapidjson::Value& order, int64_t items_total, int64_t discount,
                   const std::string& user_coupon_id) {
  CHECK(Int(order, "discount") == discount);
  CHECK(Int(order, "totalPrice") == items_total - discount);
  CHECK(Str(order, "userCouponId") == user_coupon_id);
}

}  // namespace

TEST_CASE("e2e: admin creates coupon campaigns (201), read by anyone, defaults filled in") {
  TestServer server;
  httplib::Client& c = server.client();
  rapidjson::Document spring = CreateCoupon(c, Object({{"couponId", Quote("c-spring")},
                                                       {"name", Quote("Spring sale")},
                                                       {"discountType", Quote("PERCENT")},
                                                       {"discountValue", "10"},
                                                       {"totalQuantity", "100"},
                                                       {"minOrderAmount", "10000"},
                                                       {"maxDiscount", "5000"},
                                                       {"validFrom", kPast},
                                                       {"validUntil", kFutureEnd}}));
  CHECK(ToText(spring) ==
        R"({"couponId":"c-spring","name":"Spring sale","discountType":"PERCENT",)"
        R"("discountValue":10,"totalQuantity":100,"remainingQuantity":100,)"
        R"("minOrderAmount":10000,"maxDiscount":5000,"validFrom":"2000-01-01T00:00:00.000Z",)"
        R"("validUntil":"2999-02-01T00:00:00.000Z"})");
  CHECK(ToText(CheckJson(Get(c, "/coupons/c-spring"))) == ToText(spring));

  // Without the optional fields: a generated id, no minimum, no cap, now for 30 days.
  rapidjson::Document welcome = CreateCoupon(c, Object({{"name", Quote("Welcome")},
                                                        {"discountType", Quote("FIXED")},
                                                        {"discountValue", "1000"},
                                                        {"totalQuantity", "1"}}));
  CHECK(IsUuid(Str(welcome, "couponId")));
  CHECK(Str(welcome, "discountType") == "FIXED");
  CHECK(Int(welcome, "discountValue") == 1000);
  CHECK(Int(welcome, "remainingQuantity") == 1);
  CHECK(Int(welcome, "minOrderAmount") == 0);
  CheckNull(welcome, "maxDiscount");
  CHECK(TimeOf(welcome, "validUntil") - TimeOf(welcome, "validFrom") == 30 * kDayMs);
  rapidjson::Document user =
      CheckJson(Post(c, "/users", R"({"userId":"clock","name":"Clock","email":"c@x"})"), 201);
  CHECK(Str(welcome, "validFrom") <= Str(user, "createdAt"));  // now, by the engine's clock
  CHECK(ToText(CheckJson(Get(c, "/coupons/" + Str(welcome, "couponId")))) == ToText(welcome));

  // The limits themselves are accepted.
  CreateCoupon(c, Object({{"name", Quote("Max")},
                          {"discountType", Quote("FIXED")},
                          {"discountValue", "1000000000"},
                          {"totalQuantity", "1000000000"},
                          {"minOrderAmount", "9007199254740991"}}));
  CreateCoupon(c, Object({{"name", Quote("All of it")},
                          {"discountType", Quote("PERCENT")},
                          {"discountValue", "100"},
                          {"totalQuantity", "1"},
                          {"maxDiscount", "1000000000"}}));
  CHECK(MetricValue(c, "ecomm_coupons") == 4);
}

TEST_CASE("e2e: 400 for invalid coupon bodies and 409 ALREADY_EXISTS, nothing created") {
  TestServer server;
  httplib::Client& c = server.client();
  FixedCoupon(c, 100);
  CreateCoupon(c, Object({{"couponId", Quote("c-taken")},
                          {"name", Quote("Taken")},
                          {"discountType", Quote("FIXED")},
                          {"discountValue", "5"},
                          {"totalQuantity", "5"}}));
  std::vector<std::string> before = ObserveCoupons(c, {"c-taken", "c-bad"}, {"alice"});
  // A valid PERCENT campaign with one field replaced (or, with an empty value, removed).
  auto percent = [](std::string_view field, std::string value) {
    std::string body = "{";
    for (auto [name, json] :
         std::vector<std::pair<std::string_view, std::string>>{{"couponId", Quote("c-bad")},
                                                               {"name", Quote("Bad")},
                                                               {"discountType", Quote("PERCENT")},
                                                               {"discountValue", "10"},
                                                               {"totalQuantity", "10"},
                                                               {"minOrderAmount", "0"},
                                                               {"maxDiscount", "100"},
                                                               {"validFrom", kPast},
                                                               {"validUntil", kFutureEnd}}) {
      if (name == field) json = value;
      if (json.empty()) continue;
      body += (body.size() > 1 ? "," : "") + Quote(name) + ":" + json;
    }
    return body + "}";
  };
  // (No empty body: sent without a Content-Type, the loopback admin rule answers 415.)
  std::vector<std::string> bodies = {
      "{", "[]", R"({"couponId":"c-bad"})",
      // Missing required fields.
      percent("name", ""), percent("discountType", ""), percent("discountValue", ""),
      percent("totalQuantity", ""),
      // Wrong types: booleans, floats, strings where integers belong; a number where a
      // string does.
      percent("couponId", "5"), percent("name", "true"), percent("discountType", "1"),
      percent("discountValue", "10.0"), percent("discountValue", R"("10")"),
      percent("discountValue", "true"), percent("totalQuantity", "1e1"),
      percent("totalQuantity", "null"), percent("minOrderAmount", "0.5"),
      percent("minOrderAmount", R"("0")"), percent("maxDiscount", "false"),
      percent("maxDiscount", "[100]"), percent("validFrom", "946684800000"),
      percent("validUntil", "{}"),
      // discountType is exactly FIXED or PERCENT.
      percent("discountType", R"("percent")"), percent("discountType", R"("AMOUNT")"),
      percent("discountType", R"("")"),
      // Out of range.
      percent("discountValue", "0"), percent("discountValue", "101"),
      percent("discountValue", "-10"), percent("totalQuantity", "0"),
      percent("totalQuantity", "1000000001"), percent("minOrderAmount", "-1"),
      percent("minOrderAmount", "9007199254740992"), percent("maxDiscount", "0"),
      percent("maxDiscount", "1000000001"), percent("couponId", R"("")"),
      percent("couponId", Quote(std::string(257, 'c'))), percent("name", R"("")"),
      percent("name", Quote(std::string(257, 'n'))),
      Object({{"couponId", Quote("c-bad")},
              {"name", Quote("Bad")},
              {"discountType", Quote("FIXED")},
              {"discountValue", "1000000001"},
              {"totalQuantity", "1"}}),
      // maxDiscount is PERCENT's only.
      Object({{"couponId", Quote("c-bad")},
              {"name", Quote("Bad")},
              {"discountType", Quote("FIXED")},
              {"discountValue", "10"},
              {"totalQuantity", "1"},
              {"maxDiscount", "10"}}),
      // Times: RFC 3339 in UTC, validFrom before validUntil.
      percent("validFrom", R"("yesterday")"), percent("validFrom", R"("2025-02-30T00:00:00Z")"),
      percent("validFrom", R"("2025-03-14T09:00:00+09:00")"),
      percent("validFrom", R"("2025-03-14 09:00:00Z")"), percent("validUntil", R"("")"),
      percent("validUntil", kPast), percent("validFrom", kFutureEnd)};
  for (const std::string& body : bodies) {
    INFO("POST /coupons ", body);
    CheckProblem(Post(c, "/coupons", body), 400, "INVALID_REQUEST");
  }
  HttpReply taken = Post(c, "/coupons",
                         Object({{"couponId", Quote("c-taken")},
                                 {"name", Quote("Other")},
                                 {"discountType", Quote("PERCENT")},
                                 {"discountValue", "50"},
                                 {"totalQuantity", "9"}}));
  CheckProblem(taken, 409, "ALREADY_EXISTS");
  CHECK(ObserveCoupons(c, {"c-taken", "c-bad"}, {"alice"}) == before);
  CheckProblem(Get(c, "/coupons/c-bad"), 404, "COUPON_NOT_FOUND");
  CHECK(MetricValue(c, "ecomm_coupons") == 2);
  // The same body with every field valid is a campaign.
  CreateCoupon(c, percent("", ""));
}

TEST_CASE("e2e: POST /coupons needs the admin token, issuing and reading do not") {
  TestServer server({"--demo-data", "--admin-token", "s3cret"});
  httplib::Client& c = server.client();
  std::string body = Object({{"couponId", Quote("c-admin")},
                             {"name", Quote("Admin only")},
                             {"discountType", Quote("FIXED")},
                             {"discountValue", "10"},
                             {"totalQuantity", "10"}});
  for (const Headers& headers : {Headers{}, BearerToken("wrong"), BearerToken("s3cre"),
                                 Headers{{"Authorization", "s3cret"}}}) {
    INFO((headers.empty() ? "no header" : headers.begin()->second));
    CheckProblem(Post(c, "/coupons", body, headers), 401, "UNAUTHORIZED");
  }
  CheckProblem(Get(c, "/coupons/c-admin"), 404, "COUPON_NOT_FOUND");
  CreateCoupon(c, body, BearerToken("s3cret"));
  // End-user and public routes need no token without --auth jwt.
  std::string user_coupon_id = IssueOk(c, "c-admin", "alice");
  CHECK(Int(CheckJson(Get(c, "/coupons/c-admin")), "remainingQuantity") == 9);
  CHECK(Str(CouponsOf(c, "alice")[0], "userCouponId") == user_coupon_id);
}

TEST_CASE("e2e: issue gives each user one AVAILABLE coupon, listed newest first") {
  TestServer server;
  httplib::Client& c = server.client();
  rapidjson::Document campaign = CreateCoupon(c, Object({{"couponId", Quote("c-three")},
                                                         {"name", Quote("Three")},
                                                         {"discountType", Quote("FIXED")},
                                                         {"discountValue", "300"},
                                                         {"totalQuantity", "3"}}));
  CHECK(ToText(CouponsOf(c, "alice")) == "[]");

  rapidjson::Document issued = CheckJson(Issue(c, "c-three", "alice"));
  CheckMembers(issued, kUserCouponFields);
  CHECK(IsUuid(Str(issued, "userCouponId")));
  CHECK(Str(issued, "couponId") == "c-three");
  CHECK(Str(issued, "userId") == "alice");
  CHECK(Str(issued, "status") == "AVAILABLE");
  CHECK(Str(issued, "expiresAt") == Str(campaign, "validUntil"));
  CHECK(Str(issued, "issuedAt") >= Str(campaign, "validFrom"));
  CHECK(RemainingOf(c, "c-three") == 2);
  IssueOk(c, "c-three", "bob");
  CHECK(RemainingOf(c, "c-three") == 1);

  std::string other = FixedCoupon(c, 50);
  std::string newest = IssueOk(c, other, "alice");
  rapidjson::Document mine = CouponsOf(c, "alice");
  REQUIRE(mine.Size() == 2);
  CHECK(Str(mine[0], "userCouponId") == newest);
  CHECK(ToText(mine[1]) == ToText(issued));
  CHECK(CouponsOf(c, "bob").Size() == 1);
  CHECK(CouponsOf(c, "carol").Size() == 0);
  CheckProblem(Get(c, "/users/nobody/coupons"), 404, "USER_NOT_FOUND");
}

TEST_CASE("e2e: issue checks in order: campaign, user, active, already issued, sold out") {
  TestServer server;
  httplib::Client& c = server.client();
  auto campaign = [&](const std::string& id, int64_t quantity, const char* from,
                      const char* until) {
    CreateCoupon(c, Object({{"couponId", Quote(id)},
                            {"name", Quote(id)},
                            {"discountType", Quote("FIXED")},
                            {"discountValue", "100"},
                            {"totalQuantity", std::to_string(quantity)},
                            {"validFrom", from},
                            {"validUntil", until}}));
  };
  campaign("c-later", 5, kFuture, kFutureEnd);
  campaign("c-over", 5, kPast, kPastEnd);
  campaign("c-one", 1, kPast, kFutureEnd);
  IssueOk(c, "c-one", "bob");  // the last one: c-one is sold out, and bob holds it
  std::vector<std::string> coupons = {"c-later", "c-over", "c-one", "c-none"};
  std::vector<std::string> before = ObserveCoupons(c, coupons, {"alice", "bob", "carol"});

  // Each refusal also fails every later check: the code names the first that fails.
  CheckProblem(Issue(c, "c-none", "nobody"), 404, "COUPON_NOT_FOUND");
  CheckProblem(Issue(c, "c-none", "alice"), 404, "COUPON_NOT_FOUND");
  CheckProblem(Issue(c, "c-later", "nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Issue(c, "c-one", "nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Issue(c, "c-later", "alice"), 409, "COUPON_NOT_ACTIVE");
  CheckProblem(Issue(c, "c-over", "alice"), 409, "COUPON_NOT_ACTIVE");
  CheckProblem(Issue(c, "c-one", "bob"), 409, "COUPON_ALREADY_ISSUED");
  CheckProblem(Issue(c, "c-one", "alice"), 409, "COUPON_SOLD_OUT");
  CheckProblem(Issue(c, "c-one", "carol"), 409, "COUPON_SOLD_OUT");
  CHECK(ObserveCoupons(c, coupons, {"alice", "bob", "carol"}) == before);
  CHECK(RemainingOf(c, "c-one") == 0);
  CHECK(RemainingOf(c, "c-later") == 5);

  // A USED coupon is still held: the user cannot get a second one.
  std::string fixed = FixedCoupon(c, 100);
  std::string used = IssueOk(c, fixed, "alice");
  CheckJson(PlaceOrderWith(c, "alice", {{"p-cable", 1}}, used));
  CheckProblem(Issue(c, fixed, "alice"), 409, "COUPON_ALREADY_ISSUED");
  CHECK(RemainingOf(c, fixed) == 99);
}

TEST_CASE("e2e: 400 for invalid issue bodies, nothing issued") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string coupon = FixedCoupon(c, 100);
  std::vector<std::string> before = ObserveCoupons(c, {coupon}, {"alice"});
  for (const char* body :
       {"", "{", "[]", "{}", R"({"userId":5})", R"({"userId":true})", R"({"userId":null})",
        R"({"userId":["alice"]})", R"({"userId":""})", R"({"userId":"a\u0001b"})"}) {
    INFO("issue ", body);
    CheckProblem(Post(c, "/coupons/" + coupon + "/issue", body), 400, "INVALID_REQUEST");
  }
  CheckProblem(Issue(c, coupon, std::string(257, 'u')), 400, "INVALID_REQUEST");
  CHECK(ObserveCoupons(c, {coupon}, {"alice"}) == before);
}

TEST_CASE("e2e: a FIXED coupon takes min(value, total) off, the PAYMENT is what is paid") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 10'000);
  std::string coupon = IssueOk(c, FixedCoupon(c, 1'000), user);

  rapidjson::Document order = CheckJson(PlaceOrderWith(c, user, {{"p-mouse", 2}}, coupon));
  CheckMembers(order,
               {"orderId", "userId", "totalPrice", "discount", "userCouponId", "orderStatus",
                "orderDate", "items"},
               {"updatedAt"});
  CHECK(Str(order, "orderStatus") == "SUCCESS");
  CheckDiscount(order, 5'000, 1'000, coupon);
  CHECK(Int(order["items"][0], "price") == 2'500);  // items keep their unit prices
  std::string id = Str(order, "orderId");
  CHECK(BalanceOf(c, user) == 10'000 - 4'000);
  rapidjson::Document history = CheckJson(Get(c, "/balance/history?userId=" + user + "&limit=1"));
  CHECK(Str(history["items"][0], "transactionType") == "PAYMENT");
  CHECK(Int(history["items"][0], "amount") == -4'000);
  CHECK(Str(history["items"][0], "orderId") == id);

  rapidjson::Document used = UserCoupon(c, user, coupon);
  CHECK(Str(used, "status") == "USED");
  CHECK(Str(used, "orderId") == id);
  CHECK(Str(used, "usedAt") >= Str(used, "issuedAt"));
  // Every order answer carries them.
  CheckDiscount(CheckJson(Get(c, "/orders/" + id)), 5'000, 1'000, coupon);
  CheckDiscount(CheckJson(Get(c, "/orders?userId=" + user))["items"][0], 5'000, 1'000, coupon);

  // A discount over the total takes all of it: nothing to pay.
  std::string big = IssueOk(c, FixedCoupon(c, 1'000'000), user);
  rapidjson::Document free = CheckJson(PlaceOrderWith(c, user, {{"p-cable", 2}}, big));
  CHECK(Str(free, "orderStatus") == "SUCCESS");
  CheckDiscount(free, 1'800, 1'800, big);
  CHECK(Int(free, "totalPrice") == 0);
  CHECK(BalanceOf(c, user) == 6'000);

  // Without a coupon: no discount, and null for the coupon, in every answer.
  rapidjson::Document plain = CheckJson(PlaceOrder(c, user, {{"p-cable", 1}}));
  CHECK(Int(plain, "discount") == 0);
  CheckNull(plain, "userCouponId");
  CHECK(Int(plain, "totalPrice") == 900);
  rapidjson::Document fetched = CheckJson(Get(c, "/orders/" + Str(plain, "orderId")));
  CHECK(Int(fetched, "discount") == 0);
  CheckNull(fetched, "userCouponId");
}

TEST_CASE("e2e: a PERCENT coupon takes floor(total x value / 100), capped by maxDiscount") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 100'000);
  std::string odd = CreateProduct(c, 999, 100);

  // 15% of 999 is 149.85: 149 off.
  std::string uncapped = IssueOk(c, PercentCoupon(c, 15, 1'000'000'000), user);
  CheckDiscount(CheckJson(PlaceOrderWith(c, user, {{odd, 1}}, uncapped)), 999, 149, uncapped);
  // 50% of 2 x 999 is 999, capped at 300.
  std::string capped = IssueOk(c, PercentCoupon(c, 50, 300), user);
  CheckDiscount(CheckJson(PlaceOrderWith(c, user, {{odd, 2}}, capped)), 1'998, 300, capped);
  // 100% of an order is all of it.
  std::string whole = IssueOk(c, PercentCoupon(c, 100, 1'000'000'000), user);
  CheckDiscount(CheckJson(PlaceOrderWith(c, user, {{odd, 3}}, whole)), 2'997, 2'997, whole);
  CHECK(BalanceOf(c, user) == 100'000 - 850 - 1'698);
}

TEST_CASE("e2e: minOrderAmount compares the total before the discount") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 100'000);
  std::string coupon = IssueOk(c, FixedCoupon(c, 500, 10, 1'800), user);
  std::vector<std::string> before = ObserveCoupons(c, {}, {user});
  // 900 < 1,800: refused, no order recorded.
  CheckProblem(PlaceOrderWith(c, user, {{"p-cable", 1}}, coupon), 409, "COUPON_NOT_USABLE");
  CHECK(ObserveCoupons(c, {}, {user}) == before);
  CHECK(Str(UserCoupon(c, user, coupon), "status") == "AVAILABLE");
  // Exactly 1,800 before the discount, 1,300 after: usable.
  CheckDiscount(CheckJson(PlaceOrderWith(c, user, {{"p-cable", 2}}, coupon)), 1'800, 500, coupon);
}

TEST_CASE("e2e: an unknown or another user's coupon is 404, a used one 409, nothing recorded") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string coupon = FixedCoupon(c, 100);
  std::string alices = IssueOk(c, coupon, "alice");
  std::string bobs_used = IssueOk(c, coupon, "bob");
  CheckJson(PlaceOrderWith(c, "bob", {{"p-cable", 1}}, bobs_used));
  std::vector<std::string> watched_users = {"alice", "bob", "carol"};
  std::vector<std::string> before = ObserveCoupons(c, {coupon}, watched_users);

  // Another user's coupon is answered as one that does not exist: nothing leaks.
  HttpReply others = PlaceOrderWith(c, "bob", {{"p-cable", 1}}, alices);
  CheckProblem(others, 404, "COUPON_NOT_FOUND");
  HttpReply unknown =
      PlaceOrderWith(c, "bob", {{"p-cable", 1}}, "00000000-0000-4000-8000-000000000000");
  CheckProblem(unknown, 404, "COUPON_NOT_FOUND");
  CheckProblem(PlaceOrderWith(c, "bob", {{"p-cable", 1}}, "not-a-uuid"), 404, "COUPON_NOT_FOUND");
  CheckProblem(PlaceOrderWith(c, "bob", {{"p-cable", 1}}, bobs_used), 409, "COUPON_NOT_USABLE");
  // The user and every product before the coupon; the coupon before the balance.
  CheckProblem(PlaceOrderWith(c, "nobody", {{"p-cable", 1}}, alices), 404, "USER_NOT_FOUND");
  CheckProblem(PlaceOrderWith(c, "bob", {{"p-nope", 1}}, alices), 404, "PRODUCT_NOT_FOUND");
  CheckProblem(PlaceOrderWith(c, "bob", {{"p-nope", 1}}, bobs_used), 404, "PRODUCT_NOT_FOUND");
  CheckProblem(PlaceOrderWith(c, "carol", {{"p-monitor", 1}}, alices), 404, "COUPON_NOT_FOUND");
  CHECK(ObserveCoupons(c, {coupon}, watched_users) == before);

  // Wrong types where the coupon's id belongs.
  std::string body = OrderBody("alice", {{"p-cable", 1}});
  for (const char* value : {"5", "true", "null", "[\"x\"]", "{}"}) {
    INFO("userCouponId ", value);
    std::string typed = body;
    typed.insert(typed.size() - 1, std::string(",\"userCouponId\":") + value);
    CheckProblem(Post(c, "/order", typed), 400, "INVALID_REQUEST");
  }
  CHECK(ObserveCoupons(c, {coupon}, watched_users) == before);
}

TEST_CASE("e2e: a FAILED order keeps its discount and leaves the coupon AVAILABLE") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 2'000);
  std::string coupon = IssueOk(c, FixedCoupon(c, 400), user);
  std::string sold_out = CreateProduct(c, 1, 0);
  std::vector<std::string> watched = AccountPaths(user);
  watched.push_back("/users/" + user + "/coupons");
  watched.push_back("/products");
  // A FAILED order is recorded: only the user's order list may change.
  auto check_only_orders_changed = [&](const std::vector<std::string>& before) {
    std::vector<std::string> after = Observe(c, watched);
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) {
      if (before[i].starts_with("/orders?userId=")) continue;
      CHECK(after[i] == before[i]);
    }
  };

  // 2,500 - 400 = 2,100 over a balance of 2,000.
  std::vector<std::string> before = Observe(c, watched);
  HttpReply poor = PlaceOrderWith(c, user, {{"p-mouse", 1}}, coupon);
  CheckProblem(poor, 409, "INSUFFICIENT_BALANCE");
  CHECK(Str(poor.Json(), "orderStatus") == "FAILED");
  rapidjson::Document failed = CheckJson(Get(c, "/orders/" + Str(poor.Json(), "orderId")));
  CHECK(Str(failed, "orderStatus") == "FAILED");
  CheckDiscount(failed, 2'500, 400, coupon);
  check_only_orders_changed(before);
  CHECK(Str(UserCoupon(c, user, coupon), "status") == "AVAILABLE");

  // 1 - min(400, 1) = 0 is paid, but there is no stock.
  CheckJson(Charge(c, user, 100));
  before = Observe(c, watched);
  HttpReply no_stock = PlaceOrderWith(c, user, {{sold_out, 1}}, coupon);
  CheckProblem(no_stock, 409, "OUT_OF_STOCK");
  CheckDiscount(CheckJson(Get(c, "/orders/" + Str(no_stock.Json(), "orderId"))), 1, 1, coupon);
  check_only_orders_changed(before);
  CHECK(Str(UserCoupon(c, user, coupon), "status") == "AVAILABLE");

  // The balance check is against what is paid: 2,100 covers 2,500 less 400 exactly.
  rapidjson::Document paid = CheckJson(PlaceOrderWith(c, user, {{"p-mouse", 1}}, coupon));
  CheckDiscount(paid, 2'500, 400, coupon);
  CHECK(BalanceOf(c, user) == 0);
  CHECK(Str(UserCoupon(c, user, coupon), "status") == "USED");
}

TEST_CASE("e2e: cancel refunds totalPrice and gives the coupon back") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 10'000);
  std::string coupon = IssueOk(c, FixedCoupon(c, 700), user);
  rapidjson::Document order = CheckJson(PlaceOrderWith(c, user, {{"p-mouse", 2}}, coupon));
  std::string id = Str(order, "orderId");
  CHECK(BalanceOf(c, user) == 10'000 - 4'300);

  rapidjson::Document cancelled = CheckJson(Cancel(c, id));
  CHECK(Str(cancelled, "orderStatus") == "CANCELLED");
  CheckDiscount(cancelled, 5'000, 700, coupon);  // the order still says what it was
  CHECK(BalanceOf(c, user) == 10'000);
  rapidjson::Document history = CheckJson(Get(c, "/balance/history?userId=" + user + "&limit=1"));
  CHECK(Str(history["items"][0], "transactionType") == "REFUND");
  CHECK(Int(history["items"][0], "amount") == 4'300);
  rapidjson::Document returned = UserCoupon(c, user, coupon);
  CHECK(Str(returned, "status") == "AVAILABLE");
  CheckMembers(returned, kUserCouponFields);  // usedAt and orderId cleared

  // Given back, it is used again.
  rapidjson::Document again = CheckJson(PlaceOrderWith(c, user, {{"p-cable", 1}}, coupon));
  CheckDiscount(again, 900, 700, coupon);
  CHECK(Str(UserCoupon(c, user, coupon), "orderId") == Str(again, "orderId"));
}

TEST_CASE("e2e: an unused coupon reads EXPIRED from its expiresAt on and is not usable") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 100'000);
  std::string campaign = FixedCoupon(c, 100);
  std::string kept = IssueOk(c, campaign, user);
  std::string given_back = IssueOk(c, FixedCoupon(c, 200), user);
  std::string used = IssueOk(c, FixedCoupon(c, 300), user);
  std::string to_cancel =
      Str(CheckJson(PlaceOrderWith(c, user, {{"p-cable", 1}}, given_back)), "orderId");
  CheckJson(PlaceOrderWith(c, user, {{"p-cable", 1}}, used));

  // 30 days and a second later every campaign above is over.
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":2592001})"));
  CHECK(Str(UserCoupon(c, user, kept), "status") == "EXPIRED");
  CHECK(Str(UserCoupon(c, user, used), "status") == "USED");
  std::vector<std::string> before = ObserveCoupons(c, {campaign}, {user});
  CheckProblem(PlaceOrderWith(c, user, {{"p-cable", 1}}, kept), 409, "COUPON_NOT_USABLE");
  CheckProblem(Issue(c, campaign, "bob"), 409, "COUPON_NOT_ACTIVE");
  CHECK(ObserveCoupons(c, {campaign}, {user}) == before);
  // A cancel still gives the coupon back, which then reads EXPIRED.
  CheckJson(Cancel(c, to_cancel));
  rapidjson::Document returned = UserCoupon(c, user, given_back);
  CHECK(Str(returned, "status") == "EXPIRED");
  CheckMembers(returned, kUserCouponFields);
}

TEST_CASE("e2e: a retried issue answers the first response and issues once") {
  TestServer server;
  std::string coupon = FixedCoupon(server.client(), 100, 2);
  HttpReply first = Issue(server.client(), coupon, "alice", IdempotencyKey("issue-alice"));
  CheckJson(first);
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    HttpReply retry = Issue(server.client(), coupon, "alice", IdempotencyKey("issue-alice"));
    CHECK(retry.status == 200);
    CHECK(retry.content_type == first.content_type);
    CHECK(retry.body == first.body);
    CHECK(RemainingOf(server.client(), coupon) == 1);
    CHECK(CouponsOf(server.client(), "alice").Size() == 1);
    server.Restart();  // the key is kept in the log
  }
  httplib::Client& c = server.client();
  std::vector<std::string> before = ObserveCoupons(c, {coupon}, {"alice", "bob"});
  CheckProblem(Issue(c, coupon, "bob", IdempotencyKey("issue-alice")), 422,
               "IDEMPOTENCY_KEY_REUSED");
  CHECK(ObserveCoupons(c, {coupon}, {"alice", "bob"}) == before);

  // A refused issue does not take its key: the key is free for the next request.
  CheckProblem(Issue(c, coupon, "alice", IdempotencyKey("refused")), 409, "COUPON_ALREADY_ISSUED");
  CheckProblem(Issue(c, "c-none", "bob", IdempotencyKey("refused")), 404, "COUPON_NOT_FOUND");
  CheckProblem(Issue(c, coupon, "nobody", IdempotencyKey("refused")), 404, "USER_NOT_FOUND");
  IssueOk(c, coupon, "carol");  // the last one
  CheckProblem(Issue(c, coupon, "bob", IdempotencyKey("refused")), 409, "COUPON_SOLD_OUT");
  CheckJson(Charge(c, "bob", 1, IdempotencyKey("refused")));
  CHECK(BalanceOf(c, "bob") == 20'001);
}

TEST_CASE("e2e: concurrent issues never give more than totalQuantity, one per user") {
  TestServer server;
  std::string coupon = FixedCoupon(server.client(), 100, 5);
  std::vector<std::string> users;
  for (int i = 0; i < 12; ++i) users.push_back(CreateUser(server.client()));
  std::vector<HttpReply> replies(users.size());
  server.RunWithClients(static_cast<int>(users.size()), [&](httplib::Client& client, int i) {
    replies[i] = Issue(client, coupon, users[i]);
  });
  int issued = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    if (replies[i].status == 200) {
      ++issued;
      CHECK(CouponsOf(server.client(), users[i]).Size() == 1);
    } else {
      CheckProblem(replies[i], 409, "COUPON_SOLD_OUT");
      CHECK(CouponsOf(server.client(), users[i]).Size() == 0);
    }
  }
  CHECK(issued == 5);
  CHECK(RemainingOf(server.client(), coupon) == 0);

  // One user asking many times at once gets one.
  std::string more = FixedCoupon(server.client(), 100, 100);
  std::vector<HttpReply> same(8);
  server.RunWithClients(
      8, [&](httplib::Client& client, int i) { same[i] = Issue(client, more, "alice"); });
  int given = 0;
  for (const HttpReply& reply : same) {
    if (reply.status == 200) {
      ++given;
    } else {
      CheckProblem(reply, 409, "COUPON_ALREADY_ISSUED");
    }
  }
  CHECK(given == 1);
  CHECK(RemainingOf(server.client(), more) == 99);
  CHECK(CouponsOf(server.client(), "alice").Size() == 1);
}

TEST_CASE("e2e: coupon routes answer 405 with Allow for other methods, 404 for unknown ids") {
  TestServer server;
  httplib::Client& c = server.client();
  CHECK(Send(c, "GET", "/coupons", "{}").allow == "POST");
  CheckProblem(Send(c, "GET", "/coupons", "{}"), 405, "METHOD_NOT_ALLOWED");
  CheckProblem(Send(c, "DELETE", "/coupons/c-x", "{}"), 405, "METHOD_NOT_ALLOWED");
  CHECK(Send(c, "DELETE", "/coupons/c-x", "{}").allow == "GET");
  CheckProblem(Get(c, "/coupons/c-x/issue"), 405, "METHOD_NOT_ALLOWED");
  CheckProblem(Post(c, "/users/alice/coupons", "{}"), 405, "METHOD_NOT_ALLOWED");
  CheckProblem(Get(c, "/coupons/c-x"), 404, "COUPON_NOT_FOUND");
  CheckProblem(Get(c, "/coupons/c-x/issue/now"), 404, "NOT_FOUND");
}

}  // namespace ecomm::testing
