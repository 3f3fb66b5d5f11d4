#include "json_views.h"

#include <optional>
#include <string_view>
#include <type_traits>

namespace ecomm::server {

namespace {

// `key` with the value, or null when there is none.
template <class T>
void FieldOrNull(JsonWriter& w, std::string_view key, const std::optional<T>& value) {
  if (!value) {
    w.Key(key);
    w.Null();
  } else if constexpr (std::is_same_v<T, Uuid>) {
    w.Field(key, value->ToString());
  } else {
    w.Field(key, *value);
  }
}

}  // namespace

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
  FieldOrNull(w, "orderId", e.order_id);
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
  w.Field("discount", o.discount);
  FieldOrNull(w, "userCouponId", o.user_coupon_id);
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

void Write(JsonWriter& w, const CouponView& c) {
  w.StartObject();
  w.Field("couponId", c.coupon_id);
  w.Field("name", c.name);
  w.Field("discountType", Name(c.discount_type));
  w.Field("discountValue", c.discount_value);
  w.Field("totalQuantity", c.total_quantity);
  w.Field("remainingQuantity", c.remaining_quantity);
  w.Field("minOrderAmount", c.min_order_amount);
  FieldOrNull(w, "maxDiscount", c.max_discount);
  w.Field("validFrom", FormatTime(c.valid_from));
  w.Field("validUntil", FormatTime(c.valid_until));
  w.EndObject();
}

void Write(JsonWriter& w, const UserCouponView& c) {
  w.StartObject();
  w.Field("userCouponId", c.user_coupon_id.ToString());
  w.Field("couponId", c.coupon_id);
  w.Field("userId", c.user_id);
  w.Field("status", Name(c.status));
  w.Field("issuedAt", FormatTime(c.issued_at));
  w.Field("expiresAt", FormatTime(c.expires_at));
  // Only a USED coupon has them: a cancel that gives the coupon back clears both.
  if (c.used_at) w.Field("usedAt", FormatTime(*c.used_at));
  if (c.order_id) w.Field("orderId", c.order_id->ToString());
  w.EndObject();
}

}  // namespace ecomm::server
