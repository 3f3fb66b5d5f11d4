#pragma once

#include <optional>
#include <string>

#include "ecomm/engine.h"
#include "ecomm/record.h"

// The Kafka events of SPEC "Data platform", built from log records: one for every
// SUCCESS order placed and one for every cancel; other records make none.
namespace ecomm::shipper {

struct OrderEvent {
  std::string key;    // the orderId
  std::string value;  // the JSON event
  TimeMs occurred_at = 0;
};

// The event of `record`, logged at `lsn`, or nothing for a record that makes none.
// `replica` must hold the state up to at least the record: a cancel names the
// order's user, lines and total, which its record does not carry, and every item
// carries its product's name (beyond SPEC's fields, so that a consumer can answer
// in /products/top's shape). Orders and products are never removed and those fields
// never change, so a replica ahead of the record describes it correctly.
// kInternal when the replica does not know the order or a product (a corrupt log).
Result<std::optional<OrderEvent>> MakeOrderEvent(const Record& record, Lsn lsn,
                                                 const Engine& replica);

}  // namespace ecomm::shipper
