#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_map>

#include "ecomm/invariant.h"

namespace ecomm {

// Running totals per key, kept ranked by total descending, then key ascending (per
// KeyLess), as they change: the top k are the first k of the ranking, read without a
// scan. A key whose total falls to zero leaves both; a total never goes below zero.
// The engine's top sellers and ecomm-stats' sales window rank units sold this way.
// Not thread-safe: its owner's lock guards it.
template <class Key, class KeyLess = std::less<Key>, class Hash = std::hash<Key>>
class RankedTotals {
 public:
  // Adds `delta` (negative: takes back) to the total of `key`.
  void Add(const Key& key, int64_t delta) {
    auto it = totals_.find(key);
    int64_t old_total = it == totals_.end() ? 0 : it->second;
    int64_t new_total = 0;
    ECOMM_INVARIANT(!__builtin_add_overflow(old_total, delta, &new_total),
                    "a total fits in 64 bits");
    ECOMM_INVARIANT(new_total >= 0, "never take back more than was counted");
    if (old_total > 0) {
      auto node = ranking_.extract(Rank{old_total, key});
      ECOMM_INVARIANT(!node.empty(), "a key with a total is ranked");
      if (new_total > 0) {
        node.value().total = new_total;
        ranking_.insert(std::move(node));
      }
    } else if (new_total > 0) {
      ranking_.insert(Rank{new_total, key});
    }
    if (new_total > 0) {
      totals_[key] = new_total;
    } else if (it != totals_.end()) {
      totals_.erase(it);
    }
  }

  bool Contains(const Key& key) const { return totals_.contains(key); }

  // Calls `visit(key, total)` for the first `k` keys in rank order.
  template <class Visit>
  void ForTop(size_t k, Visit&& visit) const {
    size_t n = 0;
    for (auto it = ranking_.begin(); it != ranking_.end() && n < k; ++it, ++n) {
      visit(it->key, it->total);
    }
  }

 private:
  struct Rank {
    int64_t total;
    Key key;
  };
  struct RankOrder {
    bool operator()(const Rank& a, const Rank& b) const {
      if (a.total != b.total) return a.total > b.total;
      return KeyLess{}(a.key, b.key);
    }
  };

  std::unordered_map<Key, int64_t, Hash> totals_;  // only keys with a total > 0
  std::set<Rank, RankOrder> ranking_;
};

}  // namespace ecomm
