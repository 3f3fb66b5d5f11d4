#include "ecomm/untrusted_json.h"

#include <rapidjson/error/en.h>

#include <string>

namespace ecomm {

namespace {

constexpr size_t kMaxDigits = 16;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The characters RapidJSON's number grammar consumes after a leading '-' or digit.
bool IsNumberChar(char c) {
  return IsDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidRequest, std::move(message));
}

Status CheckNumber(std::string_view token, size_t offset) {
  std::string_view digits = token.starts_with('-') ? token.substr(1) : token;
  for (char c : digits) {
    if (!IsDigit(c)) {
      return Invalid("numbers must be integers (no fraction or exponent): offset " +
                     std::to_string(offset));
    }
  }
  if (digits.empty()) return Invalid("malformed number at offset " + std::to_string(offset));
  if (digits.size() > kMaxDigits) {
    return Invalid("number out of range (over 16 digits) at offset " + std::to_string(offset));
  }
  return Status::Ok();
}

}  // namespace

Status ScreenJsonNumbers(std::string_view json) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '-' || IsDigit(c)) {
      size_t end = i + 1;
      while (end < json.size() && IsNumberChar(json[end])) ++end;
      if (Status s = CheckNumber(json.substr(i, end - i), i); !s.ok()) return s;
      i = end - 1;
    }
  }
  return Status::Ok();
}

Result<rapidjson::Document> ParseUntrustedJson(std::string_view text) {
  if (Status s = ScreenJsonNumbers(text); !s.ok()) return s;
  rapidjson::Document doc;
  // Without kParseStopWhenDoneFlag, anything after the value is an error too; strings
  // must be valid UTF-8 (RFC 8259), or they would poison every later answer.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(),
                                                                                    text.size());
  if (doc.HasParseError()) {
    return Invalid(std::string("malformed JSON: ") +
                   rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                   std::to_string(doc.GetErrorOffset()));
  }
  return doc;
}

}  // namespace ecomm
