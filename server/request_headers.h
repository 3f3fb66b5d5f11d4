#pragma once

#include <optional>
#include <string_view>

// Readings of the request headers the API decides on.
namespace ecomm::server {

// The credentials of an `Authorization: Bearer <token>` header; the scheme is
// case-insensitive (RFC 7235 2.1) and may be followed by several spaces. Nothing when
// the header uses another scheme or carries no token.
std::optional<std::string_view> BearerCredentials(std::string_view authorization);

// Whether two secrets are equal, in a time that depends only on their lengths, so that
// a client timing its 401s learns nothing about how much of a guess was right.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Whether a Content-Type names application/json (case-insensitive, parameters such as
// "; charset=utf-8" allowed).
bool IsJsonMediaType(std::string_view content_type);

}  // namespace ecomm::server
