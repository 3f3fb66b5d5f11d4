#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event_time.h"

// One record of the orders topic (SPEC "Data platform"), decoded: what the sales
// window needs of it and nothing else (userId, totalPrice and lsn are not read).
namespace ecomm::stats {

enum class EventType : uint8_t { kPlaced, kCancelled };

struct SaleLine {
  std::string product_id;
  std::string name;  // the product's name: the shipper's addition to SPEC's fields
  int64_t quantity = 0;
  int64_t price = 0;
};

struct OrderEvent {
  EventType type = EventType::kPlaced;
  std::string order_id;
  TimeMs order_date = 0;
  TimeMs occurred_at = 0;
  std::vector<SaleLine> items;
};

// Decodes a record's value. Nothing, with the reason in `*error`, when it is not
// the contract's JSON: a missing or mistyped field, an unknown eventType, a time
// not in RFC 3339 UTC, or a quantity or price outside SPEC's limits (which keep
// every sum far from overflowing).
std::optional<OrderEvent> DecodeOrderEvent(std::string_view json, std::string* error);

}  // namespace ecomm::stats
