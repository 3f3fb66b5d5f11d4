// Hostile or unusual input over real HTTP: never a crash, always an answer, and the
// server keeps serving. Where httplib would tidy the bytes up (pipelining, garbage,
// half-sent requests) a raw socket sends them exactly.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

const char* const kJsonEndpoints[] = {
    "/balance/charge",           "/order",   "/cart/add",           "/users", "/products",
    "/products/p-cable/restock", "/coupons", "/coupons/c-any/issue"};

// open^depth middle close^depth
std::string Nested(std::string_view open, std::string_view middle, std::string_view close,
                   int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += middle;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

void CheckAlive(httplib::Client& client) {
  HttpReply health = Get(client, "/healthz");
  REQUIRE_MESSAGE(health.status == 200, "the server stopped answering: ", health.body);
}

std::string Request(const std::string& method, const std::string& target,
                    const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty()) {
    out +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return out + "\r\n" + body;
}

}  // namespace

TEST_CASE("e2e: JSON nested 100000 deep is a 400, not a crash") {
  TestServer server;
  httplib::Client& c = server.client();
  constexpr int kDepth = 100'000;
  std::vector<std::string> bodies = {
      Nested("[", "", "]", kDepth),          // valid JSON, not an object
      Nested("[", "", "", kDepth),           // never closed
      Nested(R"({"a":)", "1", "}", kDepth),  // valid JSON, an object without the fields
  };
  for (const char* path : kJsonEndpoints) {
    for (const std::string& body : bodies) {
      INFO(path, " with ", body.substr(0, 20), "...");
      CheckProblem(Post(c, path, body), 400, "INVALID_REQUEST");
      CheckAlive(c);
    }
  }
  // Deep nesting in a field the server ignores: whatever the answer, it answers.
  std::string padded = R"({"userId":"alice","amount":5,"x":)" + Nested("[", "", "]", kDepth) + "}";
  HttpReply reply = Post(c, "/balance/charge", padded);
  CHECK((reply.status == 200 || reply.status == 400));
  CheckAlive(c);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("e2e: malformed JSON is a 400 on every JSON endpoint") {
  TestServer server;
  httplib::Client& c = server.client();
  std::vector<std::string> before = Observe(c, AccountPaths("alice"));
  for (const char* path : kJsonEndpoints) {
    for (std::string body : {"{", "{\"userId\":", "{'userId':'alice'}", "{\"a\":1}}", "\xff\xfe",
                             "{\"userId\":\"alice\",\"amount\":NaN}", "0", "\"text\""}) {
      INFO(path, " ", body);
      CheckProblem(Post(c, path, body), 400, "INVALID_REQUEST");
    }
  }
  CheckProblem(Delete(c, "/cart/remove", "{"), 400, "INVALID_REQUEST");
  CHECK(Observe(c, AccountPaths("alice")) == before);
}

TEST_CASE("e2e: UTF-8 text round-trips, a JSON string that is not UTF-8 is a 400") {
  TestServer server;
  httplib::Client& c = server.client();
  // The seed is Korean: ids and names in Hangul work, also as a path segment.
  CheckJson(Post(c, "/users", R"({"userId":"사용자","name":"김철수","email":"k@x.kr"})"), 201);
  rapidjson::Document user = CheckJson(Get(c, "/users/사용자"));
  CHECK(Str(user, "name") == "김철수");
  CHECK(BalanceOf(c, "사용자") == 0);

  // RFC 8259 JSON text is UTF-8. Were these bytes kept, every later answer naming
  // them (GET /users/..., /balance, /cart) would be text no JSON parser accepts.
  CheckProblem(Post(c, "/users", "{\"userId\":\"bad\xff\",\"name\":\"x\",\"email\":\"y@z\"}"), 400,
               "INVALID_REQUEST");
  CheckProblem(Post(c, "/users", "{\"userId\":\"ok\",\"name\":\"\xc3\",\"email\":\"y@z\"}"), 400,
               "INVALID_REQUEST");
  // Nor in a path: %FF decodes to a byte no answer could echo.
  CheckProblem(Get(c, "/users/bad%FF"), 400, "INVALID_REQUEST");
  CheckProblem(Get(c, "/users/ok"), 404, "USER_NOT_FOUND");
}

TEST_CASE("e2e: pipelined requests on one socket are answered in order") {
  TestServer server;
  RawConnection raw(server.port());
  // Three requests in one write: a charge, then reads that must see it.
  REQUIRE(raw.Send(Request("POST", "/balance/charge", ChargeBody("alice", 5)) +
                   Request("GET", "/balance?userId=alice") + Request("GET", "/products/p-cable")));
  RawResponse charged = raw.Read(), balance = raw.Read(), product = raw.Read();
  REQUIRE(charged.status == 200);
  REQUIRE(balance.status == 200);
  REQUIRE(product.status == 200);
  CHECK(Int(ParseJson(charged.body), "currentBalance") == 100'005);
  CHECK(Int(ParseJson(balance.body), "currentBalance") == 100'005);
  CHECK(Str(ParseJson(product.body), "productId") == "p-cable");

  // An error in the middle of a pipeline answers that one request, not the connection.
  REQUIRE(raw.Send(Request("GET", "/nope") + Request("POST", "/balance/charge", "{") +
                   Request("GET", "/users/bob")));
  CHECK(raw.Read().status == 404);
  CHECK(raw.Read().status == 400);
  RawResponse bob = raw.Read();
  REQUIRE(bob.status == 200);
  CHECK(Str(ParseJson(bob.body), "userId") == "bob");
}

TEST_CASE("e2e: garbage and half-sent requests do not stop the server") {
  TestServer server;
  {
    RawConnection raw(server.port());
    REQUIRE(raw.Send("HELLO THERE\r\n\r\n"));
    RawResponse answer = raw.Read();
    CHECK(answer.status == 400);
  }
  {
    // A target whose percent-escape is broken: a 400 problem, as for any bad request.
    RawConnection raw(server.port());
    REQUIRE(raw.Send(Request("GET", "/balance?userId=%zz")));
    RawResponse answer = raw.Read();
    CHECK(answer.status == 400);
    CHECK(Str(ParseJson(answer.body), "code") == "INVALID_REQUEST");
  }
  {
    // Headers that promise a body which never comes, then a hang-up.
    RawConnection raw(server.port());
    REQUIRE(raw.Send("POST /balance/charge HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"));
  }
  {
    RawConnection raw(server.port());
    REQUIRE(raw.Send("GET /balance?userId=al"));  // half a request line
  }
  // Many connections at once, each answered.
  std::vector<std::unique_ptr<RawConnection>> many;
  for (int i = 0; i < 64; ++i) {
    many.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(many.back()->Send(Request("GET", "/products/p-mouse")));
  }
  for (auto& raw : many) CHECK(raw->Read().status == 200);
  CheckAlive(server.client());
  CHECK(BalanceOf(server.client(), "alice") == 100'000);
  CHECK(server.process().Stop() == 0);
}

}  // namespace ecomm::testing
