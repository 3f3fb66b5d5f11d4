#include "order_events.h"

#include <string_view>
#include <variant>

#include "ecomm/json_writer.h"

namespace ecomm::shipper {

namespace {

struct Line {
  std::string_view product_id;
  Quantity quantity;
  Money price;
};

// What an order paid: its total after the discount, and the coupon that gave it.
struct Paid {
  Money total_price;
  Money discount;
  std::optional<Uuid> user_coupon_id;
};

Result<OrderEvent> Encode(std::string_view type, const Uuid& order_id, std::string_view user_id,
                          const std::vector<Line>& lines, const Paid& paid, OrderStatus status,
                          TimeMs order_date, TimeMs occurred_at, Lsn lsn, const Engine& replica) {
  JsonWriter w;
  w.StartObject();
  w.Field("eventType", type);
  w.Field("orderId", order_id.ToString());
  w.Field("userId", user_id);
  w.Key("items");
  w.StartArray();
  for (const Line& line : lines) {
    auto product = replica.GetProduct(line.product_id);
    if (!product.ok()) {
      return Status(ErrorCode::kInternal, "the log names an unknown product " +
                                              std::string(line.product_id) + " at LSN " +
                                              std::to_string(lsn));
    }
    w.StartObject();
    w.Field("productId", line.product_id);
    w.Field("name", product->name);
    w.Field("quantity", line.quantity);
    w.Field("price", line.price);
    w.EndObject();
  }
  w.EndArray();
  w.Field("totalPrice", paid.total_price);
  w.Field("discount", paid.discount);
  w.Key("userCouponId");
  if (paid.user_coupon_id) {
    w.String(paid.user_coupon_id->ToString());
  } else {
    w.Null();
  }
  w.Field("orderStatus", Name(status));
  w.Field("orderDate", FormatTime(order_date));
  w.Field("occurredAt", FormatTime(occurred_at));
  w.Field("lsn", lsn);
  w.EndObject();
  return OrderEvent{order_id.ToString(), w.Take(), occurred_at};
}

}  // namespace

Result<std::optional<OrderEvent>> MakeOrderEvent(const Record& record, Lsn lsn,
                                                 const Engine& replica) {
  if (const auto* placed = std::get_if<PlaceOrderRecord>(&record)) {
    if (placed->status != OrderStatus::kSuccess) return std::optional<OrderEvent>();
    std::vector<Line> lines;
    for (const OrderLineRecord& l : placed->lines) {
      lines.push_back(Line{l.product_id, l.quantity, l.price});
    }
    Paid paid{PaidOf(*placed), placed->discount, std::nullopt};
    if (!placed->user_coupon_id.IsNil()) paid.user_coupon_id = placed->user_coupon_id;
    auto event = Encode("ORDER_PLACED", placed->order_id, placed->user_id, lines, paid,
                        OrderStatus::kSuccess, placed->at, placed->at, lsn, replica);
    if (!event.ok()) return event.status();
    return std::optional<OrderEvent>(std::move(event).value());
  }
  if (const auto* cancelled = std::get_if<CancelOrderRecord>(&record)) {
    auto order = replica.GetOrder(cancelled->order_id.ToString());
    if (!order.ok()) {
      return Status(ErrorCode::kInternal, "the log cancels an unknown order " +
                                              cancelled->order_id.ToString() + " at LSN " +
                                              std::to_string(lsn));
    }
    std::vector<Line> lines;
    for (const OrderItemView& item : order->items) {
      lines.push_back(Line{item.product_id, item.quantity, item.price});
    }
    auto event = Encode("ORDER_CANCELLED", order->order_id, order->user_id, lines,
                        Paid{order->total_price, order->discount, order->user_coupon_id},
                        OrderStatus::kCancelled, order->order_date, cancelled->at, lsn, replica);
    if (!event.ok()) return event.status();
    return std::optional<OrderEvent>(std::move(event).value());
  }
  return std::optional<OrderEvent>();
}

}  // namespace ecomm::shipper
