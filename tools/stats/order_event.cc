#include "order_event.h"

#include <rapidjson/document.h>

#include "ecomm/untrusted_json.h"

namespace ecomm::stats {

namespace {

constexpr int64_t kMaxQuantity = 1'000'000;  // SPEC "Limits"
constexpr int64_t kMaxPrice = 1'000'000'000;

const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string> String(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* v = Member(object, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> Integer(const rapidjson::Value& object, const char* name, int64_t min,
                               int64_t max) {
  const rapidjson::Value* v = Member(object, name);
  if (v == nullptr || !v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max) {
    return std::nullopt;
  }
  return v->GetInt64();
}

std::optional<TimeMs> Time(const rapidjson::Value& object, const char* name) {
  std::optional<std::string> text = String(object, name);
  return text ? ParseTime(*text) : std::nullopt;
}

std::optional<OrderEvent> Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<OrderEvent> DecodeOrderEvent(std::string_view json, std::string* error) {
  // Anyone who can produce to the topic writes these bytes: the screened parse.
  Result<rapidjson::Document> parsed = ParseUntrustedJson(json);
  if (!parsed.ok()) return Fail(error, "not JSON we read: " + parsed.status().message());
  const rapidjson::Document& doc = *parsed;
  if (!doc.IsObject()) return Fail(error, "not a JSON object");
  OrderEvent event;
  std::optional<std::string> type = String(doc, "eventType");
  if (type == "ORDER_PLACED") {
    event.type = EventType::kPlaced;
  } else if (type == "ORDER_CANCELLED") {
    event.type = EventType::kCancelled;
  } else {
    return Fail(error, "eventType is not ORDER_PLACED or ORDER_CANCELLED");
  }
  std::optional<std::string> order_id = String(doc, "orderId");
  if (!order_id || order_id->empty()) return Fail(error, "no orderId");
  event.order_id = std::move(*order_id);
  std::optional<TimeMs> order_date = Time(doc, "orderDate");
  std::optional<TimeMs> occurred_at = Time(doc, "occurredAt");
  if (!order_date || !occurred_at)
    return Fail(error, "orderDate or occurredAt is not RFC 3339 UTC");
  event.order_date = *order_date;
  event.occurred_at = *occurred_at;
  const rapidjson::Value* items = Member(doc, "items");
  if (items == nullptr || !items->IsArray()) return Fail(error, "no items array");
  for (const rapidjson::Value& item : items->GetArray()) {
    if (!item.IsObject()) return Fail(error, "an item is not an object");
    std::optional<std::string> product_id = String(item, "productId");
    std::optional<int64_t> quantity = Integer(item, "quantity", 1, kMaxQuantity);
    std::optional<int64_t> price = Integer(item, "price", 0, kMaxPrice);
    if (!product_id || product_id->empty() || !quantity || !price) {
      return Fail(error, "an item lacks productId, or its quantity or price is out of range");
    }
    // An event without names is still counted; its products show an empty name until
    // a later event names them.
    std::optional<std::string> name = String(item, "name");
    event.items.push_back(
        SaleLine{std::move(*product_id), name.value_or(std::string()), *quantity, *price});
  }
  return event;
}

}  // namespace ecomm::stats
