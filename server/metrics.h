#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecomm/wal/histogram.h"

namespace ecomm::server {

// Request counters by route and status, and a latency histogram per route; lock-free
// so that counting costs the hot path a few atomic adds.
class RequestMetrics {
 public:
  // `routes` names each route ("GET /products/{id}"); one more slot counts requests
  // that matched no route.
  explicit RequestMetrics(std::vector<std::string> routes);

  static constexpr size_t kUnrouted = SIZE_MAX;
  void Record(size_t route, int status, uint64_t micros);
  // Prometheus text for the counters and histograms.
  void AppendPrometheus(std::string* out) const;

 private:
  static constexpr std::array<int, 12> kStatuses = {200, 201, 400, 401, 404, 405,
                                                    409, 413, 422, 500, 503, 0};
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    wal::Histogram latency_us;
  };
  size_t Slot(size_t route) const { return route == kUnrouted ? names_.size() - 1 : route; }

  std::vector<std::string> names_;
  std::unique_ptr<PerRoute[]> routes_;
};

}  // namespace ecomm::server
