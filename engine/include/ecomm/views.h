#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/top_seller.h"
#include "ecomm/types.h"

// Read models: plain copies of engine state handed to callers. They never alias
// engine memory, so a caller may keep them after the engine moved on.
namespace ecomm {

struct UserView {
  std::string user_id;
  std::string name;
  std::string email;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct BalanceView {
  std::string user_id;
  Money current_balance = 0;
  TimeMs updated_at = 0;
};

struct BalanceEntryView {
  Uuid transaction_id;
  Money amount = 0;  // signed: + for CHARGE and REFUND, - for PAYMENT
  TransactionType type = TransactionType::kCharge;
  Money balance_before = 0;
  Money balance_after = 0;
  TimeMs created_at = 0;
  std::optional<Uuid> order_id;
};

struct ProductView {
  std::string product_id;
  std::string name;
  Money price = 0;
  Quantity stock = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct OrderItemView {
  std::string product_id;
  Quantity quantity = 0;
  Money price = 0;  // unit price captured when the order was placed
};

struct OrderHistoryView {
  OrderStatus status = OrderStatus::kPending;
  StatusReason reason = StatusReason::kNone;
  ChangedBy changed_by = ChangedBy::kSystem;
  TimeMs changed_at = 0;
};

struct OrderView {
  Uuid order_id;
  std::string user_id;
  Money total_price = 0;  // what is paid: the items' total less the discount
  Money discount = 0;     // 0 without a coupon
  std::optional<Uuid> user_coupon_id;
  OrderStatus status = OrderStatus::kPending;
  TimeMs order_date = 0;
  TimeMs updated_at = 0;
  std::vector<OrderItemView> items;
  std::vector<OrderHistoryView> history;  // oldest first

  // INSUFFICIENT_BALANCE or OUT_OF_STOCK for a FAILED order, kOk otherwise.
  ErrorCode failure() const;
};

struct CouponView {
  std::string coupon_id;
  std::string name;
  DiscountType discount_type = DiscountType::kFixed;
  int64_t discount_value = 0;  // money for FIXED, a percentage for PERCENT
  Quantity total_quantity = 0;
  Quantity remaining_quantity = 0;
  Money min_order_amount = 0;
  std::optional<Money> max_discount;  // PERCENT only
  TimeMs valid_from = 0;
  TimeMs valid_until = 0;  // exclusive
  TimeMs created_at = 0;
};

struct UserCouponView {
  Uuid user_coupon_id;
  std::string coupon_id;
  std::string user_id;
  UserCouponStatus status = UserCouponStatus::kAvailable;  // as of the engine's time
  TimeMs issued_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> used_at;  // when USED
  std::optional<Uuid> order_id;   // when USED
};

struct CartLineView {
  std::string product_id;
  std::string name;
  Money price = 0;
  Quantity quantity = 0;
  bool available = false;  // current stock covers the line
};

struct CartView {
  std::string user_id;
  std::vector<CartLineView> items;
  Money total_price = 0;
};

// A page of a newest-first list. `next` is the position to pass for the following
// page, absent on the last page. Positions are opaque to callers.
template <class T>
struct Page {
  std::vector<T> items;
  std::optional<uint64_t> next;
};

}  // namespace ecomm
