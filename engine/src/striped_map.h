#pragma once

#include <xxhash.h>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "secure_random.h"

namespace ecomm {

// XXH3 over the bytes of a string; transparent so a string_view finds a string key.
// Clients choose the keys (userIds, productIds, Idempotency-Keys), so the hash is
// seeded per process: with a known hash they could send keys that all land in one
// bucket and make every lookup a linear scan.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return XXH3_64bits_withSeed(s.data(), s.size(), HashSeed());
  }
};

// A hash map split into independently locked stripes, so lookups of different keys
// rarely contend. Values are heap objects that are never removed or moved, so the
// pointers it hands out stay valid for the map's life; each object guards its own
// mutable fields with its own mutex. The stripe is the hash's top bits, so `Hash` must
// spread them (XXH3 does; std::hash of an integer, the identity, would put every small
// key in stripe 0): there is no default.
template <class Key, class T, class Hash, class Eq = std::equal_to<>>
class StripedMap {
 public:
  using Map = std::unordered_map<Key, std::unique_ptr<T>, Hash, Eq>;

  template <class K>
  T* Find(const K& key) const {
    const Stripe& stripe = StripeFor(key);
    std::lock_guard lock(stripe.mu);
    auto it = stripe.map.find(key);
    return it == stripe.map.end() ? nullptr : it->second.get();
  }

  // The stripe of a key, locked: the way to check for absence and insert as one step.
  struct LockedStripe {
    std::unique_lock<std::mutex> lock;
    Map* map = nullptr;
  };
  template <class K>
  LockedStripe LockStripe(const K& key) {
    Stripe& stripe = StripeFor(key);
    return LockedStripe{std::unique_lock(stripe.mu), &stripe.map};
  }

  // Runs `fn(map)` on the stripe of `key` with that stripe locked.
  template <class K, class Fn>
  decltype(auto) WithStripe(const K& key, Fn&& fn) {
    LockedStripe stripe = LockStripe(key);
    return fn(*stripe.map);
  }

  // Calls `fn(const T&)` for every value, one stripe locked at a time.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Stripe& stripe : stripes_) {
      std::lock_guard lock(stripe.mu);
      for (const auto& [key, value] : stripe.map) fn(*value);
    }
  }

  size_t Size() const {
    size_t n = 0;
    for (const Stripe& stripe : stripes_) {
      std::lock_guard lock(stripe.mu);
      n += stripe.map.size();
    }
    return n;
  }

 private:
  static constexpr size_t kStripes = 64;

  struct alignas(64) Stripe {
    mutable std::mutex mu;
    Map map;
  };

  template <class K>
  Stripe& StripeFor(const K& key) {
    // The top bits pick the stripe; the map inside uses the low bits.
    return stripes_[(Hash{}(key) >> 58) % kStripes];
  }
  template <class K>
  const Stripe& StripeFor(const K& key) const {
    return stripes_[(Hash{}(key) >> 58) % kStripes];
  }

  std::array<Stripe, kStripes> stripes_;
};

}  // namespace ecomm
