#include <string>
#include <type_traits>
#include <utility>

#include "byte_codec.h"
#include "ecomm/record.h"

// Payload layout (little-endian, see wal/FORMAT.md): u8 version, then the fields each
// record lists in `Fields`, in that order. i64 fixed 8 bytes; string = u16 length +
// bytes; uuid = 16 bytes; enums and bools u8; optional<IdempotencyTag> = u8 present +
// two strings; lines = u8 count (1..100) + each line's fields.
namespace ecomm {

namespace {

// The largest value each logged enum may hold; an enum field without one here does
// not compile.
constexpr OrderStatus LastOf(OrderStatus) { return OrderStatus::kCancelled; }
constexpr StatusReason LastOf(StatusReason) { return StatusReason::kCancelledByUser; }
constexpr ChangedBy LastOf(ChangedBy) { return ChangedBy::kUser; }
constexpr DiscountType LastOf(DiscountType) { return DiscountType::kPercent; }

struct EncodeField {
  Writer& w;

  template <class T>
  void operator()(std::string_view, const T& v) {
    if constexpr (std::is_same_v<T, int64_t>) {
      w.I64(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      w.U8(v);
    } else if constexpr (std::is_enum_v<T>) {
      w.U8(static_cast<uint8_t>(v));
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      w.Str(v);
    } else if constexpr (std::is_same_v<T, Uuid>) {
      w.Id(v);
    } else if constexpr (std::is_same_v<T, std::optional<IdempotencyTag>>) {
      w.Tag(v);
    } else if constexpr (std::is_same_v<T, std::vector<OrderLineRecord>>) {
      w.U8(static_cast<uint8_t>(v.size()));
      for (const OrderLineRecord& line : v) OrderLineRecord::Fields(line, *this);
    } else {
      static_assert(sizeof(T) == 0, "a record field of a type the codec does not know");
    }
  }
};

struct DecodeField {
  Reader& r;

  template <class T>
  void operator()(std::string_view, T& v) {
    if constexpr (std::is_same_v<T, int64_t>) {
      v = r.I64();
    } else if constexpr (std::is_same_v<T, bool>) {
      v = r.Bool();
    } else if constexpr (std::is_enum_v<T>) {
      v = r.Enum(LastOf(T{}));
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      v = r.Str();
    } else if constexpr (std::is_same_v<T, Uuid>) {
      v = r.Id();
    } else if constexpr (std::is_same_v<T, std::optional<IdempotencyTag>>) {
      v = r.Tag();
    } else if constexpr (std::is_same_v<T, std::vector<OrderLineRecord>>) {
      size_t n = r.U8();
      if (n == 0 || n > limits::kMaxLines) r.Fail();
      for (size_t i = 0; r.ok() && i < n; ++i) OrderLineRecord::Fields(v.emplace_back(), *this);
    } else {
      static_assert(sizeof(T) == 0, "a record field of a type the codec does not know");
    }
  }
};

// Calls fn(R{}) for the record type R whose kType is `type`; false when there is none.
template <class Fn, size_t... I>
bool VisitKind(RecordType type, Fn&& fn, std::index_sequence<I...>) {
  return ((std::variant_alternative_t<I, Record>::kType == type
               ? (fn(std::variant_alternative_t<I, Record>{}), true)
               : false) ||
          ...);
}
template <class Fn>
bool VisitKind(RecordType type, Fn&& fn) {
  return VisitKind(type, std::forward<Fn>(fn),
                   std::make_index_sequence<std::variant_size_v<Record>>{});
}

template <size_t... I>
constexpr bool KindsInOrder(std::index_sequence<I...>) {
  return ((static_cast<size_t>(std::variant_alternative_t<I, Record>::kType) == I + 1) && ...);
}
static_assert(KindsInOrder(std::make_index_sequence<std::variant_size_v<Record>>{}),
              "Record's alternative i is RecordType i + 1");

}  // namespace

RecordType TypeOf(const Record& record) {
  return std::visit([](const auto& r) { return r.kType; }, record);
}

std::string_view Name(RecordType type) {
  std::string_view name = "UNKNOWN";
  VisitKind(type, [&](auto r) { name = r.kName; });
  return name;
}

void EncodeRecord(const Record& record, std::string* out) {
  Writer w(out);
  w.U8(kRecordVersion);
  std::visit([&](const auto& r) { r.Fields(r, EncodeField{w}); }, record);
}

Result<Record> DecodeRecord(RecordType type, std::span<const uint8_t> payload) {
  Reader r(payload);
  uint8_t version = r.U8();
  if (!r.ok()) return Status(ErrorCode::kInternal, "corrupt record: empty payload");
  if (version != kRecordVersion) {
    return Status(ErrorCode::kInternal,
                  "corrupt record: unknown payload version " + std::to_string(version));
  }
  Record record;
  bool known = VisitKind(type, [&](auto kind) {
    kind.Fields(kind, DecodeField{r});
    record = kind;
  });
  if (!known || !r.AtEnd()) {
    return Status(ErrorCode::kInternal,
                  "corrupt record: malformed " + std::string(Name(type)) + " payload");
  }
  return record;
}

}  // namespace ecomm
