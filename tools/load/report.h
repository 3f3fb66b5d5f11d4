#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "audit.h"
#include "load_options.h"
#include "run_stats.h"

namespace ecomm::load {

struct Report {
  const LoadOptions& options;
  const RunStats& stats;
  std::chrono::duration<double> elapsed;
  std::optional<AuditResult> audit;  // none with --no-audit
  std::string target;                // what was driven: the URL, or "embedded"
};

// The table a person reads: per operation count, req/s, percentiles, statuses.
std::string RenderTable(const Report& report);
// SPEC.md "Programs and flags": {"operations": {...}, "audit": {...}} plus settings and
// totals.
std::string RenderJson(const Report& report);
// Answers of the wrong class, 5xx, no answers, arrivals never sent, or a failed audit.
bool Failed(const Report& report);

}  // namespace ecomm::load
