#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecomm::stats {

// Milliseconds since the Unix epoch, UTC: the events' orderDate and occurredAt.
using TimeMs = int64_t;

// The window of SPEC "Top products": minutes m with now_minute - 72 h < m <= now_minute.
inline constexpr int64_t kWindowMinutes = 72 * 60;

// RFC 3339 in UTC as the shipper writes it, 2026-11-30T12:34:56.789Z: the fraction is
// optional (digits past milliseconds are dropped) and the zone must be `Z`. Nothing
// for any other text, including impossible dates such as February 30.
std::optional<TimeMs> ParseTime(std::string_view text);
// The same form, always with milliseconds.
std::string FormatTime(TimeMs t);

// The minute `t` falls in, rounded towards minus infinity.
inline int64_t MinuteOf(TimeMs t) { return t / 60000 - (t % 60000 < 0 ? 1 : 0); }

}  // namespace ecomm::stats
