#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "event_time.h"
#include "sales_window.h"

// The bodies of GET /top and GET /healthz.
namespace ecomm::stats {

// [{"productId","name","price","totalSales"}], as the server's /products/top.
std::string TopJson(const std::vector<TopSeller>& top);

// What a consumer is doing, for GET /healthz. The counts describe the state built
// since the last partition assignment: summed over a group's members, applied +
// expired is the number of distinct events on the topic (each event dated before the
// window once), and duplicates the repeats of the others.
struct Health {
  std::vector<int32_t> partitions;  // assigned, ascending
  bool caught_up = false;           // every assigned partition read to its end once
  std::optional<TimeMs> clock;
  SalesWindow::Counts counts;
  uint64_t malformed = 0;  // records that are not the contract's JSON
  uint64_t tracked_orders = 0;
};

// {"status":"ok","partitions":[..],"caughtUp","clock"(or null),"appliedEvents",
//  "duplicateEvents","expiredEvents","malformedEvents","trackedOrders"}
std::string HealthJson(const Health& health);

}  // namespace ecomm::stats
