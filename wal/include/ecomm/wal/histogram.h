#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace ecomm::wal {

// A lock-free latency histogram: 8 buckets per power of two, so a percentile is
// exact to within 12.5%. Values are in any unit the caller picks (microseconds here).
class Histogram {
 public:
  void Record(uint64_t value);
  uint64_t Count() const;
  uint64_t Sum() const { return sum_.load(std::memory_order_relaxed); }
  // The upper bound of the bucket holding the p-th percentile (0 < p <= 100).
  uint64_t Percentile(double p) const;
  uint64_t Max() const { return max_.load(std::memory_order_relaxed); }
  // Calls fn(upper_bound, cumulative_count) for each non-empty bucket, ascending.
  template <class Fn>
  void ForEachBucket(Fn&& fn) const {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      uint64_t n = buckets_[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      cumulative += n;
      fn(UpperBound(i), cumulative);
    }
  }

 private:
  static constexpr size_t kSubBuckets = 8;
  static constexpr size_t kBuckets = 64 * kSubBuckets;
  static size_t BucketOf(uint64_t value);
  static uint64_t UpperBound(size_t bucket);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

}  // namespace ecomm::wal
