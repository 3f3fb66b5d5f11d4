#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecomm/ranked_totals.h"
#include "ecomm/types.h"
#include "orders.h"

namespace ecomm {

struct Product;

// Units sold per product over the sliding window (now - 72 h, now], to the minute.
// Sales sit in per-minute buckets; running per-product totals and a ranking ordered
// by (total desc, productId asc) are updated on every sale, so Top() reads the first
// k entries of the ranking and never scans orders. Buckets that fall out of the
// window are subtracted once, when any call (a sale, a cancel, a read, a snapshot
// load) moves the window past them: at most 72 h of minutes are ever held, and a
// load skips the orders that are already outside.
//
// A sale or cancel that finds the lock taken does not wait for it: it queues itself
// (a few words: an order's items never change) and the holder, or the next caller,
// applies the queue in order before anything else (flat combining). Orders on other
// threads then never sleep on this lock, the one every successful order takes. A
// cancel always queues after its order's sale (both hold the account's mutex), and
// every read applies the queue first, so what is read is what was committed.
class TopSellers {
 public:
  // Counts an order's items at engine time `now` (one lock per order, not per line).
  void Add(TimeMs now, TimeMs order_date, std::span<const OrderItem> items);
  // Takes back the items of an order added earlier (a cancelled order).
  void Remove(TimeMs now, TimeMs order_date, std::span<const OrderItem> items);
  std::vector<std::pair<const Product*, Quantity>> Top(TimeMs now, size_t k);
  // Drops the minutes that left the window by `now`, as any call does.
  void MoveTo(TimeMs now);
  // Minutes with sales held (for /metrics and tests).
  size_t minutes();

 private:
  struct ProductIdLess {
    bool operator()(const Product* a, const Product* b) const;
  };

  struct Change {
    TimeMs now;
    TimeMs order_date;
    std::span<const OrderItem> items;  // the order's own, which never change
    bool sale;                         // else a cancel
  };

  // Applies `change` now if the lock is free (after the queue), else queues it.
  void Submit(const Change& change);
  void Apply(const Change& change);  // mu_ held
  void ApplyQueued();                // mu_ held

  void ExpireThrough(int64_t minute);  // mu_ held
  void MoveWindowTo(TimeMs now);       // mu_ held

  mutable std::mutex mu_;
  std::mutex queue_mu_;                  // innermost: held only to push or take the queue
  std::vector<Change> queue_;            // changes that found mu_ taken, in order
  int64_t expired_through_ = INT64_MIN;  // minutes <= this have left the window
  std::map<int64_t, std::unordered_map<const Product*, Quantity>> buckets_;
  RankedTotals<const Product*, ProductIdLess> totals_;  // over the buckets held
};

}  // namespace ecomm
