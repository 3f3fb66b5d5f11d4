#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ecomm {

// The bytes of `text`: strings carry the formats' bytes (log records, snapshot chunks,
// topic messages), while the readers, writers and checksums take spans of uint8_t.
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace ecomm
