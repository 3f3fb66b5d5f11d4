#include "stats_log.h"

#include <cstdarg>
#include <cstdio>

namespace ecomm::stats {

void Log(const char* format, ...) {
  // One write per line, so lines of the consumer and HTTP threads never interleave.
  char line[1024];
  int n = std::snprintf(line, sizeof(line), "ecomm-stats: ");
  va_list args;
  va_start(args, format);
  std::vsnprintf(line + n, sizeof(line) - static_cast<size_t>(n) - 1, format, args);
  va_end(args);
  std::fprintf(stderr, "%s\n", line);
}

}  // namespace ecomm::stats
