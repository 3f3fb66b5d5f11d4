#include <cstring>
#include <string>
#include <type_traits>

#include "byte_codec.h"
#include "ecomm/record.h"
#include "overloaded.h"

// Payload layout (little-endian, see wal/FORMAT.md): u8 version, then the fields of
// the record in declaration order. i64 fixed 8 bytes; string = u16 length + bytes;
// uuid = 16 bytes; enums and bools u8; optional<IdempotencyTag> = u8 present + two
// strings; lines = u8 count + (string, i64, i64) each.
namespace ecomm {

namespace {

void EncodeFields(Writer& w, const Record& record) {
  std::visit(Overloaded{
                 [&](const CreateUserRecord& r) {
                   w.I64(r.at);
                   w.Str(r.user_id);
                   w.Str(r.name);
                   w.Str(r.email);
                 },
                 [&](const CreateProductRecord& r) {
                   w.I64(r.at);
                   w.Str(r.product_id);
                   w.Str(r.name);
                   w.I64(r.price);
                   w.I64(r.stock);
                 },
                 [&](const RestockRecord& r) {
                   w.I64(r.at);
                   w.Str(r.product_id);
                   w.I64(r.quantity);
                 },
                 [&](const ChargeRecord& r) {
                   w.I64(r.at);
                   w.Str(r.user_id);
                   w.I64(r.amount);
                   w.Id(r.transaction_id);
                   w.Tag(r.idempotency);
                 },
                 [&](const PlaceOrderRecord& r) {
                   w.I64(r.at);
                   w.Id(r.order_id);
                   w.Str(r.user_id);
                   w.U8(static_cast<uint8_t>(r.status));
                   w.U8(static_cast<uint8_t>(r.reason));
                   w.U8(r.from_cart);
                   w.Id(r.payment_id);
                   w.U8(static_cast<uint8_t>(r.lines.size()));
                   for (const OrderLineRecord& line : r.lines) {
                     w.Str(line.product_id);
                     w.I64(line.quantity);
                     w.I64(line.price);
                   }
                   w.Tag(r.idempotency);
                 },
                 [&](const CancelOrderRecord& r) {
                   w.I64(r.at);
                   w.Id(r.order_id);
                   w.Id(r.refund_id);
                   w.U8(static_cast<uint8_t>(r.changed_by));
                   w.Tag(r.idempotency);
                 },
                 [&](const CartAddRecord& r) {
                   w.I64(r.at);
                   w.Str(r.user_id);
                   w.Str(r.product_id);
                   w.I64(r.quantity);
                 },
                 [&](const CartRemoveRecord& r) {
                   w.I64(r.at);
                   w.Str(r.user_id);
                   w.Str(r.product_id);
                 },
                 [&](const AdvanceClockRecord& r) {
                   w.I64(r.at);
                   w.I64(r.seconds);
                 },
             },
             record);
}

Record DecodeFields(Reader& r, RecordType type) {
  switch (type) {
    case RecordType::kCreateUser: {
      CreateUserRecord rec;
      rec.at = r.I64();
      rec.user_id = r.Str();
      rec.name = r.Str();
      rec.email = r.Str();
      return rec;
    }
    case RecordType::kCreateProduct: {
      CreateProductRecord rec;
      rec.at = r.I64();
      rec.product_id = r.Str();
      rec.name = r.Str();
      rec.price = r.I64();
      rec.stock = r.I64();
      return rec;
    }
    case RecordType::kRestock: {
      RestockRecord rec;
      rec.at = r.I64();
      rec.product_id = r.Str();
      rec.quantity = r.I64();
      return rec;
    }
    case RecordType::kCharge: {
      ChargeRecord rec;
      rec.at = r.I64();
      rec.user_id = r.Str();
      rec.amount = r.I64();
      rec.transaction_id = r.Id();
      rec.idempotency = r.Tag();
      return rec;
    }
    case RecordType::kPlaceOrder: {
      PlaceOrderRecord rec;
      rec.at = r.I64();
      rec.order_id = r.Id();
      rec.user_id = r.Str();
      rec.status = r.Enum(OrderStatus::kCancelled);
      rec.reason = r.Enum(StatusReason::kCancelledByUser);
      rec.from_cart = r.Bool();
      rec.payment_id = r.Id();
      size_t n = r.U8();
      if (n == 0 || n > limits::kMaxLines) r.Fail();
      for (size_t i = 0; r.ok() && i < n; ++i) {
        OrderLineRecord line;
        line.product_id = r.Str();
        line.quantity = r.I64();
        line.price = r.I64();
        rec.lines.push_back(line);
      }
      rec.idempotency = r.Tag();
      return rec;
    }
    case RecordType::kCancelOrder: {
      CancelOrderRecord rec;
      rec.at = r.I64();
      rec.order_id = r.Id();
      rec.refund_id = r.Id();
      rec.changed_by = r.Enum(ChangedBy::kUser);
      rec.idempotency = r.Tag();
      return rec;
    }
    case RecordType::kCartAdd: {
      CartAddRecord rec;
      rec.at = r.I64();
      rec.user_id = r.Str();
      rec.product_id = r.Str();
      rec.quantity = r.I64();
      return rec;
    }
    case RecordType::kCartRemove: {
      CartRemoveRecord rec;
      rec.at = r.I64();
      rec.user_id = r.Str();
      rec.product_id = r.Str();
      return rec;
    }
    case RecordType::kAdvanceClock: {
      AdvanceClockRecord rec;
      rec.at = r.I64();
      rec.seconds = r.I64();
      return rec;
    }
  }
  r.Fail();
  return AdvanceClockRecord{};
}

}  // namespace

RecordType TypeOf(const Record& record) {
  // The variant's alternatives are declared in RecordType order, from 1.
  return static_cast<RecordType>(record.index() + 1);
}

std::string_view Name(RecordType type) {
  switch (type) {
    case RecordType::kCreateUser:
      return "CREATE_USER";
    case RecordType::kCreateProduct:
      return "CREATE_PRODUCT";
    case RecordType::kRestock:
      return "RESTOCK";
    case RecordType::kCharge:
      return "CHARGE";
    case RecordType::kPlaceOrder:
      return "PLACE_ORDER";
    case RecordType::kCancelOrder:
      return "CANCEL_ORDER";
    case RecordType::kCartAdd:
      return "CART_ADD";
    case RecordType::kCartRemove:
      return "CART_REMOVE";
    case RecordType::kAdvanceClock:
      return "ADVANCE_CLOCK";
  }
  return "UNKNOWN";
}

void EncodeRecord(const Record& record, std::string* out) {
  Writer w(out);
  w.U8(kRecordVersion);
  EncodeFields(w, record);
}

Result<Record> DecodeRecord(RecordType type, std::span<const uint8_t> payload) {
  Reader r(payload);
  uint8_t version = r.U8();
  if (!r.ok()) return Status(ErrorCode::kInternal, "corrupt record: empty payload");
  if (version != kRecordVersion) {
    return Status(ErrorCode::kInternal,
                  "corrupt record: unknown payload version " + std::to_string(version));
  }
  Record record = DecodeFields(r, type);
  if (!r.AtEnd()) {
    return Status(ErrorCode::kInternal,
                  "corrupt record: malformed " + std::string(Name(type)) + " payload");
  }
  return record;
}

}  // namespace ecomm
