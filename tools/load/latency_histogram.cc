#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ecomm::load {

// Values below kSub have a bucket each. A larger value v with its top bit at position
// p >= kSubBits falls in magnitude m = p - kSubBits + 1, whose 32 buckets split
// [2^p, 2^(p+1)) evenly by the kSubBits - 1 bits after the top one.
int LatencyHistogram::BucketOf(uint64_t micros) {
  if (micros < kSub) return static_cast<int>(micros);
  int top = std::bit_width(micros) - 1;
  int magnitude = top - kSubBits + 1;
  if (magnitude > kMagnitudes) return kBuckets - 1;
  int sub = static_cast<int>((micros >> (top - kSubBits + 1)) & (kSub / 2 - 1));
  return kSub + (magnitude - 1) * (kSub / 2) + sub;
}

uint64_t LatencyHistogram::UpperBound(int bucket) {
  if (bucket < kSub) return static_cast<uint64_t>(bucket);
  int magnitude = (bucket - kSub) / (kSub / 2) + 1;
  int sub = (bucket - kSub) % (kSub / 2);
  int shift = magnitude;  // the width of one sub-bucket is 2^shift
  uint64_t low = (uint64_t{kSub / 2} + static_cast<uint64_t>(sub)) << shift;
  return low + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::Record(uint64_t micros) {
  counts_[static_cast<size_t>(BucketOf(micros))].fetch_add(1, std::memory_order_relaxed);
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (micros > seen && !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) {
    counts_[i].fetch_add(other.counts_[i].load(std::memory_order_relaxed),
                         std::memory_order_relaxed);
  }
  uint64_t theirs = other.MaxMicros();
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (theirs > seen && !max_.compare_exchange_weak(seen, theirs, std::memory_order_relaxed)) {
  }
}

uint64_t LatencyHistogram::Count() const {
  uint64_t n = 0;
  for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
  return n;
}

uint64_t LatencyHistogram::PercentileMicros(double fraction) const {
  uint64_t total = Count();
  if (total == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<size_t>(b)].load(std::memory_order_relaxed);
    // The last bucket has no upper bound of its own: the largest sample bounds it.
    if (seen >= rank) return b == kBuckets - 1 ? MaxMicros() : std::min(UpperBound(b), MaxMicros());
  }
  return MaxMicros();
}

}  // namespace ecomm::load
