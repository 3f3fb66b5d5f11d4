#include "metrics.h"

namespace ecomm::server {

RequestMetrics::RequestMetrics(std::vector<std::string> routes)
    : names_(std::move(routes)), routes_(new PerRoute[names_.size() + 1]) {
  names_.push_back("unrouted");
}

void RequestMetrics::Record(size_t route, int status, uint64_t micros) {
  PerRoute& r = routes_[Slot(route)];
  size_t i = 0;
  while (i + 1 < kStatuses.size() && kStatuses[i] != status) ++i;  // the last slot: others
  r.by_status[i].fetch_add(1, std::memory_order_relaxed);
  r.latency_us.Record(micros);
}

void RequestMetrics::AppendPrometheus(std::string* out) const {
  *out += "# HELP ecomm_http_requests_total HTTP requests by route and status.\n";
  *out += "# TYPE ecomm_http_requests_total counter\n";
  for (size_t route = 0; route < names_.size(); ++route) {
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      uint64_t n = routes_[route].by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[i] ? std::to_string(kStatuses[i]) : "other";
      *out += "ecomm_http_requests_total{route=\"" + names_[route] + "\",status=\"" + status +
              "\"} " + std::to_string(n) + "\n";
    }
  }
  *out += "# HELP ecomm_http_request_duration_seconds Time from request read to response ready.\n";
  *out += "# TYPE ecomm_http_request_duration_seconds histogram\n";
  for (size_t route = 0; route < names_.size(); ++route) {
    const wal::Histogram& h = routes_[route].latency_us;
    uint64_t count = h.Count();
    if (count == 0) continue;
    std::string label = "route=\"" + names_[route] + "\"";
    h.ForEachBucket([&](uint64_t upper_us, uint64_t cumulative) {
      *out += "ecomm_http_request_duration_seconds_bucket{" + label + ",le=\"" +
              std::to_string(static_cast<double>(upper_us + 1) / 1e6) + "\"} " +
              std::to_string(cumulative) + "\n";
    });
    *out += "ecomm_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
            std::to_string(count) + "\n";
    *out += "ecomm_http_request_duration_seconds_sum{" + label + "} " +
            std::to_string(static_cast<double>(h.Sum()) / 1e6) + "\n";
    *out +=
        "ecomm_http_request_duration_seconds_count{" + label + "} " + std::to_string(count) + "\n";
  }
}

}  // namespace ecomm::server
