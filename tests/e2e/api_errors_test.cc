// Every error of SPEC.md's table over real HTTP: its status, its problem+json body
// and its code, and that the server shows exactly what it showed before (no
// half-applied change), re-read through the public API.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// What the demo data's users and products show: the bodies every rejected request
// below must leave exactly as they were.
std::vector<std::string> DemoPaths() {
  std::vector<std::string> paths = {"/products", "/products/top"};
  for (const char* user : {"alice", "bob", "carol"}) {
    for (std::string& path : AccountPaths(user)) paths.push_back(std::move(path));
  }
  return paths;
}

// Sends each body to `path` and expects 400 INVALID_REQUEST for every one.
void ExpectInvalid(httplib::Client& client, const std::string& path,
                   const std::vector<std::string>& bodies) {
  for (const std::string& body : bodies) {
    INFO("POST ", path, " ", body.substr(0, 200));
    CheckProblem(Post(client, path, body), 400, "INVALID_REQUEST");
  }
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("e2e: 400 for malformed or mistyped charge bodies, nothing charged") {
  TestServer server;
  std::vector<std::string> before = Observe(server.client(), DemoPaths());
  auto charge = [](std::string amount) {
    return Object({{"userId", Quote("alice")}, {"amount", std::move(amount)}});
  };
  ExpectInvalid(server.client(), "/balance/charge",
                {
                    "",
                    "{",
                    "not json",
                    R"({"userId":"alice","amount":10} trailing)",
                    R"({"userId":"alice","amount":10,})",
                    "[]",
                    "null",
                    R"({"amount":10})",                    // missing userId
                    R"({"userId":"alice"})",               // missing amount
                    R"({"userId":42,"amount":10})",        // userId not a string
                    R"({"userId":"","amount":10})",        // empty id
                    charge("1.5"),                         // float
                    charge("1.0"),                         // an integral float
                    charge("1e3"),                         // exponent: a double
                    charge("true"),                        // bool
                    charge(R"("100")"),                    // string
                    charge("null"),                        // null
                    charge("[10]"),                        // array
                    charge("0"),                           // not positive
                    charge("-5"),                          // negative
                    charge("1000000001"),                  // over 10^9
                    charge("9007199254740992"),            // 2^53
                    charge("99999999999999999999999999"),  // beyond int64
                });
  CHECK(Observe(server.client(), DemoPaths()) == before);
  // The bounds themselves are accepted.
  CHECK(Int(CheckJson(Post(server.client(), "/balance/charge", charge("1"))), "currentBalance") ==
        100'001);
  CHECK(Int(CheckJson(Post(server.client(), "/balance/charge", charge("1000000000"))),
            "currentBalance") == 1'000'100'001);
}

TEST_CASE("e2e: 400 for invalid order requests, no order recorded") {
  TestServer server;
  auto items = [](std::string list) {
    return Object({{"userId", Quote("alice")}, {"items", std::move(list)}});
  };
  auto line = [](const std::string& product, std::string quantity) {
    return Object({{"productId", Quote(product)}, {"quantity", std::move(quantity)}});
  };
  // 101 lines, of products that do not even exist: the shape is checked first.
  std::string many = "[";
  for (int i = 0; i < 101; ++i) many += (i ? "," : "") + line("nope-" + std::to_string(i), "1");
  // Ten lines of 10^6 units at 10^9 each: a total of 10^16, over 2^53-1.
  std::vector<std::string> gold_ids;
  std::string gold = "[";
  for (int i = 0; i < 10; ++i) {
    gold_ids.push_back(CreateProduct(server.client(), 1'000'000'000, 0));
    gold += (i ? "," : "") + line(gold_ids.back(), "1000000");
  }
  std::vector<std::string> before = Observe(server.client(), DemoPaths());
  ExpectInvalid(
      server.client(), "/order",
      {
          R"({"userId":"alice"})",                                // neither items nor fromCart
          R"({"items":[{"productId":"p-cable","quantity":1}]})",  // no userId
          items("[]"),                                            // empty items
          items(R"({"productId":"p-cable","quantity":1})"),       // items not an array
          items(R"(["p-cable"])"),                                // an item not an object
          items(R"([{"productId":"p-cable"}])"),                  // no quantity
          items(R"([{"quantity":1}])"),                           // no productId
          items("[" + line("p-cable", "0") + "]"), items("[" + line("p-cable", "-1") + "]"),
          items("[" + line("p-cable", "1000001") + "]"), items("[" + line("p-cable", "1.5") + "]"),
          items("[" + line("p-cable", "2.0") + "]"), items("[" + line("p-cable", R"("1")") + "]"),
          items("[" + line("p-cable", "true") + "]"),
          items("[" + line("nope", "0") + "]"),  // the quantity before the lookup
          // Two lines of one product merge to 10^6 + 1 units.
          items("[" + line("p-cable", "600000") + "," + line("p-cable", "400001") + "]"),
          items(many + "]"), items(gold + "]"),
          R"({"userId":"alice","fromCart":true,"items":[{"productId":"p-cable","quantity":1}]})",
          R"({"userId":"alice","fromCart":"yes"})",
          R"({"userId":"alice","fromCart":true})",  // the cart is empty
      });
  CHECK(Observe(server.client(), DemoPaths()) == before);
  for (const std::string& id : gold_ids) CHECK(StockOf(server.client(), id) == 0);
}

TEST_CASE("e2e: at most 100 lines per order and per cart, 10^6 units per cart line") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string user = CreateUser(c, 1'000'000);
  Lines hundred;
  for (int i = 0; i < 101; ++i) hundred.emplace_back(CreateProduct(c, 1, 10), 1);
  std::string extra = hundred.back().first;
  hundred.pop_back();

  // 100 lines: the limit itself is an order.
  for (const auto& [product, quantity] : hundred) {
    CheckJson(Post(c, "/cart/add", CartAddBody(user, product, quantity)));
  }
  std::vector<std::string> before = Observe(c, AccountPaths(user));
  CheckProblem(Post(c, "/cart/add", CartAddBody(user, extra, 1)), 400, "INVALID_REQUEST");
  CheckProblem(Post(c, "/cart/add", CartAddBody(user, hundred[0].first, 0)), 400,
               "INVALID_REQUEST");
  CheckProblem(Post(c, "/cart/add", CartAddBody(user, hundred[0].first, 1'000'001)), 400,
               "INVALID_REQUEST");
  // One unit in the line already: 10^6 more would make 10^6 + 1.
  CheckProblem(Post(c, "/cart/add", CartAddBody(user, hundred[0].first, 1'000'000)), 400,
               "INVALID_REQUEST");
  CHECK(Observe(c, AccountPaths(user)) == before);
  CheckJson(Post(c, "/cart/add", CartAddBody(user, hundred[0].first, 999'999)));
  CheckJson(Delete(c, "/cart/remove?userId=" + user + "&productId=" + hundred[0].first));

  rapidjson::Document order = CheckJson(PlaceOrder(c, user, hundred));
  CHECK(Array(order, "items").Size() == 100);
  CHECK(Int(order, "totalPrice") == 100);
}

TEST_CASE("e2e: 400 for page limits and cursors the server did not issue") {
  TestServer server;
  httplib::Client& c = server.client();
  for (int i = 0; i < 3; ++i) CheckJson(Charge(c, "bob", 1));
  std::string bob_history =
      CheckJson(Get(c, "/balance/history?userId=bob&limit=1"))["nextCursor"].GetString();
  std::string bob_orders_page;
  for (int i = 0; i < 2; ++i) PlaceOrderOk(c, "bob", {{"p-cable", 1}});
  bob_orders_page = CheckJson(Get(c, "/orders?userId=bob&limit=1"))["nextCursor"].GetString();

  for (const char* list : {"/balance/history?userId=bob", "/orders?userId=bob"}) {
    for (const char* limit : {"0", "101", "-1", "abc", "1.5", "", "99999999999999999999"}) {
      INFO(list, " limit=", limit);
      CheckProblem(Get(c, std::string(list) + "&limit=" + limit), 400, "INVALID_REQUEST");
    }
    CheckJson(Get(c, std::string(list) + "&limit=1"));
    CheckJson(Get(c, std::string(list) + "&limit=100"));
  }
  for (const char* limit : {"0", "101", "x"}) {
    CheckProblem(Get(c, std::string("/products?limit=") + limit), 400, "INVALID_REQUEST");
  }
  std::vector<std::string> bogus = {
      "abc", "", "1.deadbeef", "0", "-1", bob_history + "0", "99999999999999999999.00000000"};
  for (const std::string& cursor : bogus) {
    INFO("cursor=", cursor);
    CheckProblem(Get(c, "/balance/history?userId=bob&cursor=" + cursor), 400, "INVALID_REQUEST");
    CheckProblem(Get(c, "/orders?userId=bob&cursor=" + cursor), 400, "INVALID_REQUEST");
  }
  // A real cursor, but for another list or another user.
  CheckProblem(Get(c, "/orders?userId=bob&cursor=" + bob_history), 400, "INVALID_REQUEST");
  CheckProblem(Get(c, "/balance/history?userId=bob&cursor=" + bob_orders_page), 400,
               "INVALID_REQUEST");
  CheckProblem(Get(c, "/balance/history?userId=alice&cursor=" + bob_history), 400,
               "INVALID_REQUEST");
  // The real ones work where they were issued.
  CheckJson(Get(c, "/balance/history?userId=bob&cursor=" + bob_history));
  CheckJson(Get(c, "/orders?userId=bob&cursor=" + bob_orders_page));
  // A page needs its user.
  CheckProblem(Get(c, "/balance/history"), 400, "INVALID_REQUEST");
  CheckProblem(Get(c, "/orders"), 400, "INVALID_REQUEST");
  CheckProblem(Get(c, "/balance"), 400, "INVALID_REQUEST");
  CheckProblem(Get(c, "/cart"), 400, "INVALID_REQUEST");
}

TEST_CASE("e2e: 400 for out-of-range admin bodies, nothing created or restocked") {
  TestServer server;
  httplib::Client& c = server.client();
  CreateProduct(c, 1, 1'000'000'000'000, "p-full");
  std::vector<std::string> before = Observe(c, {"/products"});
  auto product = [](std::string price, std::string stock) {
    return Object({{"productId", Quote("p-bad")},
                   {"name", Quote("Bad")},
                   {"price", std::move(price)},
                   {"stock", std::move(stock)}});
  };
  ExpectInvalid(c, "/products",
                {product("-1", "1"), product("1000000001", "1"), product("1.5", "1"),
                 product("1", "-1"), product("1", "1000000000001"), product("1", R"("1")"),
                 R"({"productId":"p-bad","price":1,"stock":1})",  // no name
                 R"({"productId":"p-bad","name":"","price":1,"stock":1})",
                 Object({{"productId", Quote(Repeat("x", 257))},
                         {"name", Quote("Long")},
                         {"price", "1"},
                         {"stock", "1"}})});
  ExpectInvalid(
      c, "/products/p-cable/restock",
      {R"({"quantity":0})", R"({"quantity":1000000001})", R"({"quantity":2.5})", R"({})", "{"});
  // 10^12 in stock already: one more unit is over the limit.
  ExpectInvalid(c, "/products/p-full/restock", {R"({"quantity":1})"});
  CHECK(Observe(c, {"/products"}) == before);

  ExpectInvalid(
      c, "/users",
      {R"({"userId":"x","name":"X"})", R"({"userId":"x","email":"x@x"})",
       R"({"userId":"x","name":1,"email":"x@x"})",
       Object({{"userId", Quote("x")}, {"name", Quote(Repeat("n", 257))}, {"email", Quote("x@x")}}),
       R"({"userId":"a\u0001b","name":"X","email":"x@x"})"});  // a control char
  CheckProblem(Get(c, "/users/x"), 404, "USER_NOT_FOUND");
  // 256 bytes is the limit itself.
  CheckJson(Post(c, "/users",
                 Object({{"userId", Quote(Repeat("u", 256))},
                         {"name", Quote(Repeat("n", 256))},
                         {"email", Quote("x@x")}})),
            201);
}

TEST_CASE("e2e: 401 on admin endpoints without the right Bearer token") {
  TestServer server({"--demo-data", "--test-clock", "--admin-token", "s3cret"});
  httplib::Client& c = server.client();
  std::vector<std::string> before = Observe(c, {"/products", "/users/zed"});
  struct Call {
    std::string path, body;
  };
  std::vector<Call> calls = {
      {"/users", R"({"userId":"zed","name":"Zed","email":"z@x"})"},
      {"/products", R"({"productId":"p-zed","name":"Zed","price":1,"stock":1})"},
      {"/products/p-cable/restock", R"({"quantity":5})"},
      {"/admin/clock", R"({"advanceSeconds":1})"},
  };
  std::vector<Headers> wrong = {{},
                                BearerToken("wrong"),
                                BearerToken("s3cre"),
                                BearerToken("s3cret2"),
                                {{"Authorization", "s3cret"}},
                                {{"Authorization", "Basic s3cret"}},
                                {{"Authorization", "bearer-s3cret"}}};
  for (const Call& call : calls) {
    for (const Headers& headers : wrong) {
      INFO(call.path, " with ", headers.empty() ? "no header" : headers.begin()->second);
      CheckProblem(Post(c, call.path, call.body, headers), 401, "UNAUTHORIZED");
    }
  }
  CHECK(Observe(c, {"/products", "/users/zed"}) == before);
  // The public endpoints need no token.
  CheckJson(Charge(c, "alice", 5));
  CheckJson(Get(c, "/products"));

  CheckJson(Post(c, calls[0].path, calls[0].body, BearerToken("s3cret")), 201);
  CheckJson(Post(c, calls[1].path, calls[1].body, BearerToken("s3cret")), 201);
  CHECK(Int(CheckJson(Post(c, calls[2].path, calls[2].body, BearerToken("s3cret"))), "stock") ==
        505);
  CheckJson(Post(c, calls[3].path, calls[3].body, BearerToken("s3cret")));
}

TEST_CASE("e2e: the admin token can come from ECOMM_ADMIN_TOKEN") {
  // The child inherits the environment at fork: set it only around Start.
  setenv("ECOMM_ADMIN_TOKEN", "from-env", 1);
  TestServer server(std::vector<std::string>{});  // no demo data
  unsetenv("ECOMM_ADMIN_TOKEN");
  std::string body = R"({"userId":"env","name":"Env","email":"e@x"})";
  CheckProblem(Post(server.client(), "/users", body), 401, "UNAUTHORIZED");
  CheckJson(Post(server.client(), "/users", body, BearerToken("from-env")), 201);
}

TEST_CASE("e2e: 404 for unknown users, products, orders and cart items") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string order = PlaceOrderOk(c, "alice", {{"p-cable", 1}});
  CheckJson(Post(c, "/cart/add", CartAddBody("bob", "p-mouse", 1)));
  std::vector<std::string> before = Observe(c, DemoPaths());

  CheckProblem(Charge(c, "nobody", 10), 404, "USER_NOT_FOUND");
  CheckProblem(Get(c, "/balance?userId=nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Get(c, "/balance/history?userId=nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Get(c, "/orders?userId=nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Get(c, "/cart?userId=nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Get(c, "/users/nobody"), 404, "USER_NOT_FOUND");
  CheckProblem(Post(c, "/cart/add", CartAddBody("nobody", "p-cable", 1)), 404, "USER_NOT_FOUND");
  CheckProblem(PlaceOrder(c, "nobody", {{"p-cable", 1}}), 404, "USER_NOT_FOUND");
  CheckProblem(Post(c, "/order", CartOrderBody("nobody")), 404, "USER_NOT_FOUND");
  CheckProblem(Delete(c, "/cart/remove?userId=nobody&productId=p-mouse"), 404, "USER_NOT_FOUND");

  CheckProblem(Get(c, "/products/nope"), 404, "PRODUCT_NOT_FOUND");
  CheckProblem(Post(c, "/products/nope/restock", R"({"quantity":1})"), 404, "PRODUCT_NOT_FOUND");
  CheckProblem(Post(c, "/cart/add", CartAddBody("bob", "nope", 1)), 404, "PRODUCT_NOT_FOUND");
  // One unknown product among known ones: no order at all, not a FAILED one.
  CheckProblem(PlaceOrder(c, "alice", {{"p-cable", 1}, {"nope", 1}}), 404, "PRODUCT_NOT_FOUND");

  CheckProblem(Get(c, "/orders/00000000-0000-4000-8000-000000000000"), 404, "ORDER_NOT_FOUND");
  CheckProblem(Get(c, "/orders/not-a-uuid"), 404, "ORDER_NOT_FOUND");
  CheckProblem(Cancel(c, "00000000-0000-4000-8000-000000000000"), 404, "ORDER_NOT_FOUND");
  CheckProblem(Cancel(c, "not-a-uuid"), 404, "ORDER_NOT_FOUND");

  CheckProblem(Delete(c, "/cart/remove?userId=bob&productId=p-cable"), 404, "CART_ITEM_NOT_FOUND");
  CheckProblem(Delete(c, "/cart/remove", R"({"userId":"bob","productId":"p-cable"})"), 404,
               "CART_ITEM_NOT_FOUND");
  CheckProblem(Delete(c, "/cart/remove?userId=bob&productId=nope"), 404, "CART_ITEM_NOT_FOUND");
  CHECK(Observe(c, DemoPaths()) == before);
  CHECK(Str(CheckJson(Get(c, "/orders/" + order)), "orderStatus") == "SUCCESS");
}

TEST_CASE("e2e: 404 NOT_FOUND for unknown routes, 405 for known routes and other methods") {
  TestServer server;
  httplib::Client& c = server.client();
  for (const char* path : {"/", "/nope", "/balance/charge/x", "/products/p-cable/extra",
                           "/orders/x/cancel/now", "/Balance", "/cart/remove/p-cable"}) {
    INFO(path);
    CheckProblem(Get(c, path), 404, "NOT_FOUND");
    CheckProblem(Post(c, path, "{}"), 404, "NOT_FOUND");
  }
  struct Call {
    const char* method;
    const char* path;
  };
  for (Call call :
       {Call{"GET", "/balance/charge"}, Call{"PUT", "/balance/charge"}, Call{"POST", "/balance"},
        Call{"DELETE", "/balance"}, Call{"GET", "/order"}, Call{"DELETE", "/products/p-cable"},
        Call{"PUT", "/products/p-cable"}, Call{"POST", "/products/top"},
        Call{"GET", "/orders/x/cancel"}, Call{"POST", "/cart"}, Call{"GET", "/cart/remove"},
        Call{"POST", "/cart/remove"}, Call{"GET", "/cart/add"}, Call{"PATCH", "/users/alice"},
        Call{"DELETE", "/users"}, Call{"POST", "/healthz"}, Call{"POST", "/metrics"}}) {
    INFO(call.method, " ", call.path);
    HttpReply refused = Send(c, call.method, call.path, "{}");
    CheckProblem(refused, 405, "METHOD_NOT_ALLOWED");
    CHECK_FALSE(refused.allow.empty());  // RFC 9110: a 405 says which methods the path has
  }
  CHECK(Send(c, "DELETE", "/products", "{}").allow == "GET, POST");
  CHECK(Send(c, "GET", "/orders/x/cancel", "{}").allow == "POST");
  CHECK(BalanceOf(c, "alice") == 100'000);
}

TEST_CASE("e2e: 409 INSUFFICIENT_BALANCE records a FAILED order and nothing else") {
  TestServer server;
  httplib::Client& c = server.client();
  std::vector<std::string> before = Observe(c, DemoPaths());
  // carol has 0; p-stand (3 in stock) is also short: the balance is checked first.
  HttpReply failed = PlaceOrder(c, "carol", {{"p-cable", 1}, {"p-stand", 4}});
  CheckProblem(failed, 409, "INSUFFICIENT_BALANCE");
  rapidjson::Document problem = failed.Json();
  std::string id = Str(problem, "orderId");
  CHECK(IsUuid(id));
  CHECK(Str(problem, "orderStatus") == "FAILED");

  rapidjson::Document order = CheckJson(Get(c, "/orders/" + id));
  CHECK(Str(order, "orderStatus") == "FAILED");
  CHECK(Str(order, "userId") == "carol");
  const rapidjson::Value& history = Array(order, "history");
  REQUIRE(history.Size() >= 1);
  CHECK(Str(history[history.Size() - 1], "orderStatus") == "FAILED");
  CHECK(!Str(history[history.Size() - 1], "reason").empty());
  rapidjson::Document listed = CheckJson(Get(c, "/orders?userId=carol"));
  REQUIRE(listed["items"].Size() == 1);
  CHECK(Str(listed["items"][0], "orderId") == id);
  CHECK(Str(listed["items"][0], "orderStatus") == "FAILED");

  // Only carol's order list changed.
  std::vector<std::string> after = Observe(c, DemoPaths());
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    if (before[i].starts_with("/orders?userId=carol")) continue;
    CHECK(after[i] == before[i]);
  }
}

TEST_CASE("e2e: 409 OUT_OF_STOCK records a FAILED order, a fromCart one keeps the cart") {
  TestServer server;
  httplib::Client& c = server.client();
  CheckJson(Post(c, "/cart/add", CartAddBody("alice", "p-stand", 4)));
  CheckJson(Post(c, "/cart/add", CartAddBody("alice", "p-cable", 1)));
  std::vector<std::string> before = Observe(c, DemoPaths());

  HttpReply direct = PlaceOrder(c, "alice", {{"p-cable", 1}, {"p-stand", 4}});
  CheckProblem(direct, 409, "OUT_OF_STOCK");
  CHECK(Str(direct.Json(), "orderStatus") == "FAILED");
  HttpReply carted = Post(c, "/order", CartOrderBody("alice"));
  CheckProblem(carted, 409, "OUT_OF_STOCK");
  CHECK(Str(carted.Json(), "orderStatus") == "FAILED");
  for (const HttpReply* reply : {&direct, &carted}) {
    rapidjson::Document order = CheckJson(Get(c, "/orders/" + Str(reply->Json(), "orderId")));
    CHECK(Str(order, "orderStatus") == "FAILED");
  }
  CHECK(CheckJson(Get(c, "/orders?userId=alice"))["items"].Size() == 2);

  std::vector<std::string> after = Observe(c, DemoPaths());
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    if (before[i].starts_with("/orders?userId=alice")) continue;
    CHECK(after[i] == before[i]);  // balances, stock, carts (alice's too) unchanged
  }
}

TEST_CASE("e2e: 409 INVALID_ORDER_STATE for a second cancel or a FAILED order's cancel") {
  TestServer server;
  httplib::Client& c = server.client();
  std::string id = PlaceOrderOk(c, "bob", {{"p-mouse", 2}});
  CheckJson(Cancel(c, id));
  std::vector<std::string> before = Observe(c, DemoPaths());
  CheckProblem(Cancel(c, id), 409, "INVALID_ORDER_STATE");
  CHECK(Observe(c, DemoPaths()) == before);  // refunded and restocked once
  CHECK(BalanceOf(c, "bob") == 20'000);
  CHECK(StockOf(c, "p-mouse") == 120);

  HttpReply failed = PlaceOrder(c, "carol", {{"p-mouse", 1}});  // carol has 0
  CheckProblem(failed, 409, "INSUFFICIENT_BALANCE");
  before = Observe(c, DemoPaths());
  CheckProblem(Cancel(c, Str(failed.Json(), "orderId")), 409, "INVALID_ORDER_STATE");
  CHECK(Observe(c, DemoPaths()) == before);
}

TEST_CASE("e2e: 409 ALREADY_EXISTS for an admin create with a taken id") {
  TestServer server;
  httplib::Client& c = server.client();
  std::vector<std::string> before = Observe(c, DemoPaths());
  CheckProblem(Post(c, "/users", R"({"userId":"alice","name":"Other","email":"o@x"})"), 409,
               "ALREADY_EXISTS");
  CheckProblem(
      Post(c, "/products", R"({"productId":"p-cable","name":"Other","price":1,"stock":1})"), 409,
      "ALREADY_EXISTS");
  CHECK(Observe(c, DemoPaths()) == before);
}

TEST_CASE("e2e: 413 for a body over 1 MiB, while 1 MiB itself is read") {
  TestServer server;
  std::vector<std::string> before = Observe(server.client(), DemoPaths());
  // A valid charge padded to exactly 1 MiB with whitespace.
  std::string body = ChargeBody("alice", 7);
  body.insert(1, (1 << 20) - body.size(), ' ');
  REQUIRE(body.size() == 1u << 20);

  // Over the limit: announced by Content-Length, refused before the body is read
  // (a raw socket, because the server may close before an eager client has sent it all).
  RawConnection raw(server.port());
  REQUIRE(
      raw.Send("POST /balance/charge HTTP/1.1\r\nHost: x\r\nContent-Type: "
               "application/json\r\nContent-Length: " +
               std::to_string(body.size() + 1) + "\r\n\r\n"));
  RawResponse refused = raw.Read();
  CHECK(refused.status == 413);
  CHECK(refused.head.find("application/problem+json") != std::string::npos);
  CHECK(Str(ParseJson(refused.body), "code") == "PAYLOAD_TOO_LARGE");
  CHECK(Int(ParseJson(refused.body), "status") == 413);
  CHECK(Observe(server.client(), DemoPaths()) == before);

  CHECK(Int(CheckJson(Post(server.client(), "/balance/charge", body)), "currentBalance") ==
        100'007);
}

TEST_CASE("e2e: 422 IDEMPOTENCY_KEY_REUSED for the same key on another request") {
  TestServer server;
  httplib::Client& c = server.client();
  CheckJson(Charge(c, "alice", 10, IdempotencyKey("k-1")));
  std::vector<std::string> before = Observe(c, DemoPaths());
  CheckProblem(Charge(c, "alice", 11, IdempotencyKey("k-1")), 422, "IDEMPOTENCY_KEY_REUSED");
  CheckProblem(Charge(c, "bob", 10, IdempotencyKey("k-1")), 422, "IDEMPOTENCY_KEY_REUSED");
  // The key is global: another endpoint is another request.
  CheckProblem(PlaceOrder(c, "alice", {{"p-cable", 1}}, IdempotencyKey("k-1")), 422,
               "IDEMPOTENCY_KEY_REUSED");
  std::string order = PlaceOrderOk(c, "bob", {{"p-cable", 1}});
  before = Observe(c, DemoPaths());
  CheckProblem(Cancel(c, order, IdempotencyKey("k-1")), 422, "IDEMPOTENCY_KEY_REUSED");
  CHECK(Observe(c, DemoPaths()) == before);
  CHECK(BalanceOf(c, "alice") == 100'010);
}

TEST_CASE("e2e: 400 for an Idempotency-Key over 128 characters or not printable") {
  TestServer server;
  httplib::Client& c = server.client();
  std::vector<std::string> before = Observe(c, DemoPaths());
  CheckProblem(Charge(c, "alice", 10, IdempotencyKey(Repeat("k", 129))), 400, "INVALID_REQUEST");
  CheckProblem(Charge(c, "alice", 10, IdempotencyKey("tab\there")), 400, "INVALID_REQUEST");
  CHECK(Observe(c, DemoPaths()) == before);
  CheckJson(Charge(c, "alice", 10, IdempotencyKey(Repeat("k", 128))));
  CHECK(BalanceOf(c, "alice") == 100'010);
}

}  // namespace ecomm::testing
