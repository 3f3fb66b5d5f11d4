#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecomm {

using TimeMs = int64_t;  // milliseconds since the Unix epoch, UTC

// RFC 3339 in UTC with milliseconds, "2026-11-30T12:34:56.789Z": how every answer and
// every shipped event writes a time.
std::string FormatTime(TimeMs t);

// The same form read back: the fraction is optional (digits past milliseconds are
// dropped) and the zone must be `Z`. Nothing for any other text, including impossible
// dates such as February 30.
std::optional<TimeMs> ParseTime(std::string_view text);

// The minute `t` falls in, rounded towards minus infinity (a time before the epoch lands
// in the right minute), with no intermediate that can overflow: top sellers count
// sales by the minute of their order date.
constexpr int64_t MinuteOf(TimeMs t) { return t / 60000 - (t % 60000 < 0 ? 1 : 0); }

}  // namespace ecomm
