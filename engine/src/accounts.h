#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chunked_vector.h"
#include "coupons.h"
#include "ecomm/types.h"
#include "striped_map.h"

namespace ecomm {

struct Order;
struct Product;

struct BalanceEntry {
  Uuid transaction_id;
  Uuid order_id;  // nil for a CHARGE
  Money amount;   // signed
  Money balance_before;
  Money balance_after;
  TimeMs created_at;
  TransactionType type;
};

struct CartLine {
  Product* product;
  Quantity quantity;
};

// An account as it stood when a snapshot began, kept by the first mutation after
// that (see SnapshotCapture) so that the snapshot can still write the old state. It
// holds only what mutations overwrite: the history and the order list only grow, so
// their lengths stand for their contents, and an order placed before the snapshot
// changes at most once more (SUCCESS -> CANCELLED), recorded in `changed_orders`.
struct AccountFrame {
  struct OrderState {
    const Order* order;
    OrderStatus status;
    TimeMs updated_at;
    size_t history_size;
  };

  uint64_t epoch;  // the snapshot this frame belongs to
  Money balance;
  TimeMs balance_updated_at;
  std::vector<CartLine> cart;
  size_t history_size;
  size_t orders_size;
  std::vector<OrderState> changed_orders;
  std::vector<UserCoupon> coupons;  // the wallet's, a few per user
};

// A user with everything only that user's transactions touch: balance, balance
// history, cart, and the list of their orders (whose mutable fields it also guards).
struct Account {
  Account(std::string_view id, std::string_view user_name, std::string_view user_email, TimeMs at)
      : user_id(id), name(user_name), email(user_email), created_at(at), balance_updated_at(at) {}

  mutable std::mutex mu;
  const std::string user_id;
  const std::string name;
  const std::string email;
  const TimeMs created_at;

  // Guarded by mu.
  Money balance = 0;
  TimeMs balance_updated_at;
  ChunkedVector<BalanceEntry> history;    // oldest first
  std::vector<CartLine> cart;             // insertion order, one line per product
  ChunkedVector<Order*> orders;           // oldest first
  uint64_t snapshot_epoch = 0;            // see SnapshotCapture
  std::unique_ptr<AccountFrame> frame;    // see SnapshotCapture
  std::unique_ptr<CouponWallet> coupons;  // made by the first coupon issued to the user

  // Moves the balance by `amount` (signed) and records the entry. The caller holds
  // mu and has checked that the result stays within 0..kMaxBalance.
  void Post(TransactionType type, Money amount, Uuid transaction_id, Uuid order_id, TimeMs at);

  CartLine* FindCartLine(std::string_view product_id);
  // Sum of price x quantity over the cart; at most 2^53-1 (AddToCart keeps it so).
  Money CartTotal() const;
  // The user's coupons; made on first use, so that users without any pay one pointer.
  CouponWallet& Wallet();
  // The user's coupon `id`, or null (also for another user's).
  UserCoupon* FindCoupon(const Uuid& id) { return coupons ? coupons->Find(id) : nullptr; }
};

// The account's frame as it stands now, for snapshot `epoch`; account.mu held.
AccountFrame FrameOf(const Account& account, uint64_t epoch);

using AccountTable = StripedMap<std::string, Account, StringHash>;

}  // namespace ecomm
