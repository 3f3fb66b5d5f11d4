#include <cstdio>
#include <ctime>

#include "ecomm/types.h"

namespace ecomm {

std::string FormatTime(TimeMs t) {
  // Floor division, so that times before the epoch keep a non-negative millisecond part.
  std::time_t seconds = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  int millis = static_cast<int>(t - static_cast<TimeMs>(seconds) * 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return out;
}

}  // namespace ecomm
