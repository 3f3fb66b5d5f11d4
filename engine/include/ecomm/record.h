#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ecomm/result.h"
#include "ecomm/types.h"

// The log records: one per mutation, carrying everything replay needs to reach the
// same state (generated ids, timestamps, resolved prices, the order's outcome).
// String fields are views: into engine state when a record is built, into the
// payload buffer when one is decoded. The byte layout is in wal/FORMAT.md.
namespace ecomm {

enum class RecordType : uint8_t {
  kCreateUser = 1,
  kCreateProduct = 2,
  kRestock = 3,
  kCharge = 4,
  kPlaceOrder = 5,
  kCancelOrder = 6,
  kCartAdd = 7,
  kCartRemove = 8,
  kAdvanceClock = 9,
};

// Version of the payload layout below; the first byte of every payload.
inline constexpr uint8_t kRecordVersion = 1;

// The Idempotency-Key of the request that caused a mutation, with the caller's
// fingerprint of that request.
struct IdempotencyTag {
  std::string_view key;
  std::string_view fingerprint;
};

struct CreateUserRecord {
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view name;
  std::string_view email;
};

struct CreateProductRecord {
  TimeMs at = 0;
  std::string_view product_id;
  std::string_view name;
  Money price = 0;
  Quantity stock = 0;
};

struct RestockRecord {
  TimeMs at = 0;
  std::string_view product_id;
  Quantity quantity = 0;
};

struct ChargeRecord {
  TimeMs at = 0;
  std::string_view user_id;
  Money amount = 0;
  Uuid transaction_id;
  std::optional<IdempotencyTag> idempotency;
};

struct OrderLineRecord {
  std::string_view product_id;
  Quantity quantity = 0;
  Money price = 0;
};

// An order and its outcome: SUCCESS (payment taken, stock decremented) or FAILED.
struct PlaceOrderRecord {
  TimeMs at = 0;
  Uuid order_id;
  std::string_view user_id;
  OrderStatus status = OrderStatus::kSuccess;
  StatusReason reason = StatusReason::kNone;
  bool from_cart = false;
  Uuid payment_id;  // balance history transaction of the payment; nil when FAILED
  std::vector<OrderLineRecord> lines;
  std::optional<IdempotencyTag> idempotency;
};

struct CancelOrderRecord {
  TimeMs at = 0;
  Uuid order_id;
  Uuid refund_id;
  ChangedBy changed_by = ChangedBy::kUser;
  std::optional<IdempotencyTag> idempotency;
};

struct CartAddRecord {
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view product_id;
  Quantity quantity = 0;
};

struct CartRemoveRecord {
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view product_id;
};

// Moves the engine's clock forward (test clocks only).
struct AdvanceClockRecord {
  TimeMs at = 0;
  int64_t seconds = 0;
};

using Record = std::variant<CreateUserRecord, CreateProductRecord, RestockRecord, ChargeRecord,
                            PlaceOrderRecord, CancelOrderRecord, CartAddRecord, CartRemoveRecord,
                            AdvanceClockRecord>;

RecordType TypeOf(const Record& record);
std::string_view Name(RecordType type);  // "PLACE_ORDER"

// Appends the payload of `record` (version byte first) to `out`.
void EncodeRecord(const Record& record, std::string* out);

// Parses a payload written by EncodeRecord. The result's strings point into `payload`.
// Any malformed input (short, bad version, bad enum, trailing bytes) is kInternal.
Result<Record> DecodeRecord(RecordType type, std::span<const uint8_t> payload);

// One line of text describing `record`, for tools.
std::string DescribeRecord(const Record& record);

}  // namespace ecomm
