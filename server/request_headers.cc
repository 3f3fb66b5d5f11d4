#include "request_headers.h"

#include <cstdint>

namespace ecomm::server {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> BearerCredentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !EqualsIgnoringCase(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view token = TrimSpaces(authorization.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `a` is compared, against `b` or against itself when `b` is shorter,
  // and the differences are OR-ed: no early exit.
  uint8_t diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    char other = i < b.size() ? b[i] : a[i];
    diff |= static_cast<uint8_t>(a[i] ^ other);
  }
  return diff == 0;
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view media = TrimSpaces(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoringCase(media, "application/json");
}

}  // namespace ecomm::server
