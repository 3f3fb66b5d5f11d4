#include "json_views.h"

namespace ecomm::server {

void Write(JsonWriter& w, const UserView& user) {
  w.StartObject();
  w.Field("userId", user.user_id);
  w.Field("name", user.name);
  w.Field("email", user.email);
  w.Field("createdAt", FormatTime(user.created_at));
  w.Field("updatedAt", FormatTime(user.updated_at));
  w.EndObject();
}

void Write(JsonWriter& w, const BalanceView& balance) {
  w.StartObject();
  w.Field("userId", balance.user_id);
  w.Field("currentBalance", balance.current_balance);
  w.Field("updatedAt", FormatTime(balance.updated_at));
  w.EndObject();
}

void Write(JsonWriter& w, const BalanceEntryView& e) {
  w.StartObject();
  w.Field("transactionId", e.transaction_id.ToString());
  w.Field("amount", e.amount);
  w.Field("transactionType", Name(e.type));
  w.Field("balanceBefore", e.balance_before);
  w.Field("balanceAfter", e.balance_after);
  w.Field("createdAt", FormatTime(e.created_at));
  w.Key("orderId");
  if (e.order_id) {
    w.String(e.order_id->ToString());
  } else {
    w.Null();
  }
  w.EndObject();
}

void Write(JsonWriter& w, const ProductView& p) {
  w.StartObject();
  w.Field("productId", p.product_id);
  w.Field("name", p.name);
  w.Field("price", p.price);
  w.Field("stock", p.stock);
  w.Field("createdAt", FormatTime(p.created_at));
  w.Field("updatedAt", FormatTime(p.updated_at));
  w.EndObject();
}

void Write(JsonWriter& w, const CartView& cart) {
  w.StartObject();
  w.Field("userId", cart.user_id);
  w.Key("items");
  w.StartArray();
  for (const CartLineView& line : cart.items) {
    w.StartObject();
    w.Field("productId", line.product_id);
    w.Field("name", line.name);
    w.Field("price", line.price);
    w.Field("quantity", line.quantity);
    w.Field("available", line.available);
    w.EndObject();
  }
  w.EndArray();
  w.Field("totalPrice", cart.total_price);
  w.EndObject();
}

void Write(JsonWriter& w, const OrderView& o, bool history) {
  w.StartObject();
  w.Field("orderId", o.order_id.ToString());
  w.Field("userId", o.user_id);
  w.Field("totalPrice", o.total_price);
  w.Field("orderStatus", Name(o.status));
  w.Field("orderDate", FormatTime(o.order_date));
  w.Field("updatedAt", FormatTime(o.updated_at));
  w.Key("items");
  w.StartArray();
  for (const OrderItemView& item : o.items) {
    w.StartObject();
    w.Field("productId", item.product_id);
    w.Field("quantity", item.quantity);
    w.Field("price", item.price);
    w.EndObject();
  }
  w.EndArray();
  if (history) {
    w.Key("history");
    w.StartArray();
    for (const OrderHistoryView& h : o.history) {
      w.StartObject();
      w.Field("orderStatus", Name(h.status));
      w.Key("reason");
      if (h.reason == StatusReason::kNone) {
        w.Null();
      } else {
        w.String(Describe(h.reason));
      }
      w.Field("changedBy", Name(h.changed_by));
      w.Field("changedAt", FormatTime(h.changed_at));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace ecomm::server
