// End-user authentication against the real server (SPEC "End-user authentication"):
// with --auth jwt every end-user and admin route needs a Bearer credential; a token
// acts only for its sub; another user's order is not found; the ecomm:admin scope and
// the admin token act for anyone; Idempotency-Keys are per subject; an open server
// refuses a public --listen. Every refusal is checked for its exact status, code and
// challenge, and for having changed nothing.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "auth/test_keys.h"
#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {
namespace {

constexpr const char* kAdminToken = "admin-token-for-tests";
constexpr const char* kIssuer = "https://idp.example";
constexpr const char* kAudience = "ecomm";
constexpr const char* kInvalidToken = "Bearer error=\"invalid_token\"";
constexpr const char* kInsufficientScope = "Bearer error=\"insufficient_scope\"";

auth::TokenSpec Spec(std::string subject, std::string scope = "") {
  return auth::TokenSpec{std::move(subject), std::move(scope), 3600, std::string(kIssuer),
                         std::string(kAudience)};
}

// A server with --auth jwt (ES256, issuer and audience pinned) and an admin token,
// with the demo data; `admin` sends the admin token on every request.
struct JwtShop {
  TestKeys keys;
  TestServer server{{"--demo-data", "--auth", "jwt", "--jwt-key", keys.es256_public(),
                     "--jwt-issuer", kIssuer, "--jwt-audience", kAudience, "--admin-token",
                     kAdminToken}};
  std::unique_ptr<httplib::Client> admin = AdminClient();
  httplib::Client* client = &server.client();  // sends no credential of its own

  std::unique_ptr<httplib::Client> AdminClient() const {
    auto admin_client = server.NewClient();
    admin_client->set_default_headers({{"Authorization", std::string("Bearer ") + kAdminToken}});
    return admin_client;
  }
  // A graceful restart on the same data directory; both clients follow it.
  void Restart() {
    server.Restart();
    admin = AdminClient();
    client = &server.client();
  }

  std::string TokenOf(const std::string& user, const std::string& scope = "") const {
    return Mint(keys.es256(), Spec(user, scope));
  }
  // What must not change: alice's and bob's accounts, the catalog, the log.
  std::vector<std::string> Observe() {
    std::vector<std::string> paths = AccountPaths("alice");
    for (const std::string& p : AccountPaths("bob")) paths.push_back(p);
    paths.push_back("/products");
    paths.push_back("/users/nobody-yet");
    std::vector<std::string> seen = testing::Observe(*admin, paths);
    seen.push_back("lsn " + std::to_string(DurableLsn(*admin)));
    return seen;
  }
};

struct Call {
  std::string method, path, body;
};

// A FIXED campaign of ten coupons worth 100.
std::string CouponBody(const std::string& coupon_id) {
  return Object({{"couponId", Quote(coupon_id)},
                 {"name", Quote("Ten off")},
                 {"discountType", Quote("FIXED")},
                 {"discountValue", "100"},
                 {"totalQuantity", "10"}});
}

// Every route that needs a credential, each acting for alice (or admin).
std::vector<Call> ProtectedCalls(const std::string& order_id) {
  return {
      {"POST", "/balance/charge", ChargeBody("alice", 100)},
      {"GET", "/balance?userId=alice", ""},
      {"GET", "/balance/history?userId=alice", ""},
      {"POST", "/order", OrderBody("alice", {{"p-mouse", 1}})},
      {"GET", "/orders?userId=alice", ""},
      {"GET", "/orders/" + order_id, ""},
      {"POST", "/orders/" + order_id + "/cancel", ""},
      {"POST", "/cart/add", CartAddBody("alice", "p-mouse", 1)},
      {"DELETE", "/cart/remove?userId=alice&productId=p-cable", ""},
      {"GET", "/cart?userId=alice", ""},
      {"GET", "/users/alice", ""},
      {"POST", "/users",
       Object({{"userId", Quote("nobody-yet")}, {"name", Quote("N")}, {"email", Quote("n@x")}})},
      {"POST", "/products", Object({{"name", Quote("X")}, {"price", "1"}, {"stock", "1"}})},
      {"POST", "/products/p-mouse/restock", Object({{"quantity", "5"}})},
      {"GET", "/metrics", ""},
      {"POST", "/coupons/c-any/issue", Object({{"userId", Quote("alice")}})},
      {"GET", "/users/alice/coupons", ""},
      {"POST", "/coupons", CouponBody("c-new")},
  };
}

HttpReply SendAs(httplib::Client& client, const Call& call, const std::string& token) {
  return Send(client, call.method, call.path, call.body, BearerToken(token));
}

void CheckUnauthorized(const HttpReply& reply) {
  CheckProblem(reply, 401, "UNAUTHORIZED");
  CHECK(reply.www_authenticate == kInvalidToken);
}

void CheckForbidden(const HttpReply& reply) { CheckProblem(reply, 403, "FORBIDDEN"); }

TEST_CASE(
    "without a valid token every end-user and admin route is 401 invalid_token, nothing changes") {
  JwtShop shop;
  std::string order_id = PlaceOrderOk(*shop.admin, "alice", {{"p-cable", 1}});
  CheckJson(Post(*shop.admin, "/cart/add", CartAddBody("alice", "p-cable", 2)));
  CheckJson(Post(*shop.admin, "/coupons", CouponBody("c-public")), 201);
  std::vector<std::string> before = shop.Observe();

  const TestKeys& keys = shop.keys;
  std::string alice = shop.TokenOf("alice");
  int64_t now = auth::WallClockSeconds();
  auto expired = Spec("alice");
  expired.ttl_seconds = 60;
  auto wrong_issuer = Spec("alice");
  wrong_issuer.issuer = "https://evil.example";
  auto wrong_audience = Spec("alice");
  wrong_audience.audience = "another-api";
  struct Bad {
    const char* what;
    std::string token;
  };
  std::vector<Bad> bad = {
      {"malformed", "not-a-jwt"},
      {"two parts", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9"},
      {"another key's signature", Mint(keys.stranger(), Spec("alice"))},
      {"a payload spliced onto alice's signature", SplicedToken(alice, shop.TokenOf("bob"))},
      {"alg none", UnsignedToken("alice")},
      {"HS256 keyed with the public key (algorithm confusion)",
       ConfusedToken(keys.es256_public(), "alice")},
      {"expired past the leeway", Mint(keys.es256(), expired, now - 200)},
      {"not valid until an hour from now", Mint(keys.es256(), Spec("alice"), now + 3600)},
      {"wrong issuer", Mint(keys.es256(), wrong_issuer)},
      {"wrong audience", Mint(keys.es256(), wrong_audience)},
      {"no subject", Mint(keys.es256(), Spec(""))},
  };
  for (const Call& call : ProtectedCalls(order_id)) {
    CAPTURE(call.method);
    CAPTURE(call.path);
    CheckUnauthorized(Send(*shop.client, call.method, call.path, call.body));
    CheckUnauthorized(
        Send(*shop.client, call.method, call.path, call.body, {{"Authorization", "Basic YTpi"}}));
    CheckUnauthorized(
        Send(*shop.client, call.method, call.path, call.body, {{"Authorization", "Bearer"}}));
    for (const Bad& b : bad) {
      CAPTURE(b.what);
      CheckUnauthorized(SendAs(*shop.client, call, b.token));
    }
  }
  CHECK(shop.Observe() == before);

  // Public routes answer anyone, with or without a token (a bad one is not looked at).
  for (const char* path : {"/products", "/products/p-mouse", "/products/top", "/coupons/c-public",
                           "/healthz", "/openapi.json"}) {
    CAPTURE(path);
    CHECK(Get(*shop.client, path).status == 200);
    CHECK(Get(*shop.client, path, BearerToken("not-a-jwt")).status == 200);
  }
}

TEST_CASE("a token acts only for its sub: another userId in body, query or path is 403") {
  JwtShop shop;
  CheckJson(Post(*shop.admin, "/cart/add", CartAddBody("bob", "p-cable", 1)));
  std::vector<std::string> before = shop.Observe();
  std::string alice = shop.TokenOf("alice");
  std::vector<Call> for_bob = {
      {"POST", "/balance/charge", ChargeBody("bob", 100)},
      {"GET", "/balance?userId=bob", ""},
      {"GET", "/balance/history?userId=bob", ""},
      {"POST", "/order", OrderBody("bob", {{"p-mouse", 1}})},
      {"POST", "/order", CartOrderBody("bob")},
      {"GET", "/orders?userId=bob", ""},
      {"POST", "/cart/add", CartAddBody("bob", "p-mouse", 1)},
      {"DELETE", "/cart/remove?userId=bob&productId=p-cable", ""},
      {"DELETE", "/cart/remove",
       Object({{"userId", Quote("bob")}, {"productId", Quote("p-cable")}})},
      {"GET", "/cart?userId=bob", ""},
      {"GET", "/users/bob", ""},
      {"GET", "/users/nobody", ""},  // whether a user exists is not alice's to learn
      {"POST", "/coupons/c-any/issue", Object({{"userId", Quote("bob")}})},
      {"GET", "/users/bob/coupons", ""},
  };
  for (const Call& call : for_bob) {
    CAPTURE(call.method);
    CAPTURE(call.path);
    CAPTURE(call.body);
    CheckForbidden(SendAs(*shop.client, call, alice));
  }
  CHECK(shop.Observe() == before);

  // For herself, alice does everything the seed allows.
  CHECK(Int(CheckJson(
                SendAs(*shop.client, {"POST", "/balance/charge", ChargeBody("alice", 500)}, alice)),
            "currentBalance") == 100'500);
  CheckJson(SendAs(*shop.client, {"GET", "/balance/history?userId=alice", ""}, alice));
  CheckJson(SendAs(*shop.client, {"POST", "/cart/add", CartAddBody("alice", "p-mouse", 2)}, alice));
  rapidjson::Document order =
      CheckJson(SendAs(*shop.client, {"POST", "/order", CartOrderBody("alice")}, alice));
  std::string order_id = Str(order, "orderId");
  CheckJson(SendAs(*shop.client, {"GET", "/orders/" + order_id, ""}, alice));
  CheckJson(SendAs(*shop.client, {"GET", "/orders?userId=alice", ""}, alice));
  CHECK(Str(CheckJson(SendAs(*shop.client, {"POST", "/orders/" + order_id + "/cancel", ""}, alice)),
            "orderStatus") == "CANCELLED");
  CheckJson(SendAs(*shop.client, {"GET", "/users/alice", ""}, alice));
  CheckJson(SendAs(*shop.client, {"GET", "/cart?userId=alice", ""}, alice));
}

TEST_CASE("another user's order is 404 ORDER_NOT_FOUND to read and to cancel, as if absent") {
  JwtShop shop;
  std::string bob = shop.TokenOf("bob");
  rapidjson::Document order = CheckJson(
      SendAs(*shop.client, {"POST", "/order", OrderBody("bob", {{"p-keyboard", 1}})}, bob));
  std::string order_id = Str(order, "orderId");
  std::vector<std::string> before = shop.Observe();
  std::string alice = shop.TokenOf("alice");

  HttpReply read = SendAs(*shop.client, {"GET", "/orders/" + order_id, ""}, alice);
  CheckProblem(read, 404, "ORDER_NOT_FOUND");
  HttpReply cancel = SendAs(*shop.client, {"POST", "/orders/" + order_id + "/cancel", ""}, alice);
  CheckProblem(cancel, 404, "ORDER_NOT_FOUND");
  HttpReply keyed = Send(*shop.client, "POST", "/orders/" + order_id + "/cancel", "",
                         {{"Authorization", "Bearer " + alice}, {"Idempotency-Key", "steal"}});
  CheckProblem(keyed, 404, "ORDER_NOT_FOUND");
  // Byte for byte what an order that does not exist answers: nothing leaks.
  HttpReply absent =
      SendAs(*shop.client, {"GET", "/orders/00000000-0000-4000-8000-000000000000", ""}, alice);
  CHECK(read.body == absent.body);
  CHECK(shop.Observe() == before);
  CHECK(Str(CheckJson(SendAs(*shop.client, {"GET", "/orders/" + order_id, ""}, bob)),
            "orderStatus") == "SUCCESS");
}

TEST_CASE("coupons: a token issues and lists its sub's only, another user's coupon is not found") {
  JwtShop shop;
  CheckJson(Post(*shop.admin, "/coupons", CouponBody("c-jwt")), 201);
  std::string alice = shop.TokenOf("alice");
  std::string bob = shop.TokenOf("bob");
  Call issue_alice = {"POST", "/coupons/c-jwt/issue", Object({{"userId", Quote("alice")}})};
  Call issue_bob = {"POST", "/coupons/c-jwt/issue", Object({{"userId", Quote("bob")}})};
  rapidjson::Document mine = CheckJson(SendAs(*shop.client, issue_alice, alice));
  rapidjson::Document listed =
      CheckJson(SendAs(*shop.client, {"GET", "/users/alice/coupons", ""}, alice));
  REQUIRE(listed.Size() == 1);
  CHECK(ToText(listed[0]) == ToText(mine));
  std::string bobs = Str(CheckJson(SendAs(*shop.client, issue_bob, bob)), "userCouponId");
  std::vector<std::string> coupon_paths = {"/coupons/c-jwt", "/users/alice/coupons",
                                           "/users/bob/coupons"};
  std::vector<std::string> before = shop.Observe();
  std::vector<std::string> coupons_before = Observe(*shop.admin, coupon_paths);

  CheckForbidden(SendAs(*shop.client, issue_bob, alice));
  CheckForbidden(SendAs(*shop.client, {"GET", "/users/bob/coupons", ""}, alice));
  // Bob's coupon in alice's order is as unknown to her as one that does not exist.
  std::string order = OrderBody("alice", {{"p-cable", 1}});
  order.insert(order.size() - 1, ",\"userCouponId\":" + Quote(bobs));
  CheckProblem(SendAs(*shop.client, {"POST", "/order", order}, alice), 404, "COUPON_NOT_FOUND");
  HttpReply create = SendAs(*shop.client, {"POST", "/coupons", CouponBody("c-mine")}, alice);
  CheckForbidden(create);
  CHECK(create.www_authenticate == kInsufficientScope);
  CHECK(shop.Observe() == before);
  CHECK(Observe(*shop.admin, coupon_paths) == coupons_before);

  // The ecomm:admin scope creates campaigns and issues for anyone.
  std::string ops = shop.TokenOf("ops", "ecomm:admin");
  CheckJson(SendAs(*shop.client, {"POST", "/coupons", CouponBody("c-ops")}, ops), 201);
  CheckJson(SendAs(*shop.client,
                   {"POST", "/coupons/c-ops/issue", Object({{"userId", Quote("carol")}})}, ops));
  CHECK(CheckJson(SendAs(*shop.client, {"GET", "/users/carol/coupons", ""}, ops)).Size() == 1);
}

TEST_CASE(
    "admin routes: 403 insufficient_scope without ecomm:admin, the scope and the admin token act "
    "for anyone") {
  JwtShop shop;
  std::string order_id = PlaceOrderOk(*shop.admin, "bob", {{"p-mouse", 1}});
  std::vector<std::string> before = shop.Observe();
  std::string plain = shop.TokenOf("alice", "openid profile ecomm:administrator");
  for (const Call& call : ProtectedCalls(order_id)) {
    if (call.path != "/users" && call.path != "/products" && call.path != "/coupons" &&
        call.path.find("/restock") == std::string::npos && call.path != "/metrics") {
      continue;
    }
    CAPTURE(call.path);
    HttpReply refused = SendAs(*shop.client, call, plain);
    CheckForbidden(refused);
    CHECK(refused.www_authenticate == kInsufficientScope);
  }
  CHECK(shop.Observe() == before);

  std::string ops = shop.TokenOf("ops", "openid ecomm:admin");
  auto as_ops = [&](const Call& call) { return SendAs(*shop.client, call, ops); };
  CheckJson(as_ops({"POST", "/users",
                    Object({{"userId", Quote("dave")},
                            {"name", Quote("Dave")},
                            {"email", Quote("dave@example.com")}})}),
            201);
  CheckJson(as_ops({"POST", "/products/p-mouse/restock", Object({{"quantity", "5"}})}));
  CHECK(as_ops({"GET", "/metrics", ""}).status == 200);
  CHECK(Int(CheckJson(as_ops({"POST", "/balance/charge", ChargeBody("bob", 1)})),
            "currentBalance") == 20'000 - 2'500 + 1);
  CHECK(Str(CheckJson(as_ops({"POST", "/orders/" + order_id + "/cancel", ""})), "orderStatus") ==
        "CANCELLED");

  // The admin token still works, on admin routes and for any user.
  CheckJson(Post(*shop.admin, "/products",
                 Object({{"productId", Quote("p-new")},
                         {"name", Quote("New")},
                         {"price", "10"},
                         {"stock", "1"}})),
            201);
  CheckJson(Get(*shop.admin, "/cart?userId=carol"));
  CheckUnauthorized(Get(*shop.client, "/metrics", BearerToken("admin-token-for-test")));
}

TEST_CASE("Idempotency-Keys are per subject: two users may use one key, retries replay each") {
  JwtShop shop;
  std::string alice = shop.TokenOf("alice");
  std::string bob = shop.TokenOf("bob");
  auto charge = [&](const std::string& token, const std::string& user, int64_t amount) {
    return Send(*shop.client, "POST", "/balance/charge", ChargeBody(user, amount),
                {{"Authorization", "Bearer " + token}, {"Idempotency-Key", "same-key"}});
  };
  HttpReply alice_first = charge(alice, "alice", 100);
  HttpReply bob_first = charge(bob, "bob", 200);
  CHECK(Int(CheckJson(alice_first), "currentBalance") == 100'100);
  CHECK(Int(CheckJson(bob_first), "currentBalance") == 20'200);
  // The admin-scoped subject "ops" has a namespace of its own too.
  HttpReply ops_first = charge(shop.TokenOf("ops", "ecomm:admin"), "carol", 300);
  CHECK(Int(CheckJson(ops_first), "currentBalance") == 300);

  // Same key and body again: the first answer, nothing applied twice; also after a
  // restart (the scoped keys are in the log and the snapshot).
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    CHECK(charge(alice, "alice", 100).body == alice_first.body);
    CHECK(charge(bob, "bob", 200).body == bob_first.body);
    CheckProblem(charge(alice, "alice", 999), 422, "IDEMPOTENCY_KEY_REUSED");
    CHECK(BalanceOf(*shop.admin, "alice") == 100'100);
    CHECK(BalanceOf(*shop.admin, "bob") == 20'200);
    CHECK(BalanceOf(*shop.admin, "carol") == 300);
    shop.Restart();
  }
}

TEST_CASE("RS256 and HS256 servers accept their own tokens only") {
  TestKeys keys;
  TestServer rs({"--demo-data", "--auth", "jwt", "--jwt-key", keys.rs256_public()});
  auto rs_token = Mint(keys.rs256(), Spec("alice"));
  CheckJson(Get(rs.client(), "/balance?userId=alice", BearerToken(rs_token)));
  CheckUnauthorized(
      Get(rs.client(), "/balance?userId=alice", BearerToken(Mint(keys.es256(), Spec("alice")))));
  CheckUnauthorized(Get(rs.client(), "/balance?userId=alice",
                        BearerToken(ConfusedToken(keys.rs256_public(), "alice"))));

  TestServer hs({"--demo-data", "--auth", "jwt", "--jwt-hs256-secret-file", keys.hs256_secret()});
  CheckJson(Get(hs.client(), "/balance?userId=bob", BearerToken(Mint(keys.hs256(), Spec("bob")))));
  CheckUnauthorized(Get(hs.client(), "/balance?userId=bob", BearerToken(rs_token)));
  auth::JwtKey other{auth::JwtAlgorithm::kHs256, std::string(40, 'x')};
  CheckUnauthorized(Get(hs.client(), "/balance?userId=bob", BearerToken(Mint(other, Spec("bob")))));
}

TEST_CASE("protected mode: a public --listen without --auth refuses to start and says why") {
  TestKeys keys;
  auto run = [&](std::vector<std::string> flags, const std::string& name) {
    std::vector<std::string> argv = {ECOMM_SERVER_BIN, "--data-dir", keys.dir() + "/" + name};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return std::make_unique<ChildProcess>(argv, keys.dir() + "/" + name + ".out",
                                          keys.dir() + "/" + name + ".err");
  };
  auto open = run({"--listen", "0.0.0.0:0"}, "open");
  CHECK(open->Wait(std::chrono::seconds(10)) == 2);
  CHECK(open->Stderr().find("0.0.0.0 is not a loopback address") != std::string::npos);
  CHECK(open->Stderr().find("--auth jwt") != std::string::npos);

  auto bad_key =
      run({"--listen", "0.0.0.0:0", "--auth", "jwt", "--jwt-key", keys.hs256_secret()}, "bad-key");
  CHECK(bad_key->Wait(std::chrono::seconds(10)) == 2);
  CHECK(bad_key->Stderr().find("no PEM public key") != std::string::npos);

  auto guarded =
      run({"--listen", "0.0.0.0:0", "--auth", "jwt", "--jwt-key", keys.es256_public()}, "guarded");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (guarded->Stderr().find("listening on 0.0.0.0:") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(guarded->Stderr().find("(auth jwt ES256") != std::string::npos);
  CHECK(guarded->Stop() == 0);
}

}  // namespace
}  // namespace ecomm::testing
