#pragma once

#include <cstdint>

#include "ecomm/time_format.h"

// The events' orderDate and occurredAt are ecomm::TimeMs, written and read as RFC 3339
// (ecomm/time_format.h); what the statistics add is the window's minutes.
namespace ecomm::stats {

// The window of SPEC "Top products": minutes m with now_minute - 72 h < m <= now_minute.
inline constexpr int64_t kWindowMinutes = 72 * 60;

// The minute `t` falls in, rounded towards minus infinity.
inline int64_t MinuteOf(TimeMs t) { return t / 60000 - (t % 60000 < 0 ? 1 : 0); }

}  // namespace ecomm::stats
