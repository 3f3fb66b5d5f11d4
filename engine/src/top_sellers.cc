#include "top_sellers.h"

#include "catalog.h"
#include "ecomm/invariant.h"

namespace ecomm {

bool TopSellers::RankOrder::operator()(const Rank& a, const Rank& b) const {
  if (a.total != b.total) return a.total > b.total;
  return a.product->product_id < b.product->product_id;
}

int64_t TopSellers::MinuteOf(TimeMs t) {
  // Floor division (times before the epoch land in the right minute), written so that
  // no intermediate can overflow, whatever a record says.
  return t / 60000 - (t % 60000 < 0 ? 1 : 0);
}

void TopSellers::Adjust(const Product* product, Quantity delta) {
  auto it = totals_.find(product);
  Quantity old_total = it == totals_.end() ? 0 : it->second;
  Quantity new_total = old_total + delta;
  ECOMM_INVARIANT(new_total >= 0, "never take back more than was counted");
  if (old_total > 0) {
    auto node = ranking_.extract(Rank{old_total, product});
    ECOMM_INVARIANT(!node.empty(), "a product with a total is ranked");
    if (new_total > 0) {
      node.value().total = new_total;
      ranking_.insert(std::move(node));
    }
  } else if (new_total > 0) {
    ranking_.insert(Rank{new_total, product});
  }
  if (new_total > 0) {
    totals_[product] = new_total;
  } else if (it != totals_.end()) {
    totals_.erase(it);
  }
}

void TopSellers::ExpireThrough(int64_t minute) {
  if (minute <= expired_through_) return;
  while (!buckets_.empty() && buckets_.begin()->first <= minute) {
    for (const auto& [product, units] : buckets_.begin()->second) Adjust(product, -units);
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
      Adjust(item.product, item.quantity);
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
    Adjust(item.product, -item.quantity);
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
  for (auto it = ranking_.begin(); it != ranking_.end() && top.size() < k; ++it) {
    top.emplace_back(it->product, it->total);
  }
  return top;
}

size_t TopSellers::minutes() {
  std::lock_guard lock(mu_);
  ApplyQueued();
  return buckets_.size();
}

}  // namespace ecomm
