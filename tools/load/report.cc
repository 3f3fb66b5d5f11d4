#include "report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

namespace ecomm::load {

namespace {

double Ms(uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::string Format(const char* format, auto... args) {
  char line[256];
  std::snprintf(line, sizeof line, format, args...);
  return line;
}

uint64_t ServerErrors(const OpStats& op) {
  uint64_t n = 0;
  for (const auto& [status, count] : op.StatusCounts()) {
    if (status == 0 || status >= 500) n += count;
  }
  return n;
}

}  // namespace

std::string RenderTable(const Report& r) {
  std::string out = Format("%-12s %9s %9s %8s %8s %8s %8s %8s  %s\n", "operation", "count", "req/s",
                           "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "statuses");
  uint64_t total = 0;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& op = r.stats.ops[i];
    if (op.Count() == 0) continue;
    total += op.Count();
    std::string statuses;
    for (const auto& [status, count] : op.StatusCounts()) {
      statuses +=
          (statuses.empty() ? "" : " ") + std::to_string(status) + ":" + std::to_string(count);
    }
    if (uint64_t bad = op.unexpected.load()) statuses += " unexpected:" + std::to_string(bad);
    const LatencyHistogram& h = op.latency;
    out += Format("%-12s %9llu %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f  ", OpName(static_cast<Op>(i)),
                  static_cast<unsigned long long>(op.Count()),
                  static_cast<double>(op.Count()) / r.elapsed.count(), Ms(h.PercentileMicros(0.5)),
                  Ms(h.PercentileMicros(0.9)), Ms(h.PercentileMicros(0.99)),
                  Ms(h.PercentileMicros(0.999)), Ms(h.MaxMicros())) +
           statuses + "\n";
  }
  out += Format("%-12s %9llu %9.0f\n", "all", static_cast<unsigned long long>(total),
                static_cast<double>(total) / r.elapsed.count());
  if (r.stats.connect_failures > 0) {
    out += Format("connection failures: %llu\n",
                  static_cast<unsigned long long>(r.stats.connect_failures.load()));
  }
  if (r.stats.not_sent > 0) {
    out += Format("arrivals never sent (the server fell behind --rate): %llu\n",
                  static_cast<unsigned long long>(r.stats.not_sent.load()));
  }
  if (r.audit) {
    const AuditResult& a = *r.audit;
    out += Format("audit: %s (%llu users, %llu products, %llu orders checked; %llu violations)\n",
                  a.ok ? "ok" : "FAILED", static_cast<unsigned long long>(a.users),
                  static_cast<unsigned long long>(a.products),
                  static_cast<unsigned long long>(a.orders),
                  static_cast<unsigned long long>(a.violation_count));
    if (a.unknown_outcomes > 0) {
      out += Format("  %llu writes got no definite answer; differences may come from them\n",
                    static_cast<unsigned long long>(a.unknown_outcomes));
    }
    for (const std::string& v : a.violations) out += "  " + v + "\n";
  }
  return out;
}

std::string RenderJson(const Report& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("target");
  w.String(r.target.c_str());
  w.Key("settings");
  w.StartObject();
  w.Key("mode");
  w.String(r.options.rate > 0 ? "open" : "closed");
  w.Key("rate");
  w.Double(r.options.rate);
  w.Key("connections");
  w.Int(r.options.connections);
  w.Key("threads");
  w.Int(r.options.threads);
  w.Key("duration_s");
  w.Double(r.elapsed.count());
  w.Key("users");
  w.Int(r.options.users);
  w.Key("products");
  w.Int(r.options.products);
  w.Key("hot");
  w.Double(r.options.hot);
  w.Key("hot_user");
  w.Double(r.options.hot_user);
  w.Key("zipf");
  w.Double(r.options.zipf);
  w.Key("order_lines");
  w.Int(r.options.order_lines);
  w.Key("max_quantity");
  w.Int64(r.options.max_quantity);
  w.Key("seed");
  w.Uint64(r.options.seed);
  w.Key("mix");
  w.StartObject();
  for (size_t i = 0; i < kOpCount; ++i) {
    if (r.options.mix[i] == 0) continue;
    w.Key(OpName(static_cast<Op>(i)));
    w.Uint(r.options.mix[i]);
  }
  w.EndObject();
  w.EndObject();

  uint64_t total = 0, unexpected = 0, server_errors = 0;
  w.Key("operations");
  w.StartObject();
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& op = r.stats.ops[i];
    if (op.Count() == 0) continue;
    total += op.Count();
    unexpected += op.unexpected.load();
    server_errors += ServerErrors(op);
    const LatencyHistogram& h = op.latency;
    w.Key(OpName(static_cast<Op>(i)));
    w.StartObject();
    w.Key("count");
    w.Uint64(op.Count());
    w.Key("rps");
    w.Double(static_cast<double>(op.Count()) / r.elapsed.count());
    for (auto [key, fraction] : {std::pair{"p50_ms", 0.5}, std::pair{"p90_ms", 0.9},
                                 std::pair{"p99_ms", 0.99}, std::pair{"p999_ms", 0.999}}) {
      w.Key(key);
      w.Double(Ms(h.PercentileMicros(fraction)));
    }
    w.Key("max_ms");
    w.Double(Ms(h.MaxMicros()));
    // The percentile curve, for plots: [percentile, ms] from the median to the max.
    w.Key("latency_curve");
    w.StartArray();
    for (double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 100.0}) {
      w.StartArray();
      w.Double(p);
      w.Double(Ms(h.PercentileMicros(p / 100)));
      w.EndArray();
    }
    w.EndArray();
    w.Key("statuses");
    w.StartObject();
    for (const auto& [status, count] : op.StatusCounts()) {
      w.Key(std::to_string(status).c_str());
      w.Uint64(count);
    }
    w.EndObject();
    w.Key("unexpected");
    w.Uint64(op.unexpected.load());
    w.EndObject();
  }
  w.EndObject();
  w.Key("totals");
  w.StartObject();
  w.Key("count");
  w.Uint64(total);
  w.Key("rps");
  w.Double(static_cast<double>(total) / r.elapsed.count());
  w.Key("unexpected");
  w.Uint64(unexpected);
  w.Key("server_errors");
  w.Uint64(server_errors);
  w.Key("connection_failures");
  w.Uint64(r.stats.connect_failures.load());
  w.Key("not_sent");
  w.Uint64(r.stats.not_sent.load());
  w.EndObject();
  // With --no-audit: {"ok": true, "skipped": true, "violations": []}.
  AuditResult skipped;
  const AuditResult& audit = r.audit ? *r.audit : skipped;
  w.Key("audit");
  {
    w.StartObject();
    w.Key("ok");
    w.Bool(audit.ok);
    w.Key("skipped");
    w.Bool(!r.audit);
    w.Key("unknown_outcomes");
    w.Uint64(audit.unknown_outcomes);
    w.Key("violations");
    w.StartArray();
    for (const std::string& v : audit.violations) w.String(v.c_str());
    w.EndArray();
    w.Key("violation_count");
    w.Uint64(audit.violation_count);
    w.Key("users");
    w.Uint64(audit.users);
    w.Key("products");
    w.Uint64(audit.products);
    w.Key("orders");
    w.Uint64(audit.orders);
    w.EndObject();
  }
  w.Key("ok");
  w.Bool(!Failed(r));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

bool Failed(const Report& r) {
  // Open loop: arrivals never sent got no answer either (the server fell behind).
  uint64_t bad = r.stats.Unexpected() + r.stats.not_sent.load();
  for (const OpStats& op : r.stats.ops) bad += ServerErrors(op);
  return bad > 0 || r.stats.Count() == 0 || (r.audit && !r.audit->ok);
}

}  // namespace ecomm::load
