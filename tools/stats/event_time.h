#pragma once

#include <cstdint>

#include "ecomm/time_format.h"

// The events' orderDate and occurredAt are ecomm::TimeMs, written and read as RFC 3339
// (ecomm/time_format.h); what the statistics add is the window's length
// (MinuteOf, the minute a time falls in, is base's, as the engine's top sellers use it).
namespace ecomm::stats {

// The window of SPEC "Top products": minutes m with now_minute - 72 h < m <= now_minute.
inline constexpr int64_t kWindowMinutes = 72 * 60;

}  // namespace ecomm::stats
