#include "ecomm/auth/token_cache.h"

#include <openssl/evp.h>

#include <cassert>
#include <cstring>
#include <limits>
#include <memory>

namespace ecomm::auth {

TokenCache::TokenCache(size_t capacity) : per_shard_(std::max<size_t>(1, capacity / kShards)) {}

size_t TokenCache::DigestHash::operator()(const Digest& d) const {
  size_t h;
  std::memcpy(&h, d.data() + 8, sizeof h);  // a SHA-256 is uniform: any 8 bytes will do
  return h;
}

TokenCache::Digest TokenCache::DigestOf(std::string_view token) {
  // Fetched once, and one context per thread: OpenSSL 3's implicit fetch and context
  // allocation cost more than hashing a token (they were most of this path's time).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                               EVP_MD_CTX_free);
  Digest digest{};
  unsigned int size = 0;
  int ok = EVP_DigestInit_ex2(context.get(), sha256, nullptr) == 1 &&
           EVP_DigestUpdate(context.get(), token.data(), token.size()) == 1 &&
           EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1;
  // Invariant: SHA-256 is built into every libcrypto and cannot fail on memory input.
  assert(ok && size == digest.size());
  (void)ok;
  return digest;
}

std::optional<TokenClaims> TokenCache::Find(std::string_view token, int64_t now) {
  Digest digest = DigestOf(token);
  Shard& shard = ShardOf(digest);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(digest);
  if (it == shard.index.end()) return std::nullopt;
  if (now > it->second->valid_until) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return std::nullopt;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->claims;
}

void TokenCache::Insert(std::string_view token, const TokenClaims& claims) {
  Digest digest = DigestOf(token);
  int64_t valid_until = claims.expires_at ? *claims.expires_at + JwtVerifier::kLeewaySeconds
                                          : std::numeric_limits<int64_t>::max();
  Shard& shard = ShardOf(digest);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.index.find(digest); it != shard.index.end()) {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  if (shard.lru.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().digest);
    shard.lru.pop_back();
  }
  shard.lru.push_front(Entry{digest, claims, valid_until});
  shard.index.emplace(digest, shard.lru.begin());
  // Invariant: the index and the recency list hold the same entries.
  assert(shard.index.size() == shard.lru.size());
}

size_t TokenCache::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.lru.size();
  }
  return total;
}

}  // namespace ecomm::auth
