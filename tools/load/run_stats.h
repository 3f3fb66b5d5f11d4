#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "ecomm/histogram.h"
#include "load_options.h"

namespace ecomm::load {

// The 409 answers a run expects, which the report counts by code: an order recorded
// FAILED, a flash crowd's refusals, a coupon a concurrent order used first.
inline constexpr std::array<std::string_view, 5> kConflictCodes = {
    "INSUFFICIENT_BALANCE", "OUT_OF_STOCK", "COUPON_SOLD_OUT", "COUPON_ALREADY_ISSUED",
    "COUPON_NOT_USABLE"};

// Per operation: latencies, answers by status (0: no answer) and the expected 409s by
// code, and how many were not of the class the request expected. Recorded by one
// client thread, readable any time.
struct OpStats {
  static constexpr int kStatuses = 600;
  Histogram latency{Histogram::kFine};  // microseconds
  std::array<std::atomic<uint64_t>, kStatuses> statuses{};
  std::array<std::atomic<uint64_t>, kConflictCodes.size()> conflicts{};
  std::atomic<uint64_t> unexpected{0};

  void Merge(const OpStats& other);
  uint64_t Count() const { return latency.Count(); }
  std::map<int, uint64_t> StatusCounts() const;
  // A settled answer's status and body: a 409 whose code is one of kConflictCodes counts.
  void NoteConflict(int status, std::string_view body);
  std::map<std::string_view, uint64_t> ConflictCounts() const;
};

// Requests that went to another replica or were sent again (several --url replicas).
// Only a request's last answer is in its OpStats then; the answers that led to a retry
// are counted here instead, so a failover shows without failing the run.
struct FailoverStats {
  std::atomic<uint64_t> moves{0};    // a client switched replicas
  std::atomic<uint64_t> retries{0};  // attempts after a request's first, moved or not
  std::array<std::atomic<uint64_t>, OpStats::kStatuses> retried_statuses{};  // 0: no answer

  void Merge(const FailoverStats& other);
  std::map<int, uint64_t> RetriedStatusCounts() const;
};

struct RunStats {
  std::array<OpStats, kOpCount> ops;
  std::atomic<uint64_t> connect_failures{0};
  std::atomic<uint64_t> not_sent{0};  // open loop: arrivals still queued at the end
  FailoverStats failover;

  void Merge(const RunStats& other);
  uint64_t Count() const;
  uint64_t Unexpected() const;
};

// Sleeps until `end`; with `print`, writes a line to stderr each second from `start`:
// the requests of that second, the unexpected answers so far, the p99 so far.
void ShowProgress(const std::vector<const RunStats*>& sources,
                  std::chrono::steady_clock::time_point start,
                  std::chrono::steady_clock::time_point end, bool print);

}  // namespace ecomm::load
