#include "paging_cursor.h"

#include <xxhash.h>

#include <charconv>
#include <cstdio>

namespace ecomm::server {

namespace {

uint32_t Tag(std::string_view list, std::string_view user_id, uint64_t position) {
  std::string bound =
      std::string(list) + '\0' + std::string(user_id) + '\0' + std::to_string(position);
  return static_cast<uint32_t>(XXH3_64bits(bound.data(), bound.size()));
}

}  // namespace

std::string EncodeCursor(std::string_view list, std::string_view user_id, uint64_t position) {
  char tag[16];
  std::snprintf(tag, sizeof tag, "%08x", Tag(list, user_id, position));
  return std::to_string(position) + "." + tag;
}

Result<uint64_t> DecodeCursor(std::string_view list, std::string_view user_id,
                              std::string_view cursor) {
  Status invalid(ErrorCode::kInvalidRequest, "cursor was not issued by this server");
  size_t dot = cursor.find('.');
  if (dot == std::string_view::npos || cursor.size() - dot != 9) return invalid;
  uint64_t position = 0;
  auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + dot, position);
  if (ec != std::errc() || end != cursor.data() + dot) return invalid;
  char tag[16];
  std::snprintf(tag, sizeof tag, "%08x", Tag(list, user_id, position));
  if (cursor.substr(dot + 1) != tag) return invalid;
  return position;
}

}  // namespace ecomm::server
