#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecomm/histogram.h"

namespace ecomm::server {

// Prometheus text exposition: the HELP and TYPE lines of a metric family.
void AppendFamily(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help);
// One histogram series: cumulative `_bucket` lines (each non-empty bucket's inclusive
// upper bound times `scale`, then +Inf), `_sum` and `_count`. `labels` is empty or
// `key="value",...` without braces.
void AppendHistogram(std::string* out, std::string_view name, std::string_view labels,
                     const Histogram& histogram, double scale);

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
  static constexpr std::array<int, 15> kStatuses = {200, 201, 400, 401, 403, 404, 405, 408,
                                                    409, 413, 415, 422, 500, 503, 0};
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    Histogram latency_us{Histogram::kCoarse};
  };
  size_t Slot(size_t route) const { return route == kUnrouted ? names_.size() - 1 : route; }

  std::vector<std::string> names_;
  std::unique_ptr<PerRoute[]> routes_;
};

}  // namespace ecomm::server
