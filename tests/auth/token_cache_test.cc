// TokenCache: hits need the same bytes, entries expire with their token, and the
// cache never holds more than its capacity however many tokens pass through.
#include "ecomm/auth/token_cache.h"

#include <doctest/doctest.h>

#include <string>

namespace ecomm::auth {
namespace {

TokenClaims Claims(std::string subject, std::optional<int64_t> exp) {
  return TokenClaims{std::move(subject), false, exp};
}

TEST_CASE("a cached token is found by its exact text until exp plus the leeway") {
  TokenCache cache(1024);
  CHECK_FALSE(cache.Find("t1", 100).has_value());
  cache.Insert("t1", Claims("alice", 1000));
  auto hit = cache.Find("t1", 999);
  REQUIRE(hit.has_value());
  CHECK(hit->subject == "alice");
  CHECK_FALSE(cache.Find("t1 ", 999).has_value());
  CHECK_FALSE(cache.Find("T1", 999).has_value());
  CHECK(cache.Find("t1", 1000 + JwtVerifier::kLeewaySeconds).has_value());
  CHECK_FALSE(cache.Find("t1", 1000 + JwtVerifier::kLeewaySeconds + 1).has_value());
  CHECK(cache.size() == 0);  // the expired entry went when it was found expired

  cache.Insert("forever", Claims("bob", std::nullopt));
  CHECK(cache.Find("forever", INT64_MAX - 1).has_value());
}

TEST_CASE("the cache is bounded, the least recently used token goes first") {
  constexpr size_t kCapacity = 16 * 8;  // 8 per shard
  TokenCache cache(kCapacity);
  cache.Insert("keep", Claims("keep", std::nullopt));
  for (int i = 0; i < 10'000; ++i) {
    cache.Insert("token-" + std::to_string(i), Claims("u", std::nullopt));
    CHECK(cache.Find("keep", 0).has_value());  // used all the time: never evicted
    REQUIRE(cache.size() <= kCapacity);
  }
  CHECK(cache.size() > kCapacity / 2);
  CHECK_FALSE(cache.Find("token-0", 0).has_value());
  CHECK(cache.Find("token-9999", 0).has_value());
}

}  // namespace
}  // namespace ecomm::auth
