#include <string>
#include <type_traits>

#include "ecomm/record.h"

namespace ecomm {

namespace {

// Appends " name=value" per field; a false flag, an absent tag and a reason of none
// are left out.
struct DescribeField {
  std::string& out;

  template <class T>
  void operator()(std::string_view name, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      if (v) Append(name, "");
    } else if constexpr (std::is_same_v<T, int64_t>) {
      Append(name, std::to_string(v));
    } else if constexpr (std::is_same_v<T, StatusReason>) {
      if (v != StatusReason::kNone) Append(name, Describe(v));
    } else if constexpr (std::is_enum_v<T>) {
      Append(name, Name(v));
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      out += ' ';
      out += name;
      out += '=';
      out += v;  // even when empty: a string is never a flag
    } else if constexpr (std::is_same_v<T, Uuid>) {
      Append(name, v.ToString());
    } else if constexpr (std::is_same_v<T, std::optional<IdempotencyTag>>) {
      if (v) Append(name, v->key);
    } else if constexpr (std::is_same_v<T, std::vector<OrderLineRecord>>) {
      for (const OrderLineRecord& line : v) {
        std::string fields;
        OrderLineRecord::Fields(line, DescribeField{fields});
        Append(name, "{" + fields.substr(1) + "}");
      }
    } else {
      static_assert(sizeof(T) == 0, "a record field of a type the text dump does not know");
    }
  }

  void Append(std::string_view name, std::string_view value) {
    out += ' ';
    out += name;
    if (!value.empty()) {
      out += '=';
      out += value;
    }
  }
};

}  // namespace

std::string DescribeRecord(const Record& record) {
  std::string out(Name(TypeOf(record)));
  std::visit([&](const auto& r) { r.Fields(r, DescribeField{out}); }, record);
  return out;
}

}  // namespace ecomm
