// TokenCache from several threads at once (run under ThreadSanitizer by the test
// command): every hit returns the claims inserted for exactly that token, and the
// cache stays within its capacity while threads insert, find and evict together.
#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ecomm/auth/token_cache.h"

namespace ecomm::auth {
namespace {

TEST_CASE("TokenCache: concurrent inserts, finds and evictions keep each token's claims") {
  constexpr size_t kCapacity = 16 * 32;
  constexpr int kThreads = 4, kOps = 20'000, kTokens = 2'000;
  TokenCache cache(kCapacity);
  std::atomic<int> wrong{0}, hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < kOps; ++i) {
        std::string token = "token-" + std::to_string(random() % kTokens);
        if (auto found = cache.Find(token, 0)) {
          hits.fetch_add(1);
          if (found->subject != "sub-of-" + token) wrong.fetch_add(1);
        } else {
          cache.Insert(token, TokenClaims{"sub-of-" + token, false, std::nullopt});
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(wrong.load() == 0);
  CHECK(hits.load() > 0);
  CHECK(cache.size() <= kCapacity);
}

}  // namespace
}  // namespace ecomm::auth
