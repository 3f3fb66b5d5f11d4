#include "json_reader.h"

#include <charconv>

#include "ecomm/types.h"
#include "ecomm/untrusted_json.h"

namespace ecomm::server {

namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidRequest, std::move(message));
}

}  // namespace

Result<rapidjson::Document> ParseObject(std::string_view body) {
  Result<rapidjson::Document> doc = ParseUntrustedJson(body);
  if (doc.ok() && !doc->IsObject()) return Invalid("the body must be a JSON object");
  return doc;
}

Result<std::string> StringField(const rapidjson::Value& object, const char* name) {
  auto value = OptionalStringField(object, name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Invalid(std::string(name) + " is required");
  return std::move(**value);
}

Result<std::optional<std::string>> OptionalStringField(const rapidjson::Value& object,
                                                       const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return std::optional<std::string>();
  if (!it->value.IsString()) return Invalid(std::string(name) + " must be a string");
  return std::optional<std::string>(
      std::string(it->value.GetString(), it->value.GetStringLength()));
}

Result<int64_t> IntValue(const rapidjson::Value& value, std::string_view what) {
  // IsInt64 is false for 1.0 and 1e3, which RapidJSON holds as doubles.
  if (!value.IsInt64() || value.IsDouble()) {
    return Invalid(std::string(what) + " must be an integer");
  }
  int64_t v = value.GetInt64();
  if (v > limits::kMaxJsonInteger || v < -limits::kMaxJsonInteger) {
    return Invalid(std::string(what) + " is out of range");
  }
  return v;
}

Result<int64_t> IntField(const rapidjson::Value& object, const char* name) {
  auto value = OptionalIntField(object, name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Invalid(std::string(name) + " is required");
  return **value;
}

Result<std::optional<int64_t>> OptionalIntField(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return std::optional<int64_t>();
  auto value = IntValue(it->value, name);
  if (!value.ok()) return value.status();
  return std::optional<int64_t>(*value);
}

Result<std::optional<TimeMs>> OptionalTimeField(const rapidjson::Value& object, const char* name) {
  auto text = OptionalStringField(object, name);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<TimeMs>();
  std::optional<TimeMs> time = ParseTime(**text);
  if (!time) {
    return Invalid(std::string(name) + " must be an RFC 3339 time in UTC, such as " +
                   "2025-03-14T09:00:00Z");
  }
  return time;
}

Result<int64_t> IntParam(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      v > limits::kMaxJsonInteger || v < -limits::kMaxJsonInteger) {
    return Invalid(std::string(what) + " must be an integer");
  }
  return v;
}

}  // namespace ecomm::server
