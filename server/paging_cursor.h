#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/result.h"

// Opaque page cursors: the engine's position plus a checksum binding it to the list
// (kind and user) it came from, so a cursor this server did not issue is refused.
namespace ecomm::server {

std::string EncodeCursor(std::string_view list, std::string_view user_id, uint64_t position);
Result<uint64_t> DecodeCursor(std::string_view list, std::string_view user_id,
                              std::string_view cursor);

}  // namespace ecomm::server
