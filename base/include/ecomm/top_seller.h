#pragma once

#include <cstdint>
#include <string>

#include "ecomm/json_writer.h"

namespace ecomm {

// A line of a top-sellers list. The server's GET /products/top and ecomm-stats'
// GET /top answer the same lines (SPEC), so both build and write this one type.
struct TopSeller {
  std::string product_id;
  std::string name;
  int64_t price = 0;        // whole currency units
  int64_t total_sales = 0;  // units sold in the window
};

// {"productId", "name", "price", "totalSales"}
inline void Write(JsonWriter& w, const TopSeller& top) {
  w.StartObject();
  w.Field("productId", top.product_id);
  w.Field("name", top.name);
  w.Field("price", top.price);
  w.Field("totalSales", top.total_sales);
  w.EndObject();
}

}  // namespace ecomm
