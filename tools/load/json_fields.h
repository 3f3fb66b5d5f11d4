#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace ecomm::load {

// Members of a JSON answer that a check reads; absent, null or of another type, they
// read as nothing, and the check says what it missed.

// "" when not a string.
inline std::string_view TextMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

inline std::optional<int64_t> IntMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return std::nullopt;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

}  // namespace ecomm::load
