#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/clock.h"
#include "ecomm/engine.h"
#include "ecomm/record.h"

// What the fuzz targets and the seed corpus generator share: a small engine state
// every record input is applied to, and valid records that fit it, so that the seeds
// reach the replay checks instead of stopping at "unknown user".
namespace ecomm::fuzz {

// Stops the run with a message; libFuzzer saves the input that got here.
void Check(bool ok, const char* what);

inline constexpr TimeMs kStartMs = 1'795'608'030'000;
// The order SetupRecords places, which a CANCEL_ORDER input can name.
inline constexpr Uuid kSetupOrderId{0x1111, 0x2222};

// Users u1 and u2, products p1 and p2, u1 charged, an order of u1, a cart line of u1.
std::vector<Record> SetupRecords();
// One record of each type (two orders: SUCCESS and FAILED) that fits after
// SetupRecords, in an order in which they all apply.
std::vector<Record> SampleRecords();

// An engine on a manual clock that has applied SetupRecords.
struct SetupEngine {
  SetupEngine();
  ManualClock clock{kStartMs};
  Engine engine{EngineOptions{&clock, nullptr}};
  Lsn next_lsn = 1;
};

}  // namespace ecomm::fuzz
