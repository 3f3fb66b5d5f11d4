// A canonical digest of all state: two engines that applied the same records have
// the same digest, whatever the thread interleaving or hash-table layout. It is the
// hash of the snapshot encoding of every object in a sorted order, so the digest
// covers exactly what a snapshot preserves.
#include <xxhash.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "account_chunk_encoder.h"
#include "engine_core.h"
#include "replay.h"
#include "snapshot_codec.h"

namespace ecomm {

namespace {

class Digest {
 public:
  Digest() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~Digest() { XXH3_freeState(state_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  // Length-prefixed, so that chunk boundaries are part of what is hashed.
  void Chunk(const std::string& bytes) {
    uint64_t n = bytes.size();
    XXH3_64bits_update(state_, &n, sizeof n);
    XXH3_64bits_update(state_, bytes.data(), bytes.size());
  }
  uint64_t Value() const { return XXH3_64bits_digest(state_); }

 private:
  XXH3_state_t* state_;
};

}  // namespace

uint64_t StateDigest(const Engine& engine) {
  EngineCore& core = engine.core();
  std::shared_lock gate(core.gate.lock);
  const EngineState& s = *core.state;
  Digest d;
  d.Chunk(EncodeMetaChunk(s.clock_offset_ms.load()));
  for (const Product* p : s.catalog.Range(std::nullopt, std::nullopt)) {  // productId order
    std::lock_guard lock(p->mu);
    d.Chunk(EncodeProductChunk(*p));
  }
  std::vector<const Coupon*> coupons;
  s.coupons.ForEach([&](const Coupon& c) { coupons.push_back(&c); });
  std::sort(coupons.begin(), coupons.end(),
            [](const Coupon* a, const Coupon* b) { return a->coupon_id < b->coupon_id; });
  // The issued count is not in the snapshot encoding (loading counts it back from the
  // users' coupons), so it is hashed beside it: two states whose counts differ differ.
  for (const Coupon* c : coupons) {
    d.Chunk(EncodeCouponChunk(*c) + std::to_string(c->issued.load()));
  }
  std::vector<const Account*> accounts;
  s.accounts.ForEach([&](const Account& a) { accounts.push_back(&a); });
  std::sort(accounts.begin(), accounts.end(),
            [](const Account* a, const Account* b) { return a->user_id < b->user_id; });
  for (const Account* a : accounts) {
    std::lock_guard lock(a->mu);
    d.Chunk(EncodeAccountChunk(*a));
  }
  std::vector<std::pair<std::string, std::string>> keys;
  s.idempotency.ForEachLive(s.Now(), [&](std::string_view key, std::string_view fingerprint,
                                         const IdempotentOutcome& out) {
    keys.emplace_back(std::string(key), EncodeIdempotencyChunk(key, fingerprint, out));
  });
  std::sort(keys.begin(), keys.end());
  for (const auto& [key, chunk] : keys) d.Chunk(chunk);
  return d.Value();
}

}  // namespace ecomm
