#pragma once

#include <string>
#include <vector>

#include "ecomm/json_writer.h"
#include "ecomm/views.h"

// Response bodies, with SPEC.md's field names. Times are RFC 3339 UTC with milliseconds.
namespace ecomm::server {

void Write(JsonWriter& w, const UserView& user);
void Write(JsonWriter& w, const BalanceView& balance);
void Write(JsonWriter& w, const BalanceEntryView& entry);
void Write(JsonWriter& w, const ProductView& product);
void Write(JsonWriter& w, const CartView& cart);
// A TopSeller is written by ecomm::Write, shared with ecomm-stats.
using ecomm::Write;
// The order as POST /order answers it; with its status history when `history`.
void Write(JsonWriter& w, const OrderView& order, bool history);
void Write(JsonWriter& w, const CouponView& coupon);
void Write(JsonWriter& w, const UserCouponView& coupon);

// Serialises one value or a JSON array of values.
template <class T>
std::string ToJson(const T& value) {
  JsonWriter w;
  Write(w, value);
  return w.Take();
}
template <class T>
std::string ToJsonArray(const std::vector<T>& values) {
  JsonWriter w;
  w.StartArray();
  for (const T& v : values) Write(w, v);
  w.EndArray();
  return w.Take();
}

}  // namespace ecomm::server
