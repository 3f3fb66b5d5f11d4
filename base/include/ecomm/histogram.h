#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ecomm {

// Counts of non-negative integers (latencies in any unit, batch sizes) in log-linear
// buckets, HdrHistogram-style: with 2^p buckets per power of two, values below 2^(p+1)
// have a bucket each and a larger one shares its bucket with less than 1/2^p of its
// value, over the whole uint64_t range; constant memory whatever the number of samples.
// Record is lock-free and may run on any number of threads while others read; a
// reading made meanwhile (a copy, Percentile, ForEachBucket) sees each bucket as it was
// at some moment of the read, not all of them at one.
class Histogram {
 public:
  // 8 buckets per power of two, a percentile within 12.5 %: what /metrics exposes, where
  // each bucket bound is a series of its own.
  static constexpr int kCoarse = 3;
  // 32 buckets per power of two, within 3.1 %: what ecomm-load reports.
  static constexpr int kFine = 5;

  explicit Histogram(int precision);
  // A reading of `other`, for comparing with a later one (Subtract).
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram&) = delete;

  void Record(uint64_t value);
  // Adds the samples of `other`, of the same precision (a thread's own histogram into
  // the total).
  void Merge(const Histogram& other);
  // Leaves the samples recorded since `earlier`, a reading of this same histogram. Max()
  // stays the largest of all samples, which still bounds those left.
  void Subtract(const Histogram& earlier);

  uint64_t Count() const;
  uint64_t Sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t Max() const { return max_.load(std::memory_order_relaxed); }
  // The one percentile rule: the upper bound of the bucket that holds the sample of rank
  // ceil(fraction * Count()) (at least the first), but never above Max(). So a figure is
  // never below the exact one, and above it by less than a bucket's width. 0 if empty;
  // `fraction` in [0, 1].
  uint64_t Percentile(double fraction) const;

  // Calls fn(upper_bound, cumulative_count) for each non-empty bucket, ascending; the
  // bound is inclusive.
  template <class Fn>
  void ForEachBucket(Fn&& fn) const {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_; ++i) {
      uint64_t n = counts_[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      cumulative += n;
      fn(UpperBound(i), cumulative);
    }
  }

 private:
  size_t BucketOf(uint64_t value) const;
  uint64_t UpperBound(size_t bucket) const;
  void RaiseMax(uint64_t value);

  int precision_;
  size_t buckets_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

}  // namespace ecomm
