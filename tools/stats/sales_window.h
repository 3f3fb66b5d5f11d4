#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecomm/ranked_totals.h"
#include "ecomm/top_seller.h"
#include "event_time.h"
#include "order_event.h"

namespace ecomm::stats {

// Units sold per product over the last 72 h of event time, fed with order events in
// any order and any number of times.
//
// The clock is the newest occurredAt applied, so once every event is in, the window
// is the server's window at the moment of its last event. An order counts its units
// in the minute of its orderDate when its placement has arrived and its cancel has
// not: a cancel read before its placement leaves the order at zero whatever comes
// next, and a repeated (orderId, eventType) changes nothing. Minutes that leave the
// window are dropped with the orders dated in them, so memory follows the window;
// an event dated before the window is not applied (nor remembered).
class SalesWindow {
 public:
  enum class Outcome : uint8_t { kApplied, kDuplicate, kExpired };

  // What Apply has answered since construction.
  struct Counts {
    uint64_t applied = 0;
    uint64_t duplicate = 0;
    uint64_t expired = 0;
  };

  Outcome Apply(const OrderEvent& event);
  // The `k` best sellers by units desc, then productId asc; products at zero are out.
  std::vector<TopSeller> Top(size_t k) const;

  // Nothing before the first event.
  std::optional<TimeMs> clock() const { return clock_; }
  const Counts& counts() const { return counts_; }
  size_t tracked_orders() const { return orders_.size(); }

 private:
  struct Order {
    int64_t minute = 0;  // of its orderDate
    bool placed = false;
    bool cancelled = false;
    // The placement's units per product, which a cancel takes back: the cancel's own
    // items could disagree with what was counted, and a total must never go below 0.
    std::vector<std::pair<std::string, int64_t>> units;
  };
  struct Minute {
    std::unordered_map<std::string, int64_t> units;  // per product, only > 0
    std::vector<std::string> orders;                 // dated in this minute
  };
  struct Product {
    std::string name;
    int64_t price = 0;
    TimeMs mentioned_at = 0;  // occurredAt of the latest event naming it
  };

  void Advance(TimeMs occurred_at);
  void NoteProducts(const OrderEvent& event);
  // Adds (sign +1) or takes back (-1) an order's units.
  void Count(const Order& order, int64_t sign);
  void PruneProducts();

  std::optional<TimeMs> clock_;
  int64_t expired_through_ = INT64_MIN;  // minutes <= this have left the window
  std::map<int64_t, Minute> minutes_;
  std::unordered_map<std::string, Order> orders_;
  RankedTotals<std::string> totals_;  // units per product over the minutes held
  std::unordered_map<std::string, Product> products_;
  size_t prune_products_at_ = 1024;
  Counts counts_;
};

}  // namespace ecomm::stats
