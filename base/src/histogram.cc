#include "ecomm/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "ecomm/invariant.h"

namespace ecomm {

namespace {

// The layout, with S = 2^precision buckets per power of two: values below 2S have a
// bucket each; a larger value, its top bit at position t > precision, falls in the
// (t - precision)th power of two past 2S, whose S buckets split [2^t, 2^(t+1)) evenly by
// the `precision` bits after the top one. Up to 2^63: 2S + (63 - precision) * S buckets.
size_t BucketCount(int precision) {
  ECOMM_INVARIANT(precision >= 1 && precision <= 10, "a histogram's precision is 1 to 10 bits");
  return static_cast<size_t>(65 - precision) << precision;
}

}  // namespace

Histogram::Histogram(int precision)
    : precision_(precision),
      buckets_(BucketCount(precision)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(buckets_)) {}

Histogram::Histogram(const Histogram& other) : Histogram(other.precision_) { Merge(other); }

size_t Histogram::BucketOf(uint64_t value) const {
  const uint64_t s = uint64_t{1} << precision_;
  if (value < 2 * s) return static_cast<size_t>(value);
  int shift = std::bit_width(value) - 1 - precision_;
  return static_cast<size_t>(2 * s + static_cast<uint64_t>(shift - 1) * s + (value >> shift) - s);
}

uint64_t Histogram::UpperBound(size_t bucket) const {
  const uint64_t s = uint64_t{1} << precision_;
  if (bucket < 2 * s) return bucket;
  uint64_t past = bucket - 2 * s;
  int shift = static_cast<int>(past >> precision_) + 1;  // a bucket is 2^shift wide
  uint64_t low = (s + (past & (s - 1))) << shift;
  return low + ((uint64_t{1} << shift) - 1);  // in this order: the last bound is 2^64 - 1
}

void Histogram::RaiseMax(uint64_t value) {
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

void Histogram::Record(uint64_t value) {
  counts_[BucketOf(value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  RaiseMax(value);
}

void Histogram::Merge(const Histogram& other) {
  ECOMM_INVARIANT(other.precision_ == precision_, "merged histograms share their buckets");
  for (size_t i = 0; i < buckets_; ++i) {
    counts_[i].fetch_add(other.counts_[i].load(std::memory_order_relaxed),
                         std::memory_order_relaxed);
  }
  sum_.fetch_add(other.Sum(), std::memory_order_relaxed);
  RaiseMax(other.Max());
}

void Histogram::Subtract(const Histogram& earlier) {
  ECOMM_INVARIANT(earlier.precision_ == precision_, "subtracted histograms share their buckets");
  for (size_t i = 0; i < buckets_; ++i) {
    uint64_t then = earlier.counts_[i].load(std::memory_order_relaxed);
    ECOMM_INVARIANT(then <= counts_[i].load(std::memory_order_relaxed),
                    "a histogram subtracts an earlier reading of itself");
    counts_[i].fetch_sub(then, std::memory_order_relaxed);
  }
  sum_.fetch_sub(earlier.Sum(), std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  uint64_t n = 0;
  for (size_t i = 0; i < buckets_; ++i) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

uint64_t Histogram::Percentile(double fraction) const {
  uint64_t total = Count();
  if (total == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_; ++i) {
    seen += counts_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(UpperBound(i), Max());
  }
  return Max();  // not reached: counts only grow while this reads them
}

}  // namespace ecomm
