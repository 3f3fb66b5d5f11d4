#include "top_sellers.h"

#include "catalog.h"
#include "ecomm/invariant.h"
#include "ecomm/time_format.h"

namespace ecomm {

bool TopSellers::ProductIdLess::operator()(const Product* a, const Product* b) const {
  return a->product_id < b->product_id;
}

void TopSellers::ExpireThrough(int64_t minute) {
  if (minute <= expired_through_) return;
  while (!buckets_.empty() && buckets_.begin()->first <= minute) {
    for (const auto& [product, units] : buckets_.begin()->second) totals_.Add(product, -units);
    buckets_.erase(buckets_.begin());
  }
  expired_through_ = minute;
}

void TopSellers::MoveWindowTo(TimeMs now) {
  // The window holds the minutes m with now_minute - 72 h < m <= now_minute.
  ExpireThrough(MinuteOf(now) - limits::kTopSellersWindowMinutes);
}

void TopSellers::Add(TimeMs now, TimeMs order_date, std::span<const OrderItem> items) {
  Submit(Change{now, order_date, items, true});
}

void TopSellers::Remove(TimeMs now, TimeMs order_date, std::span<const OrderItem> items) {
  Submit(Change{now, order_date, items, false});
}

void TopSellers::Submit(const Change& change) {
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    std::lock_guard queue_lock(queue_mu_);
    queue_.push_back(change);
    return;
  }
  ApplyQueued();
  Apply(change);
  // What was queued while this thread applied: so that it does not wait for the next
  // caller (every read applies the queue anyway).
  ApplyQueued();
}

void TopSellers::ApplyQueued() {
  // Taken under queue_mu_ (never a hint read without it): a change queued before this
  // caller took mu_ is seen, whichever thread queued it.
  std::vector<Change> changes;
  {
    std::lock_guard queue_lock(queue_mu_);
    if (queue_.empty()) return;
    changes.swap(queue_);
  }
  for (const Change& change : changes) Apply(change);
}

void TopSellers::Apply(const Change& change) {
  int64_t minute = MinuteOf(change.order_date);
  MoveWindowTo(change.now);
  if (change.sale) {
    if (minute <= expired_through_) return;  // already outside the window
    auto& bucket = buckets_[minute];
    for (const OrderItem& item : change.items) {
      bucket[item.product] += item.quantity;
      totals_.Add(item.product, item.quantity);
    }
    return;
  }
  auto bucket = buckets_.find(minute);
  if (bucket == buckets_.end()) return;  // its window has passed: nothing counted now
  for (const OrderItem& item : change.items) {
    auto line = bucket->second.find(item.product);
    ECOMM_INVARIANT(line != bucket->second.end() && line->second >= item.quantity,
                    "a cancelled order's units were counted in its minute");
    line->second -= item.quantity;
    if (line->second == 0) bucket->second.erase(line);
    totals_.Add(item.product, -item.quantity);
  }
  if (bucket->second.empty()) buckets_.erase(bucket);
}

void TopSellers::MoveTo(TimeMs now) {
  std::lock_guard lock(mu_);
  ApplyQueued();
  MoveWindowTo(now);
}

std::vector<std::pair<const Product*, Quantity>> TopSellers::Top(TimeMs now, size_t k) {
  std::lock_guard lock(mu_);
  ApplyQueued();
  MoveWindowTo(now);
  std::vector<std::pair<const Product*, Quantity>> top;
  totals_.ForTop(k,
                 [&](const Product* product, Quantity total) { top.emplace_back(product, total); });
  return top;
}

size_t TopSellers::minutes() {
  std::lock_guard lock(mu_);
  ApplyQueued();
  return buckets_.size();
}

}  // namespace ecomm
