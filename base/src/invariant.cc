#include "ecomm/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace ecomm {

void InvariantFailed(const char* condition, const char* why, const char* file, int line) {
  std::fprintf(stderr, "ecomm: invariant violated at %s:%d: %s (%s); stopping\n", file, line,
               condition, why);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ecomm
