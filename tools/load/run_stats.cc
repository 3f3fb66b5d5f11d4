#include "run_stats.h"

namespace ecomm::load {

void OpStats::Merge(const OpStats& other) {
  latency.Merge(other.latency);
  for (size_t i = 0; i < statuses.size(); ++i) {
    statuses[i].fetch_add(other.statuses[i].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  unexpected.fetch_add(other.unexpected.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

std::map<int, uint64_t> OpStats::StatusCounts() const {
  std::map<int, uint64_t> counts;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (uint64_t n = statuses[i].load(std::memory_order_relaxed); n > 0) {
      counts[static_cast<int>(i)] = n;
    }
  }
  return counts;
}

void RunStats::Merge(const RunStats& other) {
  for (size_t i = 0; i < ops.size(); ++i) ops[i].Merge(other.ops[i]);
  connect_failures += other.connect_failures.load();
  not_sent += other.not_sent.load();
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

}  // namespace ecomm::load
