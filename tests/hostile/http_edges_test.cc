// The edges of the HTTP layer a hostile client pokes at: sizes past every limit,
// bytes that are not UTF-8 where text is expected, ids that look like paths, and the
// admin rules' headers. Each case has its exact status and the server stays up.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

std::string RawRequest(const std::string& method, const std::string& target,
                       const std::string& extra_headers = "", const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

void CheckAlive(httplib::Client& c) { CHECK(Get(c, "/healthz").status == 200); }

}  // namespace

TEST_CASE("hostile: headers and URLs past 16 KiB are a 400, then the connection closes") {
  TestServer server;
  std::string huge(20 << 10, 'a');
  for (const std::string& request :
       {RawRequest("GET", "/healthz", "X-Huge: " + huge + "\r\n"),
        RawRequest("GET", "/balance?userId=" + huge), RawRequest("GET", "/healthz", [] {
          std::string many;
          for (int i = 0; i < 2000; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
          return many;
        }())}) {
    RawConnection raw(server.port());
    REQUIRE(raw.Send(request));
    RawResponse answer = raw.Read();
    REQUIRE(answer.status == 400);
    CheckClientError(answer.status, answer.content_type, answer.body, "INVALID_REQUEST");
    CHECK(raw.ClosedWithin(std::chrono::seconds(6)));
  }
  CheckAlive(server.client());
  CHECK(server.process().Stop() == 0);
}

// Beast bounds headers and body but not chunk extensions or trailers: the connection's
// read buffer is capped instead, so neither can make the server hold more than it.
TEST_CASE("hostile: a flood of chunk extension or trailer bytes is a 400, not memory") {
  TestServer server;
  const std::string head =
      "POST /order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  std::string flood(2 << 20, 'a');
  for (const std::string& request :
       {head + "1;" + flood, head + "1\r\n{\r\n0\r\nX-Trailer: " + flood}) {
    RawConnection raw(server.port());
    REQUIRE(raw.Send(request));
    RawResponse answer = raw.Read();
    REQUIRE(answer.status == 400);
    CheckClientError(answer.status, answer.content_type, answer.body, "INVALID_REQUEST");
  }
  CheckAlive(server.client());
  CHECK(server.process().Stop() == 0);
}

// The client is still sending when the 413 is written: the server reads and drops
// the rest (bounded) before closing, so the client reads the answer, not a reset.
TEST_CASE("hostile: a body over 1 MiB is a 413 the client actually receives") {
  TestServer server;
  httplib::Client& c = server.client();
  int64_t lsn = DurableLsn(c);
  std::string big = R"({"userId":"alice","amount":5,"pad":")" + std::string(3 << 20, 'x') + "\"}";
  for (int i = 0; i < 5; ++i) {
    auto client = server.NewClient();
    CheckProblem(Post(*client, "/balance/charge", big), 413, "PAYLOAD_TOO_LARGE");
  }
  {
    // Chunked: the limit holds while the body streams in, with no Content-Length.
    RawConnection raw(server.port());
    std::string request =
        "POST /order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    std::string chunk(64 << 10, 'x');
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    for (int i = 0; i < 20; ++i) request += size + chunk + "\r\n";
    REQUIRE(raw.Send(request));
    RawResponse answer = raw.Read();
    REQUIRE(answer.status == 413);
    CheckClientError(answer.status, answer.content_type, answer.body, "PAYLOAD_TOO_LARGE");
  }
  CHECK(DurableLsn(c) == lsn);
  CHECK(BalanceOf(c, "alice") == 100'000);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("hostile: invalid UTF-8 in a path, query, header or body gets a valid UTF-8 4xx") {
  TestServer server;
  struct Case {
    std::string request;
    int status;
    const char* code;
  };
  std::vector<Case> cases = {
      {RawRequest("GET", "/users/%FF"), 400, "INVALID_REQUEST"},
      {RawRequest("GET", "/users/\xff\xfe"), 400, "INVALID_REQUEST"},
      {RawRequest("GET", "/no\xc3/route"), 400, "INVALID_REQUEST"},
      {RawRequest("GET", "/balance?userId=%C0%AF"), 400, "INVALID_REQUEST"},
      {RawRequest("GET", "/balance?%ED%A0%80=alice"), 400, "INVALID_REQUEST"},
      {RawRequest("GET", "/orders/%F4%90%80%80"), 400, "INVALID_REQUEST"},
      {RawRequest("POST", "/balance/charge", "Idempotency-Key: k\xff\r\n", ChargeBody("alice", 5)),
       400, "INVALID_REQUEST"},
      {RawRequest("POST", "/balance/charge", "", "{\"userId\":\"al\xffice\",\"amount\":5}"), 400,
       "INVALID_REQUEST"},
      {RawRequest("GET", "/users/%E2%82%AC"), 404, "USER_NOT_FOUND"},
      {RawRequest("GET", "/n%C3%B6where"), 404, "NOT_FOUND"},
  };
  for (const Case& test : cases) {
    INFO(test.request);
    RawConnection raw(server.port());
    REQUIRE(raw.Send(test.request));
    RawResponse answer = raw.Read();
    REQUIRE(answer.status == test.status);
    CheckClientError(answer.status, answer.content_type, answer.body, test.code);
  }
  // A header the server does not read may hold anything.
  RawConnection raw(server.port());
  REQUIRE(raw.Send(RawRequest("GET", "/healthz", "User-Agent: \xff\xfe\x80\r\n")));
  CHECK(raw.Read().status == 200);
  CHECK(BalanceOf(server.client(), "alice") == 100'000);
  CHECK(server.process().Stop() == 0);
}

// The router splits the path before decoding it: "a%2Fb" is one segment, the id
// "a/b", and an id cannot reach another route however it is spelt.
TEST_CASE("hostile: ids holding '/' are addressed as one escaped segment") {
  TestServer server;
  httplib::Client& c = server.client();
  CheckJson(Post(c, "/users", R"({"userId":"a/b","name":"Slash","email":"s@x"})"), 201);
  CheckJson(Post(c, "/products", R"({"productId":"x/restock","name":"X","price":5,"stock":3})"),
            201);
  CHECK(Str(CheckJson(Get(c, "/users/a%2Fb")), "userId") == "a/b");
  CheckProblem(Get(c, "/users/a/b"), 404, "NOT_FOUND");
  CHECK(Int(CheckJson(Get(c, "/products/x%2Frestock")), "stock") == 3);
  // Not a restock of product "x": the escaped slash keeps the id whole.
  CheckProblem(Post(c, "/products/x%2Frestock", R"({"quantity":1})"), 405, "METHOD_NOT_ALLOWED");
  CHECK(Int(CheckJson(Post(c, "/products/x%2Frestock/restock", R"({"quantity":2})")), "stock") ==
        5);
  CHECK(Int(CheckJson(Get(c, "/balance?userId=a%2Fb")), "currentBalance") == 0);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("hostile: loopback admin POSTs need Content-Type application/json (415)") {
  TestServer server;
  httplib::Client& c = server.client();
  int64_t lsn = DurableLsn(c);
  int64_t stock = StockOf(c, "p-cable");
  struct Call {
    const char* path;
    const char* body;
  };
  const Call calls[] = {{"/users", R"({"userId":"u415","name":"N","email":"e@x"})"},
                        {"/products", R"({"productId":"p415","name":"N","price":1,"stock":1})"},
                        {"/products/p-cable/restock", R"({"quantity":1})"}};
  for (const Call& call : calls) {
    for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", "application/jsonx"}) {
      INFO(call.path, " Content-Type: ", type);
      std::string header = *type ? std::string("Content-Type: ") + type + "\r\n" : "";
      RawConnection raw(server.port());
      REQUIRE(raw.Send(RawRequest("POST", call.path, header, call.body)));
      RawResponse answer = raw.Read();
      REQUIRE(answer.status == 415);
      CheckClientError(answer.status, answer.content_type, answer.body, "UNSUPPORTED_MEDIA_TYPE");
    }
  }
  CHECK(DurableLsn(c) == lsn);
  CheckProblem(Get(c, "/users/u415"), 404, "USER_NOT_FOUND");
  CHECK(StockOf(c, "p-cable") == stock);
  // Parameters and case do not matter.
  RawConnection raw(server.port());
  REQUIRE(raw.Send(RawRequest("POST", "/users", "Content-Type: Application/JSON; charset=utf-8\r\n",
                              calls[0].body)));
  CHECK(raw.Read().status == 201);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("hostile: the admin token's Bearer scheme is case-insensitive, the token exact") {
  TestServer server({"--demo-data", "--admin-token", "s3cret-token"});
  httplib::Client& c = server.client();
  int created = 0;
  for (const char* header :
       {"bearer s3cret-token", "BEARER s3cret-token", "Bearer   s3cret-token"}) {
    INFO(header);
    std::string body = Object({{"userId", Quote("tok" + std::to_string(++created))},
                               {"name", Quote("N")},
                               {"email", Quote("e@x")}});
    CheckJson(Post(c, "/users", body, {{"Authorization", header}}), 201);
  }
  const std::string body = R"({"userId":"tok-refused","name":"N","email":"e@x"})";
  for (const char* header : {"Bearer s3cret-tokeN", "Bearer s3cret-toke", "Bearer s3cret-token2",
                             "Basic s3cret-token", "Bearers3cret-token", "Bearer"}) {
    INFO(header);
    CheckProblem(Post(c, "/users", body, {{"Authorization", header}}), 401, "UNAUTHORIZED");
  }
  CheckProblem(Get(c, "/users/tok-refused"), 404, "USER_NOT_FOUND");
  CHECK(server.process().Stop() == 0);
}

}  // namespace ecomm::testing
