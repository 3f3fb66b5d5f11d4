#include "ecomm/wal/histogram.h"

#include <bit>
#include <cmath>

namespace ecomm::wal {

size_t Histogram::BucketOf(uint64_t value) {
  if (value < kSubBuckets) return static_cast<size_t>(value);
  int octave = std::bit_width(value) - 1;  // value in [2^octave, 2^(octave+1))
  size_t sub = static_cast<size_t>((value >> (octave - 3)) & (kSubBuckets - 1));
  size_t bucket = static_cast<size_t>(octave - 2) * kSubBuckets + sub;
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

uint64_t Histogram::UpperBound(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  size_t octave = bucket / kSubBuckets + 2;
  uint64_t sub = bucket % kSubBuckets;
  return ((kSubBuckets + sub + 1) << (octave - 3)) - 1;
}

void Histogram::Record(uint64_t value) {
  buckets_[BucketOf(value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::Count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

uint64_t Histogram::Percentile(double p) const {
  uint64_t total = Count();
  if (total == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  uint64_t result = 0;
  bool found = false;
  ForEachBucket([&](uint64_t upper, uint64_t cumulative) {
    if (!found && cumulative >= rank) {
      result = upper;
      found = true;
    }
  });
  return result;
}

}  // namespace ecomm::wal
