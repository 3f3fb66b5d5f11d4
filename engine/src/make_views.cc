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

}  // namespace ecomm
