// Idempotency-Key over real HTTP: a retry with the same key and body answers the
// first response byte for byte and applies nothing again, while the server runs,
// after a graceful restart and after kill -9.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// A keyed request and the first answer to it.
struct Keyed {
  std::string method, path, body, key;
  HttpReply first;
};

HttpReply Resend(httplib::Client& client, const Keyed& k) {
  return Send(client, k.method, k.path, k.body, IdempotencyKey(k.key));
}

// Every retry answers exactly what the first request was answered.
void CheckRetries(httplib::Client& client, const std::vector<Keyed>& requests) {
  for (const Keyed& k : requests) {
    INFO(k.method, " ", k.path, " key ", k.key, " first answer ", k.first.body);
    HttpReply retry = Resend(client, k);
    CHECK(retry.status == k.first.status);
    CHECK(retry.content_type == k.first.content_type);
    CHECK(retry.body == k.first.body);
  }
}

Keyed SendKeyed(httplib::Client& client, std::string method, std::string path, std::string body,
                std::string key) {
  Keyed k{std::move(method), std::move(path), std::move(body), std::move(key), {}};
  k.first = Resend(client, k);
  return k;
}

// One keyed request of every kind: a charge, an order, a cancel, and an order that
// FAILED (its 409 is stored as well, since the FAILED order was recorded).
std::vector<Keyed> KeyedRequests(httplib::Client& client) {
  std::vector<Keyed> out;
  out.push_back(SendKeyed(client, "POST", "/balance/charge", ChargeBody("bob", 1'234), "charge"));
  out.push_back(
      SendKeyed(client, "POST", "/order", OrderBody("bob", {{"p-mouse", 2}}), "order-kept"));
  out.push_back(
      SendKeyed(client, "POST", "/order", OrderBody("bob", {{"p-cable", 3}}), "order-cancelled"));
  std::string cancelled = Str(out.back().first.Json(), "orderId");
  out.push_back(SendKeyed(client, "POST", "/orders/" + cancelled + "/cancel", "", "cancel"));
  out.push_back(
      SendKeyed(client, "POST", "/order", OrderBody("carol", {{"p-cable", 1}}), "order-failed"));
  CheckJson(out[0].first);
  CheckJson(out[1].first);
  CheckJson(out[2].first);
  CheckJson(out[3].first);
  CheckProblem(out[4].first, 409, "INSUFFICIENT_BALANCE");
  return out;
}

std::vector<std::string> Watched() {
  std::vector<std::string> paths = {"/products"};
  for (const char* user : {"bob", "carol"}) {
    for (std::string& path : AccountPaths(user)) paths.push_back(std::move(path));
  }
  return paths;
}

// The keyed requests' retries through a graceful restart, a kill -9, and a kill -9
// right after keys were used on the restarted server.
void CheckRetriesSurviveRestarts(const std::vector<std::string>& flags) {
  TestServer server(flags);
  std::vector<Keyed> requests = KeyedRequests(server.client());
  std::vector<std::string> before = Observe(server.client(), Watched());

  server.Restart();
  CheckRetries(server.client(), requests);
  CHECK(Observe(server.client(), Watched()) == before);

  server.CrashAndRestart();
  CheckRetries(server.client(), requests);
  CHECK(Observe(server.client(), Watched()) == before);

  // Keys used after a restart survive the next crash too.
  Keyed late =
      SendKeyed(server.client(), "POST", "/balance/charge", ChargeBody("carol", 9), "late-charge");
  CheckJson(late.first);
  server.CrashAndRestart();
  CheckRetries(server.client(), {late});
  CHECK(BalanceOf(server.client(), "carol") == 9);
}

}  // namespace

TEST_CASE("e2e: retried charge, order, cancel and FAILED order answer the first response") {
  TestServer server;
  httplib::Client& c = server.client();
  std::vector<Keyed> requests = KeyedRequests(c);
  std::vector<std::string> before = Observe(c, Watched());
  for (int round = 0; round < 3; ++round) CheckRetries(c, requests);
  CHECK(Observe(c, Watched()) == before);
  // Charged once, paid twice, refunded once.
  CHECK(BalanceOf(c, "bob") == 20'000 + 1'234 - 2 * 2'500);
  CHECK(CheckJson(Get(c, "/orders?userId=carol"))["items"].Size() == 1);
  // So the retries above answered these: the cancelled order's own retry its first
  // SUCCESS, not the order as it is now.
  CHECK(Str(requests[2].first.Json(), "orderStatus") == "SUCCESS");
  CHECK(Str(requests[3].first.Json(), "orderStatus") == "CANCELLED");
  // Without the key, the cancel is a new request: the order is no longer SUCCESS.
  CheckProblem(Post(c, requests[3].path, ""), 409, "INVALID_ORDER_STATE");
}

TEST_CASE("e2e: retries answer the first response after a graceful restart and after kill -9") {
  // Keys recovered from the log, and (a snapshot every two records) from snapshots.
  for (std::vector<std::string> flags :
       {std::vector<std::string>{"--demo-data"},
        std::vector<std::string>{"--demo-data", "--snapshot-every", "2"}}) {
    CAPTURE(flags.back());
    CheckRetriesSurviveRestarts(flags);
  }
}

TEST_CASE("e2e: a rejected request does not take its key") {
  TestServer server;
  httplib::Client& c = server.client();
  // 404 then 400 under one key: neither is stored...
  CheckProblem(Charge(c, "dora", 50, IdempotencyKey("k")), 404, "USER_NOT_FOUND");
  CheckProblem(Charge(c, "alice", 0, IdempotencyKey("k")), 400, "INVALID_REQUEST");
  CheckProblem(PlaceOrder(c, "alice", {{"nope", 1}}, IdempotencyKey("k")), 404,
               "PRODUCT_NOT_FOUND");
  // ...so the key is still free for a request that succeeds.
  CheckJson(Post(c, "/users", R"({"userId":"dora","name":"Dora","email":"d@x"})"), 201);
  HttpReply charged = Charge(c, "dora", 50, IdempotencyKey("k"));
  CHECK(Int(CheckJson(charged), "currentBalance") == 50);
  CHECK(Charge(c, "dora", 50, IdempotencyKey("k")).body == charged.body);
  CHECK(BalanceOf(c, "dora") == 50);
  // A cancel refused as INVALID_ORDER_STATE changed nothing, so it is not stored either.
  std::string order = PlaceOrderOk(c, "alice", {{"p-cable", 1}});
  CheckJson(Cancel(c, order));
  CheckProblem(Cancel(c, order, IdempotencyKey("late-cancel")), 409, "INVALID_ORDER_STATE");
  CheckJson(Charge(c, "alice", 1, IdempotencyKey("late-cancel")));
}

TEST_CASE("e2e: idempotency keys are kept for at least 24 hours") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  Keyed charge = SendKeyed(c, "POST", "/balance/charge", ChargeBody("alice", 77), "day-old-charge");
  CheckJson(charge.first);
  // 24 hours less a minute.
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":86340})"));
  CheckRetries(c, {charge});
  server.Restart();
  CheckRetries(server.client(), {charge});
  CHECK(BalanceOf(server.client(), "alice") == 100'077);
}

TEST_CASE("e2e: after 25 hours a key is free: reused with another body it is a new request") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  CheckJson(Charge(c, "alice", 77, IdempotencyKey("reused-key")));
  CheckProblem(Charge(c, "alice", 5, IdempotencyKey("reused-key")), 422, "IDEMPOTENCY_KEY_REUSED");
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":90000})"));  // 25 h
  CHECK(Int(CheckJson(Charge(c, "alice", 5, IdempotencyKey("reused-key"))), "currentBalance") ==
        100'082);
  // The key now holds the new request, across a restart too.
  server.Restart();
  httplib::Client& again = server.client();
  CHECK(Int(CheckJson(Charge(again, "alice", 5, IdempotencyKey("reused-key"))), "currentBalance") ==
        100'082);
  CheckProblem(Charge(again, "alice", 77, IdempotencyKey("reused-key")), 422,
               "IDEMPOTENCY_KEY_REUSED");
  CHECK(BalanceOf(again, "alice") == 100'082);
}

TEST_CASE("e2e: --idempotency-ttl shortens how long a key is held") {
  TestServer server({"--demo-data", "--test-clock", "--idempotency-ttl", "1h"});
  httplib::Client& c = server.client();
  CheckJson(Charge(c, "bob", 10, IdempotencyKey("short")));
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":3599})"));
  CheckProblem(Charge(c, "bob", 20, IdempotencyKey("short")), 422, "IDEMPOTENCY_KEY_REUSED");
  CheckJson(Post(c, "/admin/clock", R"({"advanceSeconds":1})"));
  CheckJson(Charge(c, "bob", 20, IdempotencyKey("short")));
  CHECK(BalanceOf(c, "bob") == 20'030);
}

}  // namespace ecomm::testing
