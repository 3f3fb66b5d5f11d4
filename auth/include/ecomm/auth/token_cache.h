#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "ecomm/auth/jwt_verifier.h"

namespace ecomm::auth {

// Tokens already verified, so that a keep-alive client pays one signature check per
// token rather than one per request. Keyed by the SHA-256 of the token (a hit needs
// the same bytes, not a lookalike); an entry lasts until its token expires (`exp`
// plus the leeway) or until it is the least recently used of a full shard.
// Thread-safe: 16 shards, each under its own mutex.
class TokenCache {
 public:
  explicit TokenCache(size_t capacity);

  // The claims `token` was verified to carry, if it is here and not expired at `now`.
  std::optional<TokenClaims> Find(std::string_view token, int64_t now);
  // Remembers a token Verify accepted.
  void Insert(std::string_view token, const TokenClaims& claims);
  size_t size() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const;
  };
  struct Entry {
    Digest digest;
    TokenClaims claims;
    int64_t valid_until;  // seconds since the epoch; INT64_MAX: the token has no exp
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<Digest, std::list<Entry>::iterator, DigestHash> index;
  };
  static constexpr size_t kShards = 16;

  static Digest DigestOf(std::string_view token);
  Shard& ShardOf(const Digest& digest) { return shards_[digest[0] % kShards]; }

  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ecomm::auth
