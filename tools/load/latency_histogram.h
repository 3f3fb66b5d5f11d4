#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace ecomm::load {

// Latencies in microseconds, HdrHistogram-style: exact below 64 us, and above that in
// 32 sub-buckets per power of two (a percentile is at most 1/32 = 3.1 % too high), up
// to 2^33 us (2.4 hours); anything longer lands in the last bucket. Constant memory whatever the
// number of samples. Record is lock-free (one thread records, others may read at any
// time, for the progress line); Merge folds another histogram in.
class LatencyHistogram {
 public:
  void Record(uint64_t micros);
  void Merge(const LatencyHistogram& other);

  uint64_t Count() const;
  uint64_t MaxMicros() const { return max_.load(std::memory_order_relaxed); }
  // The smallest bucket bound at or above `fraction` (0..1] of the samples; 0 if none.
  uint64_t PercentileMicros(double fraction) const;

 private:
  static constexpr int kSubBits = 6;  // exact below 2^6
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMagnitudes = 33 - kSubBits;  // powers of two from 2^6 to 2^32
  static constexpr int kBuckets = kSub + kMagnitudes * (kSub / 2);

  static int BucketOf(uint64_t micros);
  static uint64_t UpperBound(int bucket);

  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> max_{0};
};

}  // namespace ecomm::load
