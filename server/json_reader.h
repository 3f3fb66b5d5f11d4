#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/result.h"
#include "ecomm/time_format.h"

// Strict decoding of request bodies: iterative parsing (deep nesting cannot overflow
// the stack), exact integers (a float, bool, string or number beyond 2^53-1 where an
// integer belongs is 400), unknown fields ignored.
namespace ecomm::server {

// Parses `body` as a JSON object.
Result<rapidjson::Document> ParseObject(std::string_view body);

// A required string field.
Result<std::string> StringField(const rapidjson::Value& object, const char* name);
// An optional string field: absent is nothing, present but not a string is 400.
Result<std::optional<std::string>> OptionalStringField(const rapidjson::Value& object,
                                                       const char* name);
// A required integer field within ±(2^53-1).
Result<int64_t> IntField(const rapidjson::Value& object, const char* name);
// An optional integer field: absent is nothing, present but not such an integer is 400.
Result<std::optional<int64_t>> OptionalIntField(const rapidjson::Value& object, const char* name);
// An optional RFC 3339 time in UTC (ecomm::ParseTime): absent is nothing, present but
// not a string of that form is 400.
Result<std::optional<TimeMs>> OptionalTimeField(const rapidjson::Value& object, const char* name);
// An integer from a JSON value (an array element, say); `what` names it in errors.
Result<int64_t> IntValue(const rapidjson::Value& value, std::string_view what);
// A decimal integer from a query parameter.
Result<int64_t> IntParam(std::string_view text, std::string_view what);

}  // namespace ecomm::server
