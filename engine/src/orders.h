#pragma once

#include <xxhash.h>

#include <cstddef>
#include <vector>

#include "ecomm/types.h"
#include "secure_random.h"
#include "striped_map.h"

namespace ecomm {

struct Account;
struct Product;

struct OrderItem {
  Product* product;
  Quantity quantity;
  Money price;  // unit price when the order was placed
};

struct OrderHistoryEntry {
  OrderStatus status;
  StatusReason reason;
  ChangedBy changed_by;
  TimeMs changed_at;
};

// An order. Its identity, items and total never change; its status and history are
// guarded by the owning account's mutex, which every transaction on it takes first.
struct Order {
  // `paid` is the items' total less `coupon_discount`.
  Order(Uuid id, Account* owner, Money paid, Money coupon_discount, Uuid coupon, TimeMs date,
        std::vector<OrderItem> order_items, uint64_t epoch)
      : order_id(id),
        user(owner),
        total_price(paid),
        discount(coupon_discount),
        user_coupon_id(coupon),
        order_date(date),
        items(std::move(order_items)),
        snapshot_epoch(epoch) {}

  const Uuid order_id;
  Account* const user;
  const Money total_price;    // what is paid (and refunded by a cancel)
  const Money discount;       // 0 without a coupon
  const Uuid user_coupon_id;  // nil without a coupon
  const TimeMs order_date;
  const std::vector<OrderItem> items;  // one per product, in request order
  const uint64_t snapshot_epoch;       // the capture epoch it was born in (SnapshotCapture)

  // Guarded by user->mu.
  OrderStatus status = OrderStatus::kPending;
  TimeMs updated_at = 0;
  std::vector<OrderHistoryEntry> history;  // oldest first

  void Transition(OrderStatus to, StatusReason reason, ChangedBy by, TimeMs at);
};

// Order ids come from the CSPRNG, so no client picks them; the hash is seeded all
// the same, so that the table's spread does not rest on that.
struct UuidHash {
  size_t operator()(const Uuid& id) const {
    const uint64_t words[2] = {id.hi, id.lo};
    return XXH3_64bits_withSeed(words, sizeof words, HashSeed());
  }
};

using OrderTable = StripedMap<Uuid, Order, UuidHash>;

}  // namespace ecomm
