#include "run_stats.h"

#include <cstdio>
#include <thread>

#include "replica_set.h"

namespace ecomm::load {

void OpStats::Merge(const OpStats& other) {
  latency.Merge(other.latency);
  for (size_t i = 0; i < statuses.size(); ++i) {
    statuses[i].fetch_add(other.statuses[i].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  for (size_t i = 0; i < conflicts.size(); ++i) {
    conflicts[i].fetch_add(other.conflicts[i].load(std::memory_order_relaxed),
                           std::memory_order_relaxed);
  }
  unexpected.fetch_add(other.unexpected.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

void OpStats::NoteConflict(int status, std::string_view body) {
  if (status != 409) return;
  std::string code = ProblemCode(body);
  for (size_t i = 0; i < kConflictCodes.size(); ++i) {
    if (code == kConflictCodes[i]) conflicts[i].fetch_add(1, std::memory_order_relaxed);
  }
}

std::map<std::string_view, uint64_t> OpStats::ConflictCounts() const {
  std::map<std::string_view, uint64_t> counts;
  for (size_t i = 0; i < conflicts.size(); ++i) {
    if (uint64_t n = conflicts[i].load(std::memory_order_relaxed); n > 0) {
      counts[kConflictCodes[i]] = n;
    }
  }
  return counts;
}

namespace {

std::map<int, uint64_t> NonZero(const std::array<std::atomic<uint64_t>, OpStats::kStatuses>& a) {
  std::map<int, uint64_t> counts;
  for (size_t i = 0; i < a.size(); ++i) {
    if (uint64_t n = a[i].load(std::memory_order_relaxed); n > 0) counts[static_cast<int>(i)] = n;
  }
  return counts;
}

}  // namespace

std::map<int, uint64_t> OpStats::StatusCounts() const { return NonZero(statuses); }

void FailoverStats::Merge(const FailoverStats& other) {
  moves += other.moves.load();
  retries += other.retries.load();
  for (size_t i = 0; i < retried_statuses.size(); ++i) {
    retried_statuses[i].fetch_add(other.retried_statuses[i].load(std::memory_order_relaxed),
                                  std::memory_order_relaxed);
  }
}

std::map<int, uint64_t> FailoverStats::RetriedStatusCounts() const {
  return NonZero(retried_statuses);
}

void RunStats::Merge(const RunStats& other) {
  for (size_t i = 0; i < ops.size(); ++i) ops[i].Merge(other.ops[i]);
  connect_failures += other.connect_failures.load();
  not_sent += other.not_sent.load();
  failover.Merge(other.failover);
}

uint64_t RunStats::Count() const {
  uint64_t n = 0;
  for (const OpStats& op : ops) n += op.Count();
  return n;
}

uint64_t RunStats::Unexpected() const {
  uint64_t n = 0;
  for (const OpStats& op : ops) n += op.unexpected.load(std::memory_order_relaxed);
  return n;
}

void ShowProgress(const std::vector<const RunStats*>& sources,
                  std::chrono::steady_clock::time_point start,
                  std::chrono::steady_clock::time_point end, bool print) {
  uint64_t last_count = 0;
  for (int second = 1; std::chrono::steady_clock::now() < end; ++second) {
    std::this_thread::sleep_until(std::min(end, start + std::chrono::seconds(second)));
    if (!print) continue;
    RunStats now;
    for (const RunStats* s : sources) now.Merge(*s);
    Histogram all(Histogram::kFine);
    for (const OpStats& op : now.ops) all.Merge(op.latency);
    uint64_t count = now.Count();
    std::fprintf(stderr, "[%3ds] %8llu req/s  unexpected %llu  p99 so far %.2f ms\n", second,
                 static_cast<unsigned long long>(count - last_count),
                 static_cast<unsigned long long>(now.Unexpected()),
                 static_cast<double>(all.Percentile(0.99)) / 1000.0);
    last_count = count;
  }
}

}  // namespace ecomm::load
