// Concurrent clients over real HTTP, one httplib client per thread, released together:
// the engine's per-account and per-product locking seen from outside. Threads only
// record answers; the checks run on the test thread afterwards.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// How many answers had each status.
std::map<int, int> CountStatuses(const std::vector<HttpReply>& replies) {
  std::map<int, int> out;
  for (const HttpReply& r : replies) ++out[r.status];
  return out;
}

// Sends one request per thread, all at once, and returns the answers by thread.
std::vector<HttpReply> SendTogether(
    const TestServer& server, int threads,
    const std::function<HttpReply(httplib::Client&, int thread)>& request) {
  std::vector<HttpReply> replies(threads);
  server.RunWithClients(threads, [&](httplib::Client& c, int i) { replies[i] = request(c, i); });
  return replies;
}

}  // namespace

TEST_CASE("e2e: concurrent charges to one user add up exactly") {
  TestServer server;
  std::string user = CreateUser(server.client());
  constexpr int kThreads = 8, kCharges = 25;
  std::vector<std::vector<HttpReply>> replies(kThreads);
  // Distinct amounts, so that a lost or doubled charge cannot cancel out.
  auto amount = [](int thread, int n) { return thread * 1'000 + n + 1; };
  server.RunWithClients(kThreads, [&](httplib::Client& c, int t) {
    for (int n = 0; n < kCharges; ++n) replies[t].push_back(Charge(c, user, amount(t, n)));
  });

  int64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int n = 0; n < kCharges; ++n) {
      CHECK(replies[t][n].status == 200);
      expected += amount(t, n);
    }
  }
  CHECK(BalanceOf(server.client(), user) == expected);
  rapidjson::Document history = AllPages(server.client(), "/balance/history?userId=" + user);
  CHECK(history.Size() == kThreads * kCharges);
  // Serialised: each entry starts where the one before it (older, next in the list) ended.
  for (rapidjson::SizeType i = 0; i + 1 < history.Size(); ++i) {
    CHECK(Int(history[i], "balanceBefore") == Int(history[i + 1], "balanceAfter"));
  }
}

TEST_CASE("e2e: ten buyers for the last five units: five 200 and five OUT_OF_STOCK") {
  TestServer server;
  std::string product = CreateProduct(server.client(), 100, 5);
  std::vector<std::string> buyers;
  for (int i = 0; i < 10; ++i) buyers.push_back(CreateUser(server.client(), 1'000));
  std::vector<HttpReply> replies = SendTogether(server, 10, [&](httplib::Client& c, int i) {
    return PlaceOrder(c, buyers[i], {{product, 1}});
  });

  CHECK(CountStatuses(replies) == std::map<int, int>{{200, 5}, {409, 5}});
  CHECK(StockOf(server.client(), product) == 0);
  for (int i = 0; i < 10; ++i) {
    std::string order_id;
    if (replies[i].status == 200) {
      CHECK(BalanceOf(server.client(), buyers[i]) == 900);
      order_id = Str(CheckJson(replies[i]), "orderId");
    } else {
      CheckProblem(replies[i], 409, "OUT_OF_STOCK");
      CHECK(BalanceOf(server.client(), buyers[i]) == 1'000);
      order_id = Str(replies[i].Json(), "orderId");
    }
    std::string status = replies[i].status == 200 ? "SUCCESS" : "FAILED";
    CHECK(Str(CheckJson(Get(server.client(), "/orders/" + order_id)), "orderStatus") == status);
  }
}

TEST_CASE("e2e: checking out one cart from many clients at once succeeds once") {
  TestServer server;
  std::string user = CreateUser(server.client(), 100'000);
  CheckJson(Post(server.client(), "/cart/add", CartAddBody(user, "p-keyboard", 2)));
  CheckJson(Post(server.client(), "/cart/add", CartAddBody(user, "p-cable", 3)));
  std::vector<HttpReply> replies = SendTogether(
      server, 6, [&](httplib::Client& c, int) { return Post(c, "/order", CartOrderBody(user)); });

  CHECK(CountStatuses(replies) == std::map<int, int>{{200, 1}, {400, 5}});
  for (const HttpReply& r : replies) {
    if (r.status != 200) CheckProblem(r, 400, "INVALID_REQUEST");  // the cart is empty by then
  }
  CHECK(BalanceOf(server.client(), user) == 100'000 - 2 * 8'900 - 3 * 900);
  CHECK(StockOf(server.client(), "p-keyboard") == 38);
  CHECK(StockOf(server.client(), "p-cable") == 497);
  CHECK(CheckJson(Get(server.client(), "/cart?userId=" + user))["items"].Size() == 0);
  CHECK(CheckJson(Get(server.client(), "/orders?userId=" + user))["items"].Size() == 1);
}

TEST_CASE("e2e: cancelling one order from many clients at once succeeds once") {
  TestServer server;
  std::string id = PlaceOrderOk(server.client(), "bob", {{"p-stand", 3}});
  std::vector<HttpReply> replies =
      SendTogether(server, 6, [&](httplib::Client& c, int) { return Cancel(c, id); });

  CHECK(CountStatuses(replies) == std::map<int, int>{{200, 1}, {409, 5}});
  for (const HttpReply& r : replies) {
    if (r.status == 409) CheckProblem(r, 409, "INVALID_ORDER_STATE");
  }
  CHECK(BalanceOf(server.client(), "bob") == 20'000);
  CHECK(StockOf(server.client(), "p-stand") == 3);
  rapidjson::Document history = AllPages(server.client(), "/balance/history?userId=bob");
  int refunds = 0;
  for (const rapidjson::Value& entry : history.GetArray()) {
    refunds += Str(entry, "transactionType") == "REFUND";
  }
  CHECK(refunds == 1);
}

TEST_CASE("e2e: one idempotency key sent by many clients at once is applied once") {
  TestServer server;
  std::string user = CreateUser(server.client());
  std::vector<HttpReply> replies = SendTogether(server, 8, [&](httplib::Client& c, int) {
    return Charge(c, user, 500, IdempotencyKey("shared-key"));
  });

  std::string first;
  for (const HttpReply& r : replies) {
    INFO(r.body);
    // The first response once durable, or 409 while the first is still in flight.
    if (r.status == 409) {
      CheckProblem(r, 409, "IDEMPOTENCY_KEY_IN_USE");
      continue;
    }
    REQUIRE(r.status == 200);
    if (first.empty()) first = r.body;
    CHECK(r.body == first);
  }
  CHECK(!first.empty());
  CHECK(BalanceOf(server.client(), user) == 500);
  CHECK(Charge(server.client(), user, 500, IdempotencyKey("shared-key")).body == first);
}

TEST_CASE("e2e: orders over the same products in opposite line order never deadlock") {
  TestServer server;
  std::string x = CreateProduct(server.client(), 1, 1'000);
  std::string y = CreateProduct(server.client(), 1, 1'000);
  constexpr int kThreads = 6, kOrders = 20;
  std::vector<std::string> buyers;
  for (int i = 0; i < kThreads; ++i) buyers.push_back(CreateUser(server.client(), 1'000'000));
  std::vector<std::vector<HttpReply>> replies(kThreads);
  server.RunWithClients(kThreads, [&](httplib::Client& c, int t) {
    // Half the threads name x first, half y first: a lock order taken from the
    // request would deadlock here.
    Lines lines = t % 2 ? Lines{{x, 1}, {y, 2}} : Lines{{y, 2}, {x, 1}};
    for (int n = 0; n < kOrders; ++n) replies[t].push_back(PlaceOrder(c, buyers[t], lines));
  });
  for (const auto& thread : replies) {
    for (const HttpReply& r : thread) CHECK(r.status == 200);
  }
  CHECK(StockOf(server.client(), x) == 1'000 - kThreads * kOrders);
  CHECK(StockOf(server.client(), y) == 1'000 - 2 * kThreads * kOrders);
  for (const std::string& buyer : buyers) {
    CHECK(BalanceOf(server.client(), buyer) == 1'000'000 - 3 * kOrders);
  }
}

}  // namespace ecomm::testing
