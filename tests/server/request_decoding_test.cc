// The HTTP layer's decoders: strict integers, iterative parsing, targets, cursors.
#include <doctest/doctest.h>

#include <string>

#include "json_reader.h"
#include "paging_cursor.h"
#include "url.h"

namespace ecomm::server {
namespace {

Result<int64_t> Amount(const std::string& body) {
  auto doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  return IntField(*doc, "amount");
}

TEST_CASE("an integer field takes exact integers within 2^53-1 and nothing else") {
  CHECK(*Amount(R"({"amount": 42})") == 42);
  CHECK(*Amount(R"({"amount": 9007199254740991})") == 9007199254740991);
  CHECK(*Amount(R"({"amount": -5})") == -5);  // a range check is the engine's
  for (const char* bad :
       {R"({"amount": 1.0})", R"({"amount": 1e3})", R"({"amount": true})", R"({"amount": "7"})",
        R"({"amount": null})", R"({"amount": 9007199254740992})",
        R"({"amount": 99999999999999999999})", R"({})"}) {
    CAPTURE(bad);
    CHECK(Amount(bad).code() == ErrorCode::kInvalidRequest);
  }
}

TEST_CASE("malformed, non-object and trailing-garbage bodies are 400; unknown fields are ignored") {
  for (const char* bad : {"", "{", "[1]", "\"x\"", "{} {}", "{\"a\":1,}", "nul"}) {
    CAPTURE(bad);
    CHECK(ParseObject(bad).code() == ErrorCode::kInvalidRequest);
  }
  CHECK(*Amount(R"({"amount": 3, "extra": {"deep": [1, 2]}})") == 3);
}

TEST_CASE("deep nesting is parsed iteratively: a 400, not a stack overflow") {
  std::string deep = "{\"a\":" + std::string(200'000, '[') + std::string(200'000, ']') + "}";
  auto doc = ParseObject(deep);  // well-formed: parses without recursion
  CHECK(doc.ok());
  std::string unbalanced = "{\"a\":" + std::string(200'000, '[') + "}";
  CHECK(ParseObject(unbalanced).code() == ErrorCode::kInvalidRequest);
}

TEST_CASE("targets split into a decoded path and query") {
  std::string path;
  std::map<std::string, std::string> query;
  REQUIRE(ParseTarget("/orders?userId=a%20b&limit=5&userId=second&flag", &path, &query));
  CHECK(path == "/orders");
  CHECK(query["userId"] == "a b");
  CHECK(query["limit"] == "5");
  CHECK(query.contains("flag"));
  REQUIRE(ParseTarget("/balance?userId=x+y", &path, &query));
  CHECK(query["userId"] == "x y");
  CHECK_FALSE(ParseTarget("/bad%2", &path, &query));
  CHECK_FALSE(ParseTarget("/bad%zz", &path, &query));
  CHECK_FALSE(ParseTarget("http://host/abs", &path, &query));
}

TEST_CASE("a cursor is bound to its list and user; a forged one is refused") {
  std::string cursor = EncodeCursor("orders", "alice", 40);
  CHECK(*DecodeCursor("orders", "alice", cursor) == 40);
  CHECK(DecodeCursor("orders", "bob", cursor).code() == ErrorCode::kInvalidRequest);
  CHECK(DecodeCursor("balance", "alice", cursor).code() == ErrorCode::kInvalidRequest);
  std::string forged = "41" + cursor.substr(cursor.find('.'));
  CHECK(DecodeCursor("orders", "alice", forged).code() == ErrorCode::kInvalidRequest);
  CHECK(DecodeCursor("orders", "alice", "garbage").code() == ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace ecomm::server
