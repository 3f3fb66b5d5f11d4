// Bodies and targets no client should send, against the real binary: the crafted
// numbers that crash RapidJSON 1.1.0, then a few thousand seeded random ones. Every
// answer has its exact status, the server keeps answering, and nothing is logged: the
// durable LSN and everything the demo accounts show are the same afterwards.
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// Every route that decodes a JSON body, with a body it accepts.
struct JsonRoute {
  const char* method;
  const char* path;
  const char* body;
};

const JsonRoute kJsonRoutes[] = {
    {"POST", "/balance/charge", R"({"userId":"alice","amount":5})"},
    {"POST", "/order", R"({"userId":"alice","items":[{"productId":"p-cable","quantity":1}]})"},
    {"POST", "/cart/add", R"({"userId":"alice","productId":"p-cable","quantity":1})"},
    {"DELETE", "/cart/remove", R"({"userId":"alice","productId":"p-cable"})"},
    {"POST", "/users", R"({"userId":"zed","name":"Zed","email":"z@x"})"},
    {"POST", "/products", R"({"productId":"p-z","name":"Z","price":1,"stock":1})"},
    {"POST", "/products/p-cable/restock", R"({"quantity":1})"},
    {"POST", "/admin/clock", R"({"advanceSeconds":60})"},
    {"POST", "/coupons",
     R"({"couponId":"c-z","name":"Z","discountType":"FIXED","discountValue":1,"totalQuantity":1})"},
    {"POST", "/coupons/c-z/issue", R"({"userId":"alice"})"},
};

// What the demo data shows, to compare before and after an attack.
std::vector<std::string> Everything(httplib::Client& c) {
  std::vector<std::string> paths = {"/products", "/products/top"};
  for (const char* user : {"alice", "bob", "carol"}) {
    for (const std::string& path : AccountPaths(user)) paths.push_back(path);
  }
  return Observe(c, paths);
}

uint64_t Seed() {
  const char* text = std::getenv("ECOMM_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 20261130;
}

}  // namespace

// CVE-2024-38517: `{"userId":"alice","amount":0.0000000000e-2147483639}` killed the
// server with SIGSEGV. The crafted exponents and their neighbours, in every JSON
// route and in a field the route ignores, are each a 400 and change nothing.
TEST_CASE("hostile: RapidJSON's exponent overflow cannot be reached from any route") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  int64_t lsn = DurableLsn(c);
  std::vector<std::string> before = Everything(c);
  const char* numbers[] = {"0.0000000000e-2147483639",
                           "1e-2147483648",
                           "9e2147483647",
                           "-0.0e-2147483647",
                           "1.7976931348623157e308",
                           "5e0",
                           "1.0",
                           "123456789012345678901234567890"};
  for (const JsonRoute& route : kJsonRoutes) {
    for (const char* number : numbers) {
      for (const std::string& body :
           {std::string(R"({"userId":"alice","productId":"p-cable","amount":)") + number +
                R"(,"quantity":)" + number + R"(,"advanceSeconds":)" + number + "}",
            std::string(route.body).insert(1, std::string(R"("ignored":[)") + number + "],")}) {
        INFO(route.method, " ", route.path, " ", body);
        CheckProblem(Send(c, route.method, route.path, body), 400, "INVALID_REQUEST");
      }
    }
  }
  CHECK(CheckJson(Get(c, "/healthz")).IsObject());
  CHECK(DurableLsn(c) == lsn);
  CHECK(Everything(c) == before);
  CHECK(server.process().Stop() == 0);
}

// Seeded (ECOMM_SEED replays a failure): random bytes and every truncation of a
// valid body on each JSON route, random bytes in a query, and random bytes as a
// whole request. 3,000 requests; each answer is exact and valid UTF-8.
TEST_CASE("hostile: seeded random bodies, queries and requests are 4xx and change nothing") {
  TestServer server({"--demo-data", "--test-clock"});
  httplib::Client& c = server.client();
  int64_t lsn = DurableLsn(c);
  std::vector<std::string> before = Everything(c);
  std::mt19937_64 random(Seed());
  INFO("ECOMM_SEED=", Seed());
  auto bytes = [&](size_t max) {
    std::string out(random() % (max + 1), '\0');
    for (char& ch : out) ch = static_cast<char>(random());
    return out;
  };

  for (int i = 0; i < 1500; ++i) {
    const JsonRoute& route = kJsonRoutes[random() % std::size(kJsonRoutes)];
    std::string whole = route.body;
    // A strict prefix of a JSON object is never JSON; random bytes that happen to
    // start with '{' are made unparseable by a trailing lone '{'.
    std::string body = i % 2 == 0 ? whole.substr(0, random() % whole.size()) : bytes(300) + "{";
    if (body.empty()) body = "\x01";
    INFO(route.method, " ", route.path, " body ", body);
    HttpReply reply = Send(c, route.method, route.path, body);
    CheckProblem(reply, 400, "INVALID_REQUEST");
    CheckClientError(reply.status, reply.content_type, reply.body);
  }

  for (int i = 0; i < 1000; ++i) {
    // Invalid UTF-8 once decoded (%FF is never valid), or plain letters naming no user.
    bool invalid = i % 2 == 0;
    std::string value;
    if (invalid) {
      for (char ch : bytes(40) + "\xff") {
        static constexpr char kHex[] = "0123456789ABCDEF";
        value += '%';
        value += kHex[(static_cast<unsigned char>(ch) >> 4) & 0xF];
        value += kHex[static_cast<unsigned char>(ch) & 0xF];
      }
    } else {
      value = "nobody";
      for (size_t n = random() % 20; n > 0; --n) value += static_cast<char>('a' + random() % 26);
    }
    const char* path = i % 3 == 0 ? "/balance" : i % 3 == 1 ? "/cart" : "/orders";
    INFO(path, "?userId=", value);
    HttpReply reply = Get(c, std::string(path) + "?userId=" + value);
    CheckClientError(reply.status, reply.content_type, reply.body,
                     invalid ? "INVALID_REQUEST" : "USER_NOT_FOUND");
    CHECK(reply.status == (invalid ? 400 : 404));
  }

  for (int i = 0; i < 500; ++i) {
    // A request line that starts with a control byte is never a method: 400, then close.
    std::string request = "\x01" + bytes(200) + "\r\n\r\n";
    RawConnection raw(server.port());
    REQUIRE(raw.Send(request));
    RawResponse answer = raw.Read();
    INFO("request bytes ", request);
    CHECK(answer.status == 400);
    CheckClientError(answer.status, answer.content_type, answer.body, "INVALID_REQUEST");
  }

  CHECK(DurableLsn(c) == lsn);
  CHECK(Everything(c) == before);
  CHECK(server.process().Stop() == 0);
}

}  // namespace ecomm::testing
