#pragma once

#include <string>
#include <string_view>

// UTF-8 checks for text that comes from a client and may be echoed back: every answer
// must be valid UTF-8, whatever bytes arrived.
namespace ecomm::server {

// Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past U+10FFFF.
bool IsValidUtf8(std::string_view text);

// `text` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

}  // namespace ecomm::server
