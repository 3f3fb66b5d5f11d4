// ScreenJsonNumbers (base: ecomm/untrusted_json.h), the screen in front of RapidJSON 1.1.0:
// integers of up to 16 digits, with or without a minus sign, pass; a 17th digit, a
// fraction, an exponent or a lone '-' is kInvalidRequest naming the token's offset;
// digits inside strings, escaped quotes included, are not numbers; and the bodies of
// CVE-2024-38517 never reach the parser.
#include <doctest/doctest.h>

#include <string>

#include "ecomm/result.h"
#include "ecomm/untrusted_json.h"

namespace ecomm::testing {
namespace {

// The message of a refusal, "" when the body passes; a refusal must be kInvalidRequest.
std::string Refusal(const std::string& json) {
  Status s = ScreenJsonNumbers(json);
  if (s.ok()) return "";
  CHECK(s.code() == ErrorCode::kInvalidRequest);
  return s.message();
}

const std::string kInteger = "numbers must be integers (no fraction or exponent): offset ";
const std::string kTooLong = "number out of range (over 16 digits) at offset ";
const std::string kMalformed = "malformed number at offset ";

// Catches a limit below 16 digits (2^53-1 has 16) or a minus sign counted as a digit.
TEST_CASE("integers of up to 16 digits pass, negative ones too") {
  CHECK(Refusal("{}") == "");
  CHECK(Refusal("0") == "");
  CHECK(Refusal("-0") == "");
  CHECK(Refusal(R"({"amount":9007199254740991})") == "");  // 2^53-1
  CHECK(Refusal(R"({"amount":9999999999999999})") == "");
  CHECK(Refusal(R"({"amount":-9999999999999999})") == "");
  CHECK(Refusal(R"([1,-2,3,[4,{"a":-5}]])") == "");
}

// Catches a digit limit above 16, or off by one.
TEST_CASE("a 17th digit is refused with the number's offset") {
  CHECK(Refusal(R"({"amount":12345678901234567})") == kTooLong + "10");
  CHECK(Refusal(R"({"amount":-12345678901234567})") == kTooLong + "10");
  CHECK(Refusal(R"({"a":1,"b":00000000000000000})") == kTooLong + "11");
}

// Catches a fraction or an exponent (either case, either sign) let through, or an offset
// that is not the number's first character.
TEST_CASE("fractions and exponents are refused with the number's offset") {
  CHECK(Refusal(R"({"amount":1.5})") == kInteger + "10");
  CHECK(Refusal(R"({"amount":-0.0})") == kInteger + "10");
  CHECK(Refusal(R"({"amount":1e5})") == kInteger + "10");
  CHECK(Refusal(R"({"amount":1E5})") == kInteger + "10");
  CHECK(Refusal(R"({"amount":1e+5})") == kInteger + "10");
  CHECK(Refusal(R"({"amount":1e-5})") == kInteger + "10");
  CHECK(Refusal(R"({"q":[1, 2, 3.0]})") == kInteger + "12");
  CHECK(Refusal("1.") == kInteger + "0");
}

// Catches a minus sign taken as a number by itself.
TEST_CASE("a lone '-' is malformed") {
  CHECK(Refusal("-") == kMalformed + "0");
  CHECK(Refusal(R"({"amount":-})") == kMalformed + "10");
  CHECK(Refusal(R"({"amount":- 5})") == kMalformed + "10");
}

// Catches a screen that reads digits inside strings as numbers, and one that ends a
// string at an escaped quote or does not end it after an escaped backslash.
TEST_CASE("digits inside strings are not numbers, escaped quotes included") {
  CHECK(Refusal(R"({"note":"1.5e999 and 123456789012345678"})") == "");
  CHECK(Refusal(R"({"note":"say \"1.5\" twice"})") == "");
  CHECK(Refusal(R"({"note":"\"","n":2})") == "");
  CHECK(Refusal(R"({"1.5":1})") == "");
  // The escaped backslash ends with the string's own quote: 1.5 is a number again.
  CHECK(Refusal(R"({"path":"C:\\","n":1.5})") == kInteger + "19");
  // After a string with escapes, numbers are screened again.
  CHECK(Refusal(R"({"note":"a\"b","n":12345678901234567})") == kTooLong + "19");
}

// Catches the CVE-2024-38517 bodies reaching RapidJSON: an exponent that overflows,
// and a long fraction with a huge negative exponent.
TEST_CASE("CVE-2024-38517 bodies are refused before any parser sees them") {
  CHECK(Refusal(R"({"amount":1e400000000})") == kInteger + "10");
  const std::string tiny = "{\"amount\":0." + std::string(400, '0') + "1e-99999999}";
  CHECK(Refusal(tiny) == kInteger + "10");
  const std::string nested = "[[[[" + std::string("-1e400000000") + "]]]]";
  CHECK(Refusal(nested) == kInteger + "4");
}

// Catches a parse that skips the screen, accepts bytes after the value, or lets
// invalid UTF-8 through into answers and events.
TEST_CASE("ParseUntrustedJson screens, then parses strictly") {
  auto parsed = ParseUntrustedJson(R"({"a":[1,-2,"x"]})");
  REQUIRE(parsed.ok());
  CHECK((*parsed)["a"][1].GetInt64() == -2);
  for (std::string text : {std::string(R"({"a":1e400000000})"), std::string(R"({"a":1} x)"),
                           std::string("{\"a\":\"\xff\"}"), std::string("")}) {
    CAPTURE(text);
    auto refused = ParseUntrustedJson(text);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.code() == ErrorCode::kInvalidRequest);
  }
}

}  // namespace
}  // namespace ecomm::testing
