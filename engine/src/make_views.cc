#include "make_views.h"

#include "ecomm/invariant.h"

namespace ecomm {

UserView MakeUserView(const Account& account) {
  return UserView{account.user_id, account.name, account.email, account.created_at,
                  account.created_at};
}

BalanceView MakeBalanceView(const Account& account) {
  return BalanceView{account.user_id, account.balance, account.balance_updated_at};
}

BalanceEntryView MakeBalanceEntryView(const BalanceEntry& entry) {
  BalanceEntryView view;
  view.transaction_id = entry.transaction_id;
  view.amount = entry.amount;
  view.type = entry.type;
  view.balance_before = entry.balance_before;
  view.balance_after = entry.balance_after;
  view.created_at = entry.created_at;
  if (!entry.order_id.IsNil()) view.order_id = entry.order_id;
  return view;
}

ProductView MakeProductView(const Product& product) {
  return ProductView{product.product_id, product.name,
                     product.price,      product.stock.load(std::memory_order_acquire),
                     product.created_at, product.updated_at.load(std::memory_order_acquire)};
}

CartView MakeCartView(const Account& account) {
  CartView view;
  view.user_id = account.user_id;
  view.items.reserve(account.cart.size());
  for (const CartLine& line : account.cart) {
    const Product& p = *line.product;
    bool available = p.stock.load(std::memory_order_acquire) >= line.quantity;
    view.items.push_back(CartLineView{p.product_id, p.name, p.price, line.quantity, available});
  }
  view.total_price = account.CartTotal();
  return view;
}

OrderView MakeOrderView(const Order& order, size_t history_size) {
  size_t n = history_size == 0 ? order.history.size() : history_size;
  ECOMM_INVARIANT(n > 0 && n <= order.history.size(), "a stored outcome names history that exists");
  OrderView view;
  view.order_id = order.order_id;
  view.user_id = order.user->user_id;
  view.total_price = order.total_price;
  view.discount = order.discount;
  if (!order.user_coupon_id.IsNil()) view.user_coupon_id = order.user_coupon_id;
  view.status = order.history[n - 1].status;
  view.order_date = order.order_date;
  view.updated_at = order.history[n - 1].changed_at;
  view.items.reserve(order.items.size());
  for (const OrderItem& item : order.items) {
    view.items.push_back(OrderItemView{item.product->product_id, item.quantity, item.price});
  }
  view.history.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const OrderHistoryEntry& h = order.history[i];
    view.history.push_back(OrderHistoryView{h.status, h.reason, h.changed_by, h.changed_at});
  }
  return view;
}

CouponView MakeCouponView(const Coupon& coupon) {
  Quantity issued = coupon.issued.load(std::memory_order_acquire);
  CouponView view{.coupon_id = coupon.coupon_id,
                  .name = coupon.name,
                  .discount_type = coupon.discount_type,
                  .discount_value = coupon.discount_value,
                  .total_quantity = coupon.total_quantity,
                  .remaining_quantity = coupon.total_quantity - issued,
                  .min_order_amount = coupon.min_order_amount,
                  .max_discount = std::nullopt,
                  .valid_from = coupon.valid_from,
                  .valid_until = coupon.valid_until,
                  .created_at = coupon.created_at};
  if (coupon.max_discount > 0) view.max_discount = coupon.max_discount;
  return view;
}

UserCouponView MakeIssuedCouponView(const UserCoupon& coupon, std::string_view user_id) {
  return UserCouponView{.user_coupon_id = coupon.user_coupon_id,
                        .coupon_id = coupon.coupon->coupon_id,
                        .user_id = std::string(user_id),
                        .status = UserCouponStatus::kAvailable,
                        .issued_at = coupon.issued_at,
                        .expires_at = coupon.expires_at,
                        .used_at = std::nullopt,
                        .order_id = std::nullopt};
}

UserCouponView MakeUserCouponView(const UserCoupon& coupon, std::string_view user_id, TimeMs now) {
  UserCouponView view = MakeIssuedCouponView(coupon, user_id);
  view.status = coupon.StatusAt(now);
  if (coupon.used()) {
    view.used_at = coupon.used_at;
    view.order_id = coupon.order_id;
  }
  return view;
}

}  // namespace ecomm
