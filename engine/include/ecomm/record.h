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
// String fields are views: into engine state or the request when a record is built,
// into the payload buffer when one is decoded. The byte layout is in wal/FORMAT.md.
//
// Each record declares its fields once, in `Fields`: the payload encoder and decoder,
// the text dump of `ecomm-wal` and the round-trip test all walk that list, in that
// order, which is the payload's order. The rule of each record (its checks and how it
// changes state) lives in its transaction unit, engine/src/tx/<name>.cc.
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
  kCreateCoupon = 10,
  kIssueCoupon = 11,
};

// Version of the payload layout below; the first byte of every payload. 2: coupons
// (PLACE_ORDER gained its coupon and discount).
inline constexpr uint8_t kRecordVersion = 2;

// The Idempotency-Key of the request that caused a mutation, with the caller's
// fingerprint of that request.
struct IdempotencyTag {
  std::string_view key;
  std::string_view fingerprint;
};

struct CreateUserRecord {
  static constexpr RecordType kType = RecordType::kCreateUser;
  static constexpr std::string_view kName = "CREATE_USER";
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view name;
  std::string_view email;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("user", r.user_id), f("name", r.name), f("email", r.email);
  }
};

struct CreateProductRecord {
  static constexpr RecordType kType = RecordType::kCreateProduct;
  static constexpr std::string_view kName = "CREATE_PRODUCT";
  TimeMs at = 0;
  std::string_view product_id;
  std::string_view name;
  Money price = 0;
  Quantity stock = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("product", r.product_id), f("name", r.name), f("price", r.price),
        f("stock", r.stock);
  }
};

struct RestockRecord {
  static constexpr RecordType kType = RecordType::kRestock;
  static constexpr std::string_view kName = "RESTOCK";
  TimeMs at = 0;
  std::string_view product_id;
  Quantity quantity = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("product", r.product_id), f("quantity", r.quantity);
  }
};

struct ChargeRecord {
  static constexpr RecordType kType = RecordType::kCharge;
  static constexpr std::string_view kName = "CHARGE";
  TimeMs at = 0;
  std::string_view user_id;
  Money amount = 0;
  Uuid transaction_id;
  std::optional<IdempotencyTag> idempotency;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("user", r.user_id), f("amount", r.amount), f("tx", r.transaction_id),
        f("idempotency_key", r.idempotency);
  }
};

struct OrderLineRecord {
  std::string_view product_id;
  Quantity quantity = 0;
  Money price = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("product", r.product_id), f("quantity", r.quantity), f("price", r.price);
  }
};

// An order and its outcome: SUCCESS (payment taken, stock decremented) or FAILED.
struct PlaceOrderRecord {
  static constexpr RecordType kType = RecordType::kPlaceOrder;
  static constexpr std::string_view kName = "PLACE_ORDER";
  TimeMs at = 0;
  Uuid order_id;
  std::string_view user_id;
  OrderStatus status = OrderStatus::kSuccess;
  StatusReason reason = StatusReason::kNone;
  bool from_cart = false;
  Uuid payment_id;  // balance history transaction of the payment; nil when FAILED
  std::vector<OrderLineRecord> lines;  // 1..100
  Uuid user_coupon_id;                 // the user's coupon it uses; nil for none
  Money discount = 0;                  // by the coupon's rule; 0 without one
  std::optional<IdempotencyTag> idempotency;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("order", r.order_id), f("user", r.user_id), f("status", r.status),
        f("reason", r.reason), f("from_cart", r.from_cart), f("payment_tx", r.payment_id),
        f("line", r.lines), f("coupon", r.user_coupon_id), f("discount", r.discount),
        f("idempotency_key", r.idempotency);
  }
};

struct CancelOrderRecord {
  static constexpr RecordType kType = RecordType::kCancelOrder;
  static constexpr std::string_view kName = "CANCEL_ORDER";
  TimeMs at = 0;
  Uuid order_id;
  Uuid refund_id;
  ChangedBy changed_by = ChangedBy::kUser;
  std::optional<IdempotencyTag> idempotency;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("order", r.order_id), f("refund_tx", r.refund_id), f("by", r.changed_by),
        f("idempotency_key", r.idempotency);
  }
};

struct CartAddRecord {
  static constexpr RecordType kType = RecordType::kCartAdd;
  static constexpr std::string_view kName = "CART_ADD";
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view product_id;
  Quantity quantity = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("user", r.user_id), f("product", r.product_id), f("quantity", r.quantity);
  }
};

struct CartRemoveRecord {
  static constexpr RecordType kType = RecordType::kCartRemove;
  static constexpr std::string_view kName = "CART_REMOVE";
  TimeMs at = 0;
  std::string_view user_id;
  std::string_view product_id;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("user", r.user_id), f("product", r.product_id);
  }
};

// The order's total: price x quantity summed over its lines.
Money TotalOf(const PlaceOrderRecord& record);
// What the order pays: its total less its discount.
inline Money PaidOf(const PlaceOrderRecord& record) { return TotalOf(record) - record.discount; }

// Moves the engine's clock forward (test clocks only).
struct AdvanceClockRecord {
  static constexpr RecordType kType = RecordType::kAdvanceClock;
  static constexpr std::string_view kName = "ADVANCE_CLOCK";
  TimeMs at = 0;
  int64_t seconds = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("seconds", r.seconds);
  }
};

// A coupon campaign (admin). max_discount 0: no cap.
struct CreateCouponRecord {
  static constexpr RecordType kType = RecordType::kCreateCoupon;
  static constexpr std::string_view kName = "CREATE_COUPON";
  TimeMs at = 0;
  std::string_view coupon_id;
  std::string_view name;
  DiscountType discount_type = DiscountType::kFixed;
  int64_t discount_value = 0;
  Quantity total_quantity = 0;
  Money min_order_amount = 0;
  Money max_discount = 0;
  TimeMs valid_from = 0;
  TimeMs valid_until = 0;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("coupon", r.coupon_id), f("name", r.name), f("type", r.discount_type),
        f("value", r.discount_value), f("total", r.total_quantity),
        f("min_order", r.min_order_amount), f("max_discount", r.max_discount),
        f("valid_from", r.valid_from), f("valid_until", r.valid_until);
  }
};

// One of a campaign's coupons given to a user, first come, first served.
struct IssueCouponRecord {
  static constexpr RecordType kType = RecordType::kIssueCoupon;
  static constexpr std::string_view kName = "ISSUE_COUPON";
  TimeMs at = 0;
  std::string_view coupon_id;
  std::string_view user_id;
  Uuid user_coupon_id;
  std::optional<IdempotencyTag> idempotency;

  template <class Self, class Visit>
  static void Fields(Self& r, Visit&& f) {
    f("at", r.at), f("coupon", r.coupon_id), f("user", r.user_id),
        f("user_coupon", r.user_coupon_id), f("idempotency_key", r.idempotency);
  }
};

// The registry of record kinds: alternative i is RecordType i + 1 (checked where the
// codec is compiled).
using Record = std::variant<CreateUserRecord, CreateProductRecord, RestockRecord, ChargeRecord,
                            PlaceOrderRecord, CancelOrderRecord, CartAddRecord, CartRemoveRecord,
                            AdvanceClockRecord, CreateCouponRecord, IssueCouponRecord>;

RecordType TypeOf(const Record& record);
std::string_view Name(RecordType type);  // "PLACE_ORDER"

// Appends the payload of `record` (version byte first) to `out`.
void EncodeRecord(const Record& record, std::string* out);

// Parses a payload written by EncodeRecord. The result's strings point into `payload`.
// Any malformed input (short, bad version, bad enum, trailing bytes) is kInternal.
Result<Record> DecodeRecord(RecordType type, std::span<const uint8_t> payload);

// One line of text describing `record`, for tools: its name, then name=value per field.
std::string DescribeRecord(const Record& record);

}  // namespace ecomm
