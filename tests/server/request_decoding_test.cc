// The HTTP layer's decoders: strict integers, iterative parsing, targets, cursors.
#include <doctest/doctest.h>

#include <string>

#include <rapidjson/document.h>

#include "json_reader.h"
#include "paging_cursor.h"
#include "problem.h"
#include "request_headers.h"
#include "url.h"
#include "utf8.h"

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

TEST_CASE(
    "an optional integer field: absent is nothing, present it is as strict as a required one") {
  auto field = [](const char* body) {
    auto doc = ParseObject(body);
    REQUIRE(doc.ok());
    return OptionalIntField(*doc, "maxDiscount");
  };
  CHECK_FALSE(field("{}")->has_value());
  CHECK(field(R"({"maxDiscount": 0})")->value() == 0);
  CHECK(field(R"({"maxDiscount": 9007199254740991})")->value() == 9007199254740991);
  for (const char* bad :
       {R"({"maxDiscount": null})", R"({"maxDiscount": true})", R"({"maxDiscount": "5"})",
        R"({"maxDiscount": [5]})", R"({"maxDiscount": 9007199254740992})"}) {
    CAPTURE(bad);
    CHECK(field(bad).code() == ErrorCode::kInvalidRequest);
  }
}

TEST_CASE("an optional time field takes RFC 3339 in UTC, as answers write it, and nothing else") {
  auto field = [](const char* body) {
    auto doc = ParseObject(body);
    REQUIRE(doc.ok());
    return OptionalTimeField(*doc, "validFrom");
  };
  CHECK_FALSE(field("{}")->has_value());
  CHECK(field(R"({"validFrom": "1970-01-01T00:00:01Z"})")->value() == 1000);
  CHECK(field(R"({"validFrom": "2025-03-14T09:26:53.589Z"})")->value() ==
        ParseTime("2025-03-14T09:26:53.589Z"));
  for (const char* bad :
       {R"({"validFrom": null})", R"({"validFrom": 1741944413589})", R"({"validFrom": true})",
        R"({"validFrom": ""})", R"({"validFrom": "tomorrow"})",
        R"({"validFrom": "2025-02-30T00:00:00Z"})", R"({"validFrom": "2025-03-14T09:26:53+09:00"})",
        R"({"validFrom": "2025-03-14"})", R"({"validFrom": ["2025-03-14T09:26:53Z"]})"}) {
    CAPTURE(bad);
    CHECK(field(bad).code() == ErrorCode::kInvalidRequest);
  }
}

TEST_CASE("malformed, non-object and trailing-garbage bodies are 400, unknown fields are ignored") {
  for (const char* bad : {"", "{", "[1]", "\"x\"", "{} {}", "{\"a\":1,}", "nul"}) {
    CAPTURE(bad);
    CHECK(ParseObject(bad).code() == ErrorCode::kInvalidRequest);
  }
  CHECK(*Amount(R"({"amount": 3, "extra": {"deep": [1, 2]}})") == 3);
}

// CVE-2024-38517: RapidJSON 1.1.0's ParseNumber overflows its exponent arithmetic and
// reads out of bounds (this body killed the server with SIGSEGV). No number with a
// fraction or an exponent may reach it, in any field, known or ignored.
TEST_CASE("numbers with a fraction or exponent never reach RapidJSON: 400 in any field") {
  for (const char* body : {
           R"({"userId":"alice","amount":0.0000000000e-2147483639})",
           R"({"userId":"alice","amount":1e-2147483648})",
           R"({"userId":"alice","amount":1e2147483647})",
           R"({"userId":"alice","amount":-0.0e-2147483647})",
           R"({"userId":"alice","amount":5,"x":1.0e-99999999999})",
           R"({"userId":"alice","amount":5,"x":[1,2,3e0]})",
           R"({"userId":"alice","amount":1E5})",
           R"({"userId":"alice","amount":1.5})",
           R"({"userId":"alice","amount":1.})",
           R"({"userId":"alice","amount":-})",
           R"({"userId":"alice","amount":+5})",
           R"({"userId":"alice","amount":12345678901234567})",
       }) {
    INFO(body);
    auto doc = ParseObject(body);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.code() == ErrorCode::kInvalidRequest);
  }
}

TEST_CASE("the number screen reads strings as strings: digits, dots and escapes inside pass") {
  auto doc = ParseObject(R"({"userId":"1.5e-2147483639 \" 2.0","amount":9007199254740991})");
  REQUIRE(doc.ok());
  CHECK(*IntField(*doc, "amount") == 9007199254740991);
  CHECK(*StringField(*doc, "userId") == "1.5e-2147483639 \" 2.0");
  CHECK(*Amount(R"({"amount":-9007199254740991})") == -9007199254740991);
  CHECK(*Amount(R"({"amount":0})") == 0);
}

TEST_CASE("deep nesting is parsed iteratively: a 400, not a stack overflow") {
  std::string deep = "{\"a\":" + std::string(200'000, '[') + std::string(200'000, ']') + "}";
  auto doc = ParseObject(deep);  // well-formed: parses without recursion
  CHECK(doc.ok());
  std::string unbalanced = "{\"a\":" + std::string(200'000, '[') + "}";
  CHECK(ParseObject(unbalanced).code() == ErrorCode::kInvalidRequest);
}

TEST_CASE("targets split into decoded segments and query") {
  Target t;
  REQUIRE(ParseTarget("/orders?userId=a%20b&limit=5&userId=second&flag", &t));
  CHECK(t.path == "/orders");
  CHECK(t.segments == std::vector<std::string>{"orders"});
  CHECK(t.query["userId"] == "a b");
  CHECK(t.query["limit"] == "5");
  CHECK(t.query.contains("flag"));
  REQUIRE(ParseTarget("/balance?userId=x+y", &t));
  CHECK(t.query["userId"] == "x y");
  CHECK_FALSE(ParseTarget("/bad%2", &t));
  CHECK_FALSE(ParseTarget("/bad%zz", &t));
  CHECK_FALSE(ParseTarget("http://host/abs", &t));
}

TEST_CASE("the path is split before it is decoded: an escaped '/' stays inside its id") {
  Target t;
  REQUIRE(ParseTarget("/users/a%2Fb", &t));
  CHECK(t.path == "/users/a%2Fb");
  CHECK(t.segments == std::vector<std::string>{"users", "a/b"});
  REQUIRE(ParseTarget("/products/x%2F..%2Frestock/restock", &t));
  CHECK(t.segments == std::vector<std::string>{"products", "x/../restock", "restock"});
}

TEST_CASE("a target that decodes to invalid UTF-8 is refused, in the path and the query") {
  Target t;
  for (const char* target : {"/users/%FF", "/users/\xff", "/balance?userId=%C0%AF",
                             "/balance?userId=%ED%A0%80", "/balance?%FE=1", "/x%F4%90%80%80"}) {
    INFO(target);
    CHECK_FALSE(ParseTarget(target, &t));
  }
  REQUIRE(ParseTarget("/users/%E2%82%AC%F0%9F%98%80", &t));
  CHECK(t.segments[1] == "\u20ac\U0001F600");
}

TEST_CASE("UTF-8: well-formed text passes, every other byte becomes U+FFFD") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain \u00e9\u4e2d\U0001F600"));
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  CHECK(ToValidUtf8("a\xFF"
                    "b\xE2\x82") ==
        "a\uFFFD"
        "b\uFFFD\uFFFD");
  CHECK(ToValidUtf8("ok \u00e9") == "ok \u00e9");
}

TEST_CASE("a problem detail that echoes invalid UTF-8 is still valid UTF-8") {
  Response r = Problem(Status(ErrorCode::kNotFound, "no route for /\xff\xfe"));
  CHECK(IsValidUtf8(r.body));
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(r.body.data(), r.body.size());
  CHECK_FALSE(doc.HasParseError());
}

TEST_CASE("Authorization: the Bearer scheme is case-insensitive, the token exact") {
  CHECK(BearerCredentials("Bearer abc") == "abc");
  CHECK(BearerCredentials("bearer abc") == "abc");
  CHECK(BearerCredentials("BEARER   abc") == "abc");
  CHECK_FALSE(BearerCredentials("Basic abc"));
  CHECK_FALSE(BearerCredentials("Bearer"));
  CHECK_FALSE(BearerCredentials("Bearer "));
  CHECK_FALSE(BearerCredentials("Bearerabc"));
  CHECK(ConstantTimeEquals("s3cret", "s3cret"));
  CHECK_FALSE(ConstantTimeEquals("s3cret", "s3cre"));
  CHECK_FALSE(ConstantTimeEquals("s3cre", "s3cret"));
  CHECK_FALSE(ConstantTimeEquals("s3cret", "s3creT"));
  CHECK_FALSE(ConstantTimeEquals("", "s3cret"));
}

TEST_CASE("Content-Type: application/json in any case, with parameters") {
  CHECK(IsJsonMediaType("application/json"));
  CHECK(IsJsonMediaType("Application/JSON; charset=utf-8"));
  CHECK(IsJsonMediaType(" application/json ;charset=UTF-8"));
  CHECK_FALSE(IsJsonMediaType("text/plain"));
  CHECK_FALSE(IsJsonMediaType("application/x-www-form-urlencoded"));
  CHECK_FALSE(IsJsonMediaType("application/jsonp"));
  CHECK_FALSE(IsJsonMediaType(""));
}

TEST_CASE("a cursor is bound to its list and user, a forged one is refused") {
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
