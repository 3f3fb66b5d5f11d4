#include "sales_window.h"

#include <algorithm>
#include <cassert>

namespace ecomm::stats {

SalesWindow::Outcome SalesWindow::Apply(const OrderEvent& event) {
  Advance(event.occurred_at);
  NoteProducts(event);
  int64_t minute = MinuteOf(event.order_date);
  if (minute <= expired_through_) {
    ++counts_.expired;
    return Outcome::kExpired;
  }
  auto [it, inserted] = orders_.try_emplace(event.order_id);
  Order& order = it->second;
  if (inserted) {
    order.minute = minute;
    minutes_[minute].orders.push_back(event.order_id);
  }
  bool& seen = event.type == EventType::kPlaced ? order.placed : order.cancelled;
  if (seen) {
    ++counts_.duplicate;
    return Outcome::kDuplicate;
  }
  seen = true;
  if (event.type == EventType::kPlaced) {
    for (const SaleLine& line : event.items) {
      auto same = std::find_if(order.units.begin(), order.units.end(),
                               [&](const auto& u) { return u.first == line.product_id; });
      if (same == order.units.end()) {
        order.units.emplace_back(line.product_id, line.quantity);
      } else {
        same->second += line.quantity;  // a product twice in one order: merged, as the server does
      }
    }
    if (!order.cancelled) Count(order, +1);
  } else if (order.placed) {
    Count(order, -1);
  }
  ++counts_.applied;
  return Outcome::kApplied;
}

std::vector<TopSeller> SalesWindow::Top(size_t k) const {
  std::vector<TopSeller> top;
  totals_.ForTop(k, [&](const std::string& product_id, int64_t total) {
    // Invariant: a product with units was named by the event that brought them, and
    // PruneProducts keeps products that have units.
    const Product& product = products_.at(product_id);
    top.push_back(TopSeller{product_id, product.name, product.price, total});
  });
  return top;
}

// Moves the clock to `occurred_at` if that is newer and drops the minutes that leave
// the window (now_minute - 72 h, now_minute].
void SalesWindow::Advance(TimeMs occurred_at) {
  if (clock_ && occurred_at <= *clock_) return;
  clock_ = occurred_at;
  int64_t through = MinuteOf(occurred_at) - kWindowMinutes;
  if (through <= expired_through_) return;
  expired_through_ = through;
  while (!minutes_.empty() && minutes_.begin()->first <= through) {
    Minute& gone = minutes_.begin()->second;
    for (const auto& [product_id, units] : gone.units) totals_.Add(product_id, -units);
    for (const std::string& order_id : gone.orders) orders_.erase(order_id);
    minutes_.erase(minutes_.begin());
  }
  if (products_.size() >= prune_products_at_) PruneProducts();
}

void SalesWindow::NoteProducts(const OrderEvent& event) {
  for (const SaleLine& line : event.items) {
    auto [it, inserted] = products_.try_emplace(line.product_id);
    Product& product = it->second;
    if (!inserted && event.occurred_at < product.mentioned_at) continue;
    if (!line.name.empty()) product.name = line.name;  // a nameless event keeps the name known
    product.price = line.price;
    product.mentioned_at = event.occurred_at;
  }
}

void SalesWindow::Count(const Order& order, int64_t sign) {
  Minute& minute = minutes_.at(order.minute);
  for (const auto& [product_id, units] : order.units) {
    int64_t& in_minute = minute.units[product_id];
    in_minute += sign * units;
    assert(in_minute >= 0);  // a cancel takes back only what its placement added
    if (in_minute == 0) minute.units.erase(product_id);
    totals_.Add(product_id, sign * units);
  }
}

// Forgets products with no units whose latest mention has left the window. Run when
// the table has doubled since the last pass, so its cost is amortised over the events
// that grew it and the table stays within twice what the window mentions.
void SalesWindow::PruneProducts() {
  std::erase_if(products_, [&](const auto& entry) {
    return MinuteOf(entry.second.mentioned_at) <= expired_through_ &&
           !totals_.Contains(entry.first);
  });
  prune_products_at_ = std::max<size_t>(1024, 2 * products_.size());
}

}  // namespace ecomm::stats
