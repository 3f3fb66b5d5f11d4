#pragma once

// Edits of segment bytes for the reader tests: a header or frame that is well-formed,
// its checksum made to match, but says something wrong.
#include <xxhash.h>

#include <cstdint>
#include <functional>
#include <string>

#include "ecomm/wal/log_format.h"

namespace ecomm::testing {

// Gives a segment's header another version number, with its checksum made to match.
inline void SetSegmentVersion(std::string& bytes, char version) {
  bytes[8] = version;
  uint64_t sum = XXH3_64bits(bytes.data(), 24);
  for (int i = 0; i < 8; ++i) bytes[24 + i] = static_cast<char>(sum >> (8 * i));
}

// Rewrites the frame at `offset` with `patch` applied to its header, and a checksum
// that matches again.
inline void RewriteFrame(std::string& bytes, size_t offset,
                         const std::function<void(std::string&)>& patch) {
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i)
    length |= uint32_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
  std::string header = bytes.substr(offset, wal::kFrameHeaderSize);
  patch(header);
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header.data(), wal::kFrameHeaderSize - 8);
  XXH3_64bits_update(state, bytes.data() + offset + wal::kFrameHeaderSize, length);
  uint64_t sum = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  for (int i = 0; i < 8; ++i)
    header[wal::kFrameHeaderSize - 8 + i] = static_cast<char>(sum >> (8 * i));
  bytes.replace(offset, wal::kFrameHeaderSize, header);
}

}  // namespace ecomm::testing
