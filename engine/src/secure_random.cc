#include "secure_random.h"

#include <pthread.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ecomm {

namespace {

// 4 KiB per thread that draws: one getrandom call per 256 ids.
struct Pool {
  uint8_t bytes[4096];
  size_t used = sizeof bytes;  // starts empty
};

thread_local Pool pool;

// A forked child would hand out the bytes its parent is still handing out; only the
// forking thread exists in the child, so emptying its pool is enough.
void EmptyPoolInChild() { pool.used = sizeof pool.bytes; }

void Refill() {
  static const int registered = pthread_atfork(nullptr, nullptr, EmptyPoolInChild);
  (void)registered;
  size_t filled = 0;
  while (filled < sizeof pool.bytes) {
    // Large requests may be cut short by a signal; what arrived is random all the same.
    ssize_t n = getrandom(pool.bytes + filled, sizeof pool.bytes - filled, 0);
    if (n > 0) {
      filled += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      // Ids from anything weaker would be guessable: better no service than that.
      std::fprintf(stderr, "ecomm: getrandom failed: %s\n", std::strerror(errno));
      std::abort();
    }
  }
  pool.used = 0;
}

}  // namespace

void SecureRandom(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    if (pool.used == sizeof pool.bytes) Refill();
    size_t n = std::min(out.size() - done, sizeof pool.bytes - pool.used);
    std::memcpy(out.data() + done, pool.bytes + pool.used, n);
    pool.used += n;
    done += n;
  }
}

uint64_t HashSeed() {
  static const uint64_t seed = [] {
    uint64_t value;
    SecureRandom(std::span(reinterpret_cast<uint8_t*>(&value), sizeof value));
    return value;
  }();
  return seed;
}

}  // namespace ecomm
