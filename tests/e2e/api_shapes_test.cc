// Every endpoint's success answer over real HTTP: status, Content-Type, the exact
// field names and types of SPEC.md's table, and the values the demo data implies.
#include <doctest/doctest.h>

#include <map>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// The members SPEC.md's table names for each answer.
const std::initializer_list<const char*> kBalanceFields = {"userId", "currentBalance"};
const std::initializer_list<const char*> kEntryFields = {
    "transactionId", "amount",    "transactionType", "balanceBefore",
    "balanceAfter",  "createdAt", "orderId"};
const std::initializer_list<const char*> kProductFields = {"productId", "name", "price", "stock"};
const std::initializer_list<const char*> kOrderFields = {"orderId",   "userId",       "totalPrice",
                                                         "discount",  "userCouponId", "orderStatus",
                                                         "orderDate", "items"};
// ERD fields the table leaves out: a server may add them, nothing else.
const std::initializer_list<const char*> kTimestamps = {"createdAt", "updatedAt"};
const std::initializer_list<const char*> kUpdatedAt = {"updatedAt"};

void CheckPageShape(const rapidjson::Value& page) {
  CheckMembers(page, {"items", "nextCursor"});
  REQUIRE(page["items"].IsArray());
  CHECK((page["nextCursor"].IsNull() || page["nextCursor"].IsString()));
}

void CheckEntry(const rapidjson::Value& entry, std::string_view type) {
  CheckMembers(entry, kEntryFields);
  CHECK(IsUuid(Str(entry, "transactionId")));
  CHECK(Str(entry, "transactionType") == type);
  CHECK(Int(entry, "balanceAfter") - Int(entry, "balanceBefore") == Int(entry, "amount"));
  CHECK(IsTimestamp(Str(entry, "createdAt")));
}

// An order without a coupon as POST /order and GET /orders answer it; `with_history`
// for GET /orders/{id}. (Orders with coupons: coupons_test.cc.)
void CheckOrderShape(const rapidjson::Value& order, bool with_history) {
  if (with_history) {
    CheckMembers(order,
                 {"orderId", "userId", "totalPrice", "discount", "userCouponId", "orderStatus",
                  "orderDate", "items", "history"},
                 kUpdatedAt);
  } else {
    CheckMembers(order, kOrderFields, kUpdatedAt);
  }
  CHECK(IsUuid(Str(order, "orderId")));
  CHECK(IsTimestamp(Str(order, "orderDate")));
  int64_t total = 0;
  for (const rapidjson::Value& item : Array(order, "items").GetArray()) {
    CheckMembers(item, {"productId", "quantity", "price"});
    total += Int(item, "quantity") * Int(item, "price");
  }
  CHECK(Int(order, "totalPrice") == total);
  CHECK(Int(order, "discount") == 0);
  CheckNull(order, "userCouponId");
  if (!with_history) return;
  for (const rapidjson::Value& h : Array(order, "history").GetArray()) {
    CheckMembers(h, {"orderStatus", "reason", "changedBy", "changedAt"});
    CHECK((h["reason"].IsNull() || h["reason"].IsString()));
    std::string by = Str(h, "changedBy");
    CHECK((by == "SYSTEM" || by == "ADMIN" || by == "USER"));
    CHECK(IsTimestamp(Str(h, "changedAt")));
  }
}

// The statuses of an order's history, oldest first.
std::vector<std::string> HistoryStatuses(const rapidjson::Value& order) {
  std::vector<std::string> out;
  for (const rapidjson::Value& h : Array(order, "history").GetArray()) {
    out.push_back(Str(h, "orderStatus"));
  }
  return out;
}

std::map<std::string, std::pair<int64_t, int64_t>> ItemsById(const rapidjson::Value& order) {
  std::map<std::string, std::pair<int64_t, int64_t>> out;  // quantity, price
  for (const rapidjson::Value& item : Array(order, "items").GetArray()) {
    out[Str(item, "productId")] = {Int(item, "quantity"), Int(item, "price")};
  }
  return out;
}

std::vector<std::string> Ids(const rapidjson::Value& array, const char* field) {
  std::vector<std::string> out;
  for (const rapidjson::Value& v : array.GetArray()) out.push_back(Str(v, field));
  return out;
}

}  // namespace

TEST_CASE("e2e: charge and balance answer {userId,currentBalance}") {
  TestServer server;
  std::string user = CreateUser(server.client());
  rapidjson::Document charged = CheckJson(Charge(server.client(), user, 1'000));
  CheckMembers(charged, kBalanceFields, kUpdatedAt);
  CHECK(Str(charged, "userId") == user);
  CHECK(Int(charged, "currentBalance") == 1'000);
  CHECK(Int(CheckJson(Charge(server.client(), user, 1'000'000'000)), "currentBalance") ==
        1'000'001'000);

  rapidjson::Document balance = CheckJson(Get(server.client(), "/balance?userId=" + user));
  CheckMembers(balance, kBalanceFields, kUpdatedAt);
  CHECK(Str(balance, "userId") == user);
  CHECK(Int(balance, "currentBalance") == 1'000'001'000);
  // The demo balances.
  CHECK(BalanceOf(server.client(), "alice") == 100'000);
  CHECK(BalanceOf(server.client(), "bob") == 20'000);
  CHECK(BalanceOf(server.client(), "carol") == 0);
}

TEST_CASE("e2e: a mutation answers its Ecomm-Lsn, a standalone server is its own primary") {
  TestServer server;
  std::string user = CreateUser(server.client());
  HttpReply charged =
      Post(server.client(), "/balance/charge", R"({"userId":")" + user + R"(","amount":5})");
  REQUIRE(charged.status == 200);
  int64_t lsn = std::stoll(charged.Header("Ecomm-Lsn"));
  CHECK(lsn > 0);
  rapidjson::Document state = CheckJson(Get(server.client(), "/admin/replication"));
  CHECK(Str(state, "role") == "primary");
  CHECK(Str(state, "replication") == "off");
  CHECK(Int(state, "epoch") == 0);
  CHECK(Int(state, "appliedLsn") == lsn);
  CHECK(state["primaryUrl"].IsNull());
  rapidjson::Document digest = CheckJson(Get(server.client(), "/admin/digest"));
  CHECK(Int(digest, "lsn") == lsn);
  CHECK(Str(digest, "digest").size() == 16);
  // Nothing moved: the digest is the same when asked again.
  CHECK(Str(CheckJson(Get(server.client(), "/admin/digest")), "digest") == Str(digest, "digest"));
}

TEST_CASE("e2e: balance history pages newest first and follows nextCursor") {
  TestServer server;
  std::string user = CreateUser(server.client());
  // 21 charges: one more than the default page of 20.
  for (int i = 1; i <= 21; ++i) CheckJson(Charge(server.client(), user, i * 10));

  std::string path = "/balance/history?userId=" + user;
  rapidjson::Document first = CheckJson(Get(server.client(), path));
  CheckPageShape(first);
  REQUIRE(first["items"].Size() == 20);
  CHECK(Int(first["items"][0], "amount") == 210);  // newest first
  CHECK(Int(first["items"][19], "amount") == 20);
  REQUIRE(first["nextCursor"].IsString());
  rapidjson::Document second = CheckJson(
      Get(server.client(), path + "&cursor=" + std::string(first["nextCursor"].GetString())));
  CheckPageShape(second);
  REQUIRE(second["items"].Size() == 1);
  CHECK(Int(second["items"][0], "amount") == 10);
  CheckNull(second, "nextCursor");

  // A cursor stays valid while the list grows: the next page continues where the
  // first ended, and the new entry shows only on a fresh first page.
  rapidjson::Document top = CheckJson(Get(server.client(), path + "&limit=3"));
  CheckJson(Charge(server.client(), user, 5));
  rapidjson::Document after = CheckJson(
      Get(server.client(), path + "&limit=3&cursor=" + std::string(top["nextCursor"].GetString())));
  CHECK(Int(after["items"][0], "amount") == 180);
  CHECK(Int(CheckJson(Get(server.client(), path + "&limit=1"))["items"][0], "amount") == 5);

  // Small pages: 22 entries in pages of 8 are 8, 8, 6, newest first throughout.
  std::vector<int64_t> sizes, amounts;
  std::string cursor;
  do {
    rapidjson::Document page = CheckJson(
        Get(server.client(), path + "&limit=8" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    CheckPageShape(page);
    sizes.push_back(page["items"].Size());
    for (const rapidjson::Value& entry : page["items"].GetArray()) {
      CheckEntry(entry, "CHARGE");
      CheckNull(entry, "orderId");
      amounts.push_back(Int(entry, "amount"));
    }
    cursor = page["nextCursor"].IsNull() ? "" : page["nextCursor"].GetString();
  } while (!cursor.empty());
  CHECK(sizes == std::vector<int64_t>{8, 8, 6});
  std::vector<int64_t> expected = {5};
  for (int i = 21; i >= 1; --i) expected.push_back(i * 10);
  CHECK(amounts == expected);
}

TEST_CASE("e2e: products list by productId with limit and after, and one product") {
  TestServer server;
  rapidjson::Document all = CheckJson(Get(server.client(), "/products"));
  REQUIRE(all.IsArray());
  for (const rapidjson::Value& p : all.GetArray()) CheckMembers(p, kProductFields, kTimestamps);
  CHECK(Ids(all, "productId") ==
        std::vector<std::string>{"p-cable", "p-keyboard", "p-monitor", "p-mouse", "p-stand"});
  CHECK(Str(all[0], "name") == "USB-C cable");
  CHECK(Int(all[0], "price") == 900);
  CHECK(Int(all[0], "stock") == 500);

  auto ids = [&](const std::string& query) {
    rapidjson::Document page = CheckJson(Get(server.client(), "/products" + query));
    REQUIRE(page.IsArray());
    return Ids(page, "productId");
  };
  CHECK(ids("?limit=2") == std::vector<std::string>{"p-cable", "p-keyboard"});
  CHECK(ids("?limit=2&after=p-keyboard") == std::vector<std::string>{"p-monitor", "p-mouse"});
  CHECK(ids("?after=p-mouse") == std::vector<std::string>{"p-stand"});
  CHECK(ids("?after=p-stand").empty());
  CHECK(ids("?limit=100").size() == 5);

  rapidjson::Document one = CheckJson(Get(server.client(), "/products/p-monitor"));
  CheckMembers(one, kProductFields, kTimestamps);
  CHECK(Str(one, "productId") == "p-monitor");
  CHECK(Str(one, "name") == "27-inch monitor");
  CHECK(Int(one, "price") == 32'000);
  CHECK(Int(one, "stock") == 10);
}

TEST_CASE("e2e: admin creates products and users (201) and restocks (200)") {
  TestServer server;
  rapidjson::Document product =
      CheckJson(Post(server.client(), "/products",
                     R"({"productId":"p-new","name":"New thing","price":0,"stock":7})"),
                201);
  CheckMembers(product, kProductFields, kTimestamps);
  CHECK(Str(product, "productId") == "p-new");
  CHECK(Int(product, "price") == 0);
  CHECK(Int(product, "stock") == 7);
  rapidjson::Document generated = CheckJson(
      Post(server.client(), "/products", R"({"name":"Anon","price":1000000000,"stock":0})"), 201);
  CHECK(IsUuid(Str(generated, "productId")));
  CHECK(StockOf(server.client(), Str(generated, "productId")) == 0);

  rapidjson::Document restocked =
      CheckJson(Post(server.client(), "/products/p-new/restock", R"({"quantity":1000000000})"));
  CheckMembers(restocked, kProductFields, kTimestamps);
  CHECK(Int(restocked, "stock") == 1'000'000'007);
  CHECK(StockOf(server.client(), "p-new") == 1'000'000'007);

  rapidjson::Document user = CheckJson(
      Post(server.client(), "/users", R"({"userId":"dave","name":"Dave","email":"d@x.io"})"), 201);
  CheckMembers(user, {"userId", "name", "email"}, kTimestamps);
  CHECK(Str(user, "userId") == "dave");
  CHECK(Str(user, "name") == "Dave");
  CHECK(Str(user, "email") == "d@x.io");
  rapidjson::Document fetched = CheckJson(Get(server.client(), "/users/dave"));
  CHECK(ToText(fetched) == ToText(user));
  // A new user starts with a zero balance and an empty cart.
  CHECK(BalanceOf(server.client(), "dave") == 0);
  rapidjson::Document anonymous =
      CheckJson(Post(server.client(), "/users", R"({"name":"Eve","email":"e@x.io"})"), 201);
  CHECK(IsUuid(Str(anonymous, "userId")));
  CheckJson(Get(server.client(), "/users/" + Str(anonymous, "userId")));
}

TEST_CASE("e2e: an order merges duplicate lines, captures prices and pays") {
  TestServer server;
  HttpReply placed =
      PlaceOrder(server.client(), "alice", {{"p-cable", 2}, {"p-mouse", 1}, {"p-cable", 1}});
  rapidjson::Document order = CheckJson(placed);
  CheckOrderShape(order, false);
  CHECK(Str(order, "userId") == "alice");
  CHECK(Str(order, "orderStatus") == "SUCCESS");
  CHECK(Int(order, "totalPrice") == 3 * 900 + 2'500);
  using Line = std::pair<int64_t, int64_t>;
  CHECK(ItemsById(order) ==
        std::map<std::string, Line>{{"p-cable", Line{3, 900}}, {"p-mouse", Line{1, 2'500}}});
  std::string id = Str(order, "orderId");

  CHECK(BalanceOf(server.client(), "alice") == 100'000 - 5'200);
  CHECK(StockOf(server.client(), "p-cable") == 497);
  CHECK(StockOf(server.client(), "p-mouse") == 119);
  rapidjson::Document history =
      CheckJson(Get(server.client(), "/balance/history?userId=alice&limit=1"));
  CheckEntry(history["items"][0], "PAYMENT");
  CHECK(Int(history["items"][0], "amount") == -5'200);
  CHECK(Str(history["items"][0], "orderId") == id);

  rapidjson::Document fetched = CheckJson(Get(server.client(), "/orders/" + id));
  CheckOrderShape(fetched, true);
  CHECK(HistoryStatuses(fetched) == std::vector<std::string>{"PENDING", "SUCCESS"});
  CHECK(Str(fetched, "orderId") == id);
  CHECK(Str(fetched, "orderDate") == Str(order, "orderDate"));
  CHECK(ItemsById(fetched) == ItemsById(order));
}

TEST_CASE("e2e: cancel answers the CANCELLED order, refunds and restores stock") {
  TestServer server;
  std::string id = PlaceOrderOk(server.client(), "bob", {{"p-stand", 2}});
  CHECK(StockOf(server.client(), "p-stand") == 1);

  rapidjson::Document cancelled = CheckJson(Cancel(server.client(), id));
  CheckOrderShape(cancelled, true);
  CHECK(Str(cancelled, "orderStatus") == "CANCELLED");
  CHECK(HistoryStatuses(cancelled) == std::vector<std::string>{"PENDING", "SUCCESS", "CANCELLED"});
  const rapidjson::Value& last = cancelled["history"][2];
  CHECK(Str(last, "changedBy") == "USER");
  CHECK(!Str(last, "reason").empty());

  CHECK(BalanceOf(server.client(), "bob") == 20'000);
  CHECK(StockOf(server.client(), "p-stand") == 3);
  rapidjson::Document history =
      CheckJson(Get(server.client(), "/balance/history?userId=bob&limit=1"));
  CheckEntry(history["items"][0], "REFUND");
  CHECK(Int(history["items"][0], "amount") == 6'800);
  CHECK(Str(history["items"][0], "orderId") == id);
  CHECK(ToText(CheckJson(Get(server.client(), "/orders/" + id))) == ToText(cancelled));
}

TEST_CASE("e2e: orders page newest first, FAILED and CANCELLED included") {
  TestServer server;
  std::string user = CreateUser(server.client(), 10'000);
  std::string first = PlaceOrderOk(server.client(), user, {{"p-cable", 1}});
  CheckProblem(PlaceOrder(server.client(), user, {{"p-monitor", 1}}), 409, "INSUFFICIENT_BALANCE");
  std::string third = PlaceOrderOk(server.client(), user, {{"p-mouse", 1}});
  CheckJson(Cancel(server.client(), third));

  std::string path = "/orders?userId=" + user;
  rapidjson::Document page = CheckJson(Get(server.client(), path + "&limit=2"));
  CheckPageShape(page);
  REQUIRE(page["items"].Size() == 2);
  for (const rapidjson::Value& order : page["items"].GetArray()) CheckOrderShape(order, false);
  CHECK(Str(page["items"][0], "orderId") == third);
  CHECK(Str(page["items"][0], "orderStatus") == "CANCELLED");
  CHECK(Str(page["items"][1], "orderStatus") == "FAILED");
  REQUIRE(page["nextCursor"].IsString());
  rapidjson::Document rest =
      CheckJson(Get(server.client(), path + "&limit=2&cursor=" + page["nextCursor"].GetString()));
  REQUIRE(rest["items"].Size() == 1);
  CHECK(Str(rest["items"][0], "orderId") == first);
  CHECK(Str(rest["items"][0], "orderStatus") == "SUCCESS");
  CheckNull(rest, "nextCursor");
  CHECK(CheckJson(Get(server.client(), path))["items"].Size() == 3);
}

TEST_CASE("e2e: top products count SUCCESS units of the last 72 hours, top 5") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  CHECK(CheckJson(Get(c, "/products/top")).Size() == 0);  // no sales yet
  // Letters sort as the ranking's tie-break (productId ascending) expects.
  for (const char* id : {"top-a", "top-b", "top-c", "top-d", "top-e", "top-f", "top-g"}) {
    CreateProduct(c, 10, 1'000, id);
  }
  std::string buyer = CreateUser(c, 1'000'000);
  PlaceOrderOk(c, buyer, {{"top-a", 5}, {"top-c", 3}});
  std::string b_order = PlaceOrderOk(c, buyer, {{"top-b", 8}});
  PlaceOrderOk(c, buyer, {{"top-c", 4}, {"top-d", 1}, {"top-e", 2}});
  PlaceOrderOk(c, buyer, {{"top-f", 2}});
  // A FAILED order sells nothing.
  CheckProblem(PlaceOrder(c, buyer, {{"top-g", 1'001}}), 409, "OUT_OF_STOCK");

  auto ranking = [&] {
    rapidjson::Document top = CheckJson(Get(c, "/products/top"));
    REQUIRE(top.IsArray());
    std::vector<std::pair<std::string, int64_t>> out;
    for (const rapidjson::Value& p : top.GetArray()) {
      CheckMembers(p, {"productId", "name", "price", "totalSales"});
      CHECK(Int(p, "price") == 10);
      CHECK(Str(p, "name") == "Product " + Str(p, "productId"));
      out.emplace_back(Str(p, "productId"), Int(p, "totalSales"));
    }
    return out;
  };
  using Ranked = std::vector<std::pair<std::string, int64_t>>;
  CHECK(ranking() == Ranked{{"top-b", 8}, {"top-c", 7}, {"top-a", 5}, {"top-e", 2}, {"top-f", 2}});
  CheckJson(Cancel(c, b_order));  // its units leave the window
  CHECK(ranking() == Ranked{{"top-c", 7}, {"top-a", 5}, {"top-e", 2}, {"top-f", 2}, {"top-d", 1}});
  // The window is (now - 72 h, now] to the minute: 72 h less 2 min later the sales
  // are still in it, 72 h and 1 min later they have left it.
  Ranked before_expiry = ranking();
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":259080})"));
  CHECK(ranking() == before_expiry);
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":180})"));
  CHECK(ranking().empty());
}

TEST_CASE("e2e: cart add accumulates, remove by query or body, get shows availability") {
  TestServer server;
  httplib::Client& c = server.client();
  auto check_cart = [](const rapidjson::Value& cart) {
    CheckMembers(cart, {"userId", "items", "totalPrice"});
    int64_t total = 0;
    for (const rapidjson::Value& line : Array(cart, "items").GetArray()) {
      CheckMembers(line, {"productId", "name", "price", "quantity", "available"});
      Bool(line, "available");
      total += Int(line, "price") * Int(line, "quantity");
    }
    CHECK(Int(cart, "totalPrice") == total);
  };
  rapidjson::Document cart = CheckJson(Post(c, "/cart/add", CartAddBody("bob", "p-stand", 2)));
  check_cart(cart);
  CHECK(Str(cart, "userId") == "bob");
  REQUIRE(cart["items"].Size() == 1);
  CHECK(Str(cart["items"][0], "name") == "Laptop stand");
  CHECK(Bool(cart["items"][0], "available"));
  // 2 + 2 = 4 units of a product with 3 in stock: accumulated, not reserved, unavailable.
  cart = CheckJson(Post(c, "/cart/add", CartAddBody("bob", "p-stand", 2)));
  CHECK(Int(cart["items"][0], "quantity") == 4);
  CHECK_FALSE(Bool(cart["items"][0], "available"));
  CHECK(StockOf(c, "p-stand") == 3);
  cart = CheckJson(Post(c, "/cart/add", CartAddBody("bob", "p-cable", 1)));
  check_cart(cart);
  CHECK(Int(cart, "totalPrice") == 4 * 3'400 + 900);
  CHECK(ToText(CheckJson(Get(c, "/cart?userId=bob"))) == ToText(cart));

  cart = CheckJson(Delete(c, "/cart/remove?userId=bob&productId=p-stand"));
  check_cart(cart);
  REQUIRE(cart["items"].Size() == 1);
  CHECK(Str(cart["items"][0], "productId") == "p-cable");
  cart = CheckJson(Delete(c, "/cart/remove", R"({"userId":"bob","productId":"p-cable"})"));
  CHECK(cart["items"].Size() == 0);
  CHECK(Int(cart, "totalPrice") == 0);
  CHECK(ToText(CheckJson(Get(c, "/cart?userId=bob"))) == ToText(cart));
}

TEST_CASE("e2e: an order fromCart buys the whole cart and empties it") {
  TestServer server;
  httplib::Client& c = server.client();
  CheckJson(Post(c, "/cart/add", CartAddBody("alice", "p-keyboard", 1)));
  CheckJson(Post(c, "/cart/add", CartAddBody("alice", "p-mouse", 2)));
  rapidjson::Document order = CheckJson(Post(c, "/order", CartOrderBody("alice")));
  CheckOrderShape(order, false);
  CHECK(Str(order, "orderStatus") == "SUCCESS");
  CHECK(Int(order, "totalPrice") == 8'900 + 2 * 2'500);
  using Line = std::pair<int64_t, int64_t>;
  CHECK(ItemsById(order) ==
        std::map<std::string, Line>{{"p-keyboard", Line{1, 8'900}}, {"p-mouse", Line{2, 2'500}}});
  CHECK(CheckJson(Get(c, "/cart?userId=alice"))["items"].Size() == 0);
  CHECK(BalanceOf(c, "alice") == 100'000 - 13'900);
  CHECK(StockOf(c, "p-keyboard") == 39);
}

TEST_CASE("e2e: healthz, metrics and openapi.json") {
  TestServer server;
  httplib::Client& c = server.client();
  rapidjson::Document health = CheckJson(Get(c, "/healthz"));
  CheckMembers(health, {"status", "writable", "readable", "lsn"});
  CHECK(Str(health, "status") == "ok");
  CHECK(Bool(health, "writable"));
  CHECK(Bool(health, "readable"));

  REQUIRE(Post(c, "/balance/charge", R"({"userId":"alice","amount":1})").status == 200);
  HttpReply metrics = Get(c, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.content_type.starts_with("text/plain"));
  auto has = [&](const std::string& text) {
    CHECK_MESSAGE(metrics.body.find(text) != std::string::npos, "/metrics lacks ", text);
  };
  has("# TYPE ecomm_http_requests_total counter");
  // The requests above were counted and timed, by route and status.
  has("ecomm_http_requests_total{route=\"GET /healthz\",status=\"200\"} 1\n");
  has("ecomm_http_requests_total{route=\"POST /balance/charge\",status=\"200\"} 1\n");
  has("# TYPE ecomm_http_request_duration_seconds histogram");
  has("ecomm_http_request_duration_seconds_count{route=\"POST /balance/charge\"} 1\n");
  // The charge was logged and synced: fsync latency and batch size histograms.
  has("# TYPE ecomm_wal_fsync_seconds histogram");
  has("ecomm_wal_fsync_seconds_bucket{le=\"+Inf\"}");
  has("# TYPE ecomm_wal_batch_records histogram");
  has("# TYPE ecomm_wal_syncs_total counter");
  has("ecomm_snapshot_age_seconds ");
  has("ecomm_users 3\n");
  // The log's state and its failures (none here).
  has("ecomm_log_state{state=\"ok\"} 1\n");
  has("ecomm_log_state{state=\"reloading\"} 0\n");
  has("ecomm_log_state{state=\"read-only\"} 0\n");
  has("ecomm_wal_failures_total 0\n");
  has("ecomm_wal_unreadable_cursors 0\n");

  rapidjson::Document api = CheckJson(Get(c, "/openapi.json"));
  CHECK(Str(api, "openapi").starts_with("3."));
  const rapidjson::Value& paths = api["paths"];
  REQUIRE(paths.IsObject());
  for (const char* path : {"/balance/charge", "/balance", "/balance/history", "/products",
                           "/products/{productId}", "/order", "/orders/{orderId}", "/orders",
                           "/orders/{orderId}/cancel", "/products/top", "/cart/add", "/cart/remove",
                           "/cart", "/users", "/users/{userId}", "/products/{productId}/restock"}) {
    CHECK_MESSAGE(paths.HasMember(path), "openapi.json lacks ", path);
  }
}

TEST_CASE("e2e: POST /admin/clock answers {now} only with --test-clock") {
  {
    TestServer server({"--test-clock"});
    rapidjson::Document first =
        CheckJson(Post(server.client(), "/admin/clock", R"({"advanceSeconds":86400})"));
    CheckMembers(first, {"now"});
    CHECK(IsTimestamp(Str(first, "now")));
    rapidjson::Document second =
        CheckJson(Post(server.client(), "/admin/clock", R"({"advanceSeconds":1})"));
    CHECK(Str(second, "now") > Str(first, "now"));  // same format: text order is time order
    // What the engine stamps follows the moved clock.
    rapidjson::Document user = CheckJson(
        Post(server.client(), "/users", R"({"userId":"t","name":"T","email":"t@x"})"), 201);
    CHECK(Str(user, "createdAt") >= Str(second, "now"));
  }
  TestServer plain(std::vector<std::string>{});  // no demo data
  CheckProblem(Post(plain.client(), "/admin/clock", R"({"advanceSeconds":1})"), 404, "NOT_FOUND");
}

}  // namespace ecomm::testing
