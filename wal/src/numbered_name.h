#pragma once

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "ecomm/wal/journal.h"

namespace ecomm::wal {

// "<LSN as 20 digits><suffix>": names that sort in LSN order, for segments and
// snapshots alike.
inline std::string NumberedFileName(Lsn lsn, const char* suffix) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020" PRIu64, lsn);
  return digits + std::string(suffix);
}

inline std::optional<Lsn> ParseNumberedFileName(const std::string& name, const char* suffix) {
  size_t n = std::strlen(suffix);
  if (name.size() != 20 + n || name.compare(20, n, suffix) != 0) return std::nullopt;
  Lsn lsn = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    lsn = lsn * 10 + static_cast<Lsn>(name[i] - '0');
  }
  return lsn;
}

}  // namespace ecomm::wal
