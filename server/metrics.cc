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
  AppendFamily(out, "ecomm_http_requests_total", "counter", "HTTP requests by route and status.");
  for (size_t route = 0; route < names_.size(); ++route) {
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      uint64_t n = routes_[route].by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[i] ? std::to_string(kStatuses[i]) : "other";
      *out += "ecomm_http_requests_total{route=\"" + names_[route] + "\",status=\"" + status +
              "\"} " + std::to_string(n) + "\n";
    }
  }
  AppendFamily(out, "ecomm_http_request_duration_seconds", "histogram",
               "Time from request read to response ready.");
  for (size_t route = 0; route < names_.size(); ++route) {
    if (routes_[route].latency_us.Count() == 0) continue;
    AppendHistogram(out, "ecomm_http_request_duration_seconds", "route=\"" + names_[route] + "\"",
                    routes_[route].latency_us, 1e-6);
  }
}

void AppendFamily(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void AppendHistogram(std::string* out, std::string_view name, std::string_view labels,
                     const Histogram& histogram, double scale) {
  std::string series(name);
  std::string prefix = labels.empty() ? "" : std::string(labels) + ",";
  // Buckets are read one by one while requests go on recording: the total is the last
  // cumulative count read, so +Inf and _count agree with the buckets listed.
  uint64_t count = 0;
  histogram.ForEachBucket([&](uint64_t upper, uint64_t cumulative) {
    *out += series + "_bucket{" + prefix + "le=\"" +
            std::to_string(static_cast<double>(upper) * scale) + "\"} " +
            std::to_string(cumulative) + "\n";
    count = cumulative;
  });
  std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  *out += series + "_bucket{" + prefix + "le=\"+Inf\"} " + std::to_string(count) + "\n";
  *out += series + "_sum" + braces + " " +
          std::to_string(static_cast<double>(histogram.Sum()) * scale) + "\n";
  *out += series + "_count" + braces + " " + std::to_string(count) + "\n";
}

}  // namespace ecomm::server
