#include "report.h"

#include <cstdio>

#include "ecomm/json_writer.h"
#include "json_body.h"

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

void WriteSettings(JsonWriter& w, const Report& r) {
  const LoadOptions& o = r.options;
  w.Key("settings");
  w.StartObject();
  w.Field("mode", o.rate > 0 ? "open" : "closed");
  w.Field("rate", o.rate);
  w.Field("connections", o.connections);
  w.Field("threads", o.threads);
  w.Field("duration_s", r.elapsed.count());
  w.Field("users", o.users);
  w.Field("products", o.products);
  w.Field("hot", o.hot);
  w.Field("hot_user", o.hot_user);
  w.Field("zipf", o.zipf);
  w.Field("order_lines", o.order_lines);
  w.Field("max_quantity", o.max_quantity);
  w.Field("coupons", o.coupons);
  w.Field("coupon_discount", o.coupon_discount.Text());
  FieldOrNull(w, "coupon_max_discount", o.coupon_discount.max);
  w.Field("coupon_use", o.coupon_use);
  w.Field("seed", o.seed);
  w.Key("mix");
  w.StartObject();
  for (size_t i = 0; i < kOpCount; ++i) {
    if (o.mix[i] != 0) w.Field(OpName(static_cast<Op>(i)), o.mix[i]);
  }
  w.EndObject();
  w.EndObject();
}

void WriteOperation(JsonWriter& w, const OpStats& op, std::chrono::duration<double> elapsed) {
  const Histogram& h = op.latency;
  w.StartObject();
  w.Field("count", op.Count());
  w.Field("rps", static_cast<double>(op.Count()) / elapsed.count());
  for (auto [key, fraction] : {std::pair{"p50_ms", 0.5}, std::pair{"p90_ms", 0.9},
                               std::pair{"p99_ms", 0.99}, std::pair{"p999_ms", 0.999}}) {
    w.Field(key, Ms(h.Percentile(fraction)));
  }
  w.Field("max_ms", Ms(h.Max()));
  // The percentile curve, for plots: [percentile, ms] from the median to the max.
  w.Key("latency_curve");
  w.StartArray();
  for (double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 100.0}) {
    w.StartArray();
    w.Double(p);
    w.Double(Ms(h.Percentile(p / 100)));
    w.EndArray();
  }
  w.EndArray();
  w.Key("statuses");
  w.StartObject();
  for (const auto& [status, count] : op.StatusCounts()) w.Field(std::to_string(status), count);
  w.EndObject();
  w.Key("conflicts");  // the expected 409s, by code
  w.StartObject();
  for (const auto& [code, count] : op.ConflictCounts()) w.Field(code, count);
  w.EndObject();
  w.Field("unexpected", op.unexpected.load());
  w.EndObject();
}

// Several --url replicas: how often requests moved or were sent again, and the answers
// that led to it (those are not in the operations' statuses then).
void WriteFailover(JsonWriter& w, const Report& r) {
  const FailoverStats& f = r.stats.failover;
  w.Key("failover");
  w.StartObject();
  w.Field("replicas", static_cast<uint64_t>(r.options.urls.size()));
  w.Field("wait_ms", static_cast<int64_t>(r.options.failover_wait.count()));
  w.Field("moves", f.moves.load());
  w.Field("retries", f.retries.load());
  w.Key("retried_statuses");
  w.StartObject();
  for (const auto& [status, count] : f.RetriedStatusCounts()) {
    w.Field(std::to_string(status), count);
  }
  w.EndObject();
  w.EndObject();
}

void WriteReplicas(JsonWriter& w, const ReplicaAudit& audit) {
  w.Key("replicas");
  w.StartObject();
  w.Key("primary");
  if (audit.primary) {
    w.String(audit.replicas[*audit.primary].url);
  } else {
    w.Null();
  }
  w.Field("digests_compared", audit.digests_compared);
  w.Key("unreachable");
  w.StartArray();
  for (const std::string& url : audit.unreachable()) w.String(url);
  w.EndArray();
  w.Key("members");
  w.StartArray();
  for (const ReplicaState& m : audit.replicas) {
    w.StartObject();
    w.Field("url", m.url);
    w.Field("reachable", m.reachable);
    w.Field("role", m.role);
    w.Field("epoch", m.epoch);
    w.Field("appliedLsn", m.applied_lsn);
    w.Key("lsn");
    if (m.has_digest) {
      w.Uint(m.digest_lsn);
    } else {
      w.Null();
    }
    w.Key("digest");
    if (m.has_digest) {
      w.String(m.digest);
    } else {
      w.Null();
    }
    w.Field("error", m.error);
    w.Field("stopped", m.stopped);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteCoupons(JsonWriter& w, const CouponAudit& c) {
  w.Key("coupons");
  w.StartObject();
  w.Field("total", c.total);
  w.Field("remaining", c.remaining);
  for (auto [key, count] :
       {std::pair{"issued", c.issued}, std::pair{"acknowledged", c.acknowledged},
        std::pair{"unanswered", c.unanswered}, std::pair{"used", c.used},
        std::pair{"orders", c.orders}}) {
    w.Field(key, count);
  }
  w.EndObject();
}

// With --no-audit: {"ok": true, "skipped": true, "violations": []}.
void WriteAudit(JsonWriter& w, const std::optional<AuditResult>& result) {
  AuditResult skipped;
  const AuditResult& audit = result ? *result : skipped;
  w.Key("audit");
  w.StartObject();
  w.Field("ok", audit.ok);
  w.Field("skipped", !result);
  w.Field("unknown_outcomes", audit.unknown_outcomes);
  w.Key("violations");
  w.StartArray();
  for (const std::string& v : audit.violations) w.String(v);
  w.EndArray();
  w.Field("violation_count", audit.violation_count);
  // What the audit checked.
  for (auto [key, checked] :
       {std::pair{"users", audit.users}, std::pair{"products", audit.products},
        std::pair{"orders", audit.orders}}) {
    w.Field(key, checked);
  }
  if (audit.replicas) WriteReplicas(w, *audit.replicas);
  if (audit.coupons) WriteCoupons(w, *audit.coupons);
  w.EndObject();
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
    for (const auto& [code, count] : op.ConflictCounts()) {
      statuses += " " + std::string(code) + ":" + std::to_string(count);
    }
    if (uint64_t bad = op.unexpected.load()) statuses += " unexpected:" + std::to_string(bad);
    const Histogram& h = op.latency;
    out += Format("%-12s %9llu %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f  ", OpName(static_cast<Op>(i)),
                  static_cast<unsigned long long>(op.Count()),
                  static_cast<double>(op.Count()) / r.elapsed.count(), Ms(h.Percentile(0.5)),
                  Ms(h.Percentile(0.9)), Ms(h.Percentile(0.99)), Ms(h.Percentile(0.999)),
                  Ms(h.Max())) +
           statuses + "\n";
  }
  out += Format("%-12s %9llu %9.0f\n", "all", static_cast<unsigned long long>(total),
                static_cast<double>(total) / r.elapsed.count());
  if (r.stats.connect_failures > 0) {
    out += Format("connection failures: %llu\n",
                  static_cast<unsigned long long>(r.stats.connect_failures.load()));
  }
  if (const FailoverStats& f = r.stats.failover; f.moves > 0 || f.retries > 0) {
    out += Format("failover: %llu moves between replicas, %llu requests sent again\n",
                  static_cast<unsigned long long>(f.moves.load()),
                  static_cast<unsigned long long>(f.retries.load()));
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
    if (const std::optional<CouponAudit>& c = a.coupons; c) {
      out += Format(
          "  coupons: %llu of %lld issued (%llu acknowledged, %llu unanswered), %lld "
          "remaining, %llu used; %llu orders checked\n",
          static_cast<unsigned long long>(c->issued), static_cast<long long>(c->total),
          static_cast<unsigned long long>(c->acknowledged),
          static_cast<unsigned long long>(c->unanswered), static_cast<long long>(c->remaining),
          static_cast<unsigned long long>(c->used), static_cast<unsigned long long>(c->orders));
    }
    if (a.replicas && a.replicas->primary) {
      const ReplicaAudit& ra = *a.replicas;
      size_t reachable = ra.replicas.size() - ra.unreachable().size();
      out += "  replicas: primary " + ra.replicas[*ra.primary].url + "; " +
             std::to_string(reachable) + " of " + std::to_string(ra.replicas.size()) +
             " reachable, digests " + (ra.digests_compared ? "compared" : "not compared");
      for (const std::string& url : ra.unreachable()) out += "; " + url + " unreachable";
      out += "\n";
    }
    for (const std::string& v : a.violations) out += "  " + v + "\n";
  }
  return out;
}

std::string RenderJson(const Report& r) {
  JsonWriter w;
  w.StartObject();
  w.Field("target", r.target);
  WriteSettings(w, r);
  uint64_t total = 0, unexpected = 0, server_errors = 0;
  w.Key("operations");
  w.StartObject();
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& op = r.stats.ops[i];
    if (op.Count() == 0) continue;
    total += op.Count();
    unexpected += op.unexpected.load();
    server_errors += ServerErrors(op);
    w.Key(OpName(static_cast<Op>(i)));
    WriteOperation(w, op, r.elapsed);
  }
  w.EndObject();
  w.Key("totals");
  w.StartObject();
  w.Field("count", total);
  w.Field("rps", static_cast<double>(total) / r.elapsed.count());
  w.Field("unexpected", unexpected);
  w.Field("server_errors", server_errors);
  w.Field("connection_failures", r.stats.connect_failures.load());
  w.Field("not_sent", r.stats.not_sent.load());
  w.EndObject();
  WriteFailover(w, r);
  WriteAudit(w, r.audit);
  w.Field("ok", !Failed(r));
  w.EndObject();
  return w.Take() + "\n";
}

bool Failed(const Report& r) {
  // Open loop: arrivals never sent got no answer either (the server fell behind).
  uint64_t bad = r.stats.Unexpected() + r.stats.not_sent.load();
  for (const OpStats& op : r.stats.ops) bad += ServerErrors(op);
  return bad > 0 || r.stats.Count() == 0 || (r.audit && !r.audit->ok);
}

}  // namespace ecomm::load
