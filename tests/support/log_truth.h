#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ecomm/types.h"

namespace ecomm::testing {

// A record as it was first written to a WAL segment.
struct LoggedRecord {
  uint8_t type;
  std::string payload;
};

// Parses every frame out of segment bytes (as FaultFileSystem::AppendHistory gives
// them), keyed by LSN.
std::map<Lsn, LoggedRecord> FramesOf(const std::map<std::string, std::string>& segments);

// Digest of a fresh engine that replayed records 1..last from `log`; fails the test
// if one is missing or does not apply.
uint64_t DigestOfPrefix(const std::map<Lsn, LoggedRecord>& log, Lsn last);

}  // namespace ecomm::testing
