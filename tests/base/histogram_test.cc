#include "ecomm/histogram.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>
#include <vector>

namespace ecomm {

namespace {

// The inclusive upper bound of the bucket `value` falls in.
uint64_t BoundOf(int precision, uint64_t value) {
  Histogram h(precision);
  h.Record(value);
  uint64_t bound = 0;
  h.ForEachBucket([&](uint64_t upper, uint64_t) { bound = upper; });
  return bound;
}

}  // namespace

TEST_CASE("histogram: exact below 64, within 1/32 above, max exact (fine)") {
  Histogram h(Histogram::kFine);
  CHECK(h.Count() == 0);
  CHECK(h.Percentile(0.99) == 0);
  for (uint64_t v = 1; v <= 50; ++v) h.Record(v);
  CHECK(h.Count() == 50);
  CHECK(h.Sum() == 50 * 51 / 2);
  CHECK(h.Percentile(0.5) == 25);
  CHECK(h.Percentile(1.0) == 50);
  CHECK(h.Percentile(0.0) == 1);  // the rank is at least the first sample's
  CHECK(h.Max() == 50);

  std::mt19937_64 random(5);
  std::vector<uint64_t> samples;
  Histogram wide(Histogram::kFine);
  for (int i = 0; i < 100'000; ++i) {
    // log-uniform from 1 to about 10^8
    uint64_t v =
        static_cast<uint64_t>(std::exp(std::uniform_real_distribution<double>(0, 18.4)(random)));
    samples.push_back(v);
    wide.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {0.5, 0.9, 0.99, 0.999}) {
    CAPTURE(p);
    uint64_t exact = samples[static_cast<size_t>(std::ceil(p * samples.size())) - 1];
    uint64_t approx = wide.Percentile(p);
    CHECK(approx >= exact);                   // a bucket's upper bound: never optimistic
    CHECK(approx <= exact + exact / 32 + 1);  // and at most 1/32 above
  }
  CHECK(wide.Max() == samples.back());
  CHECK(wide.Percentile(1.0) == samples.back());
}

TEST_CASE(
    "histogram: each bucket's bound is within its precision, and the next value starts "
    "the next bucket") {
  for (int precision : {Histogram::kCoarse, Histogram::kFine}) {
    CAPTURE(precision);
    const uint64_t exact_below = uint64_t{2} << precision;
    // Every value up to 3000, and those around each power of two above.
    std::vector<uint64_t> values;
    for (uint64_t v = 0; v < 3000; ++v) values.push_back(v);
    for (int bit = 12; bit < 64; ++bit) {
      uint64_t power = uint64_t{1} << bit;
      for (uint64_t v : {power - 1, power, power + 1, power + power / 3}) values.push_back(v);
    }
    for (uint64_t v : values) {
      CAPTURE(v);
      uint64_t bound = BoundOf(precision, v);
      if (v < exact_below) {
        REQUIRE(bound == v);
        continue;
      }
      REQUIRE(bound >= v);
      REQUIRE(bound - v < (v >> precision));
      // The bound shares v's bucket; the value after it does not.
      Histogram pair(precision);
      pair.Record(v);
      pair.Record(bound);
      pair.Record(bound + 1);
      std::vector<uint64_t> bounds;
      pair.ForEachBucket([&](uint64_t upper, uint64_t) { bounds.push_back(upper); });
      REQUIRE(bounds.size() == 2);
      REQUIRE(bounds[0] == bound);
    }
  }
  // The bounds /metrics has always exposed (8 buckets per power of two).
  CHECK(BoundOf(Histogram::kCoarse, 15) == 15);
  CHECK(BoundOf(Histogram::kCoarse, 16) == 17);
  CHECK(BoundOf(Histogram::kCoarse, 100) == 103);
  CHECK(BoundOf(Histogram::kCoarse, 1'000'000) == 1'048'575);
}

TEST_CASE("histogram: the whole uint64_t range, merge adds counts") {
  constexpr uint64_t kTop = std::numeric_limits<uint64_t>::max();
  CHECK(BoundOf(Histogram::kFine, kTop) == kTop);
  CHECK(BoundOf(Histogram::kCoarse, kTop) == kTop);
  CHECK(BoundOf(Histogram::kFine, uint64_t{1} << 63) ==
        (uint64_t{1} << 63) + (uint64_t{1} << 58) - 1);

  Histogram a(Histogram::kFine), b(Histogram::kFine);
  a.Record(uint64_t{1} << 40);  // 12 days in microseconds
  b.Record(10);
  b.Record(1000);
  a.Merge(b);
  CHECK(a.Count() == 3);
  CHECK(a.Sum() == (uint64_t{1} << 40) + 1010);
  CHECK(a.Max() == uint64_t{1} << 40);
  CHECK(a.Percentile(0.33) == 10);
  CHECK(a.Percentile(0.66) >= 1000);
  CHECK(a.Percentile(0.66) <= 1000 + 1000 / 32);
  CHECK(a.Percentile(1.0) == uint64_t{1} << 40);
}

TEST_CASE("histogram: a reading subtracted leaves what was recorded since") {
  Histogram h(Histogram::kCoarse);
  for (uint64_t v = 1; v <= 1000; ++v) h.Record(v);
  Histogram before = h;
  CHECK(before.Count() == 1000);
  for (int i = 0; i < 10; ++i) h.Record(5000);
  Histogram window = h;
  window.Subtract(before);
  CHECK(window.Count() == 10);
  CHECK(window.Sum() == 50'000);
  CHECK(window.Percentile(0.5) >= 5000);
  CHECK(window.Percentile(0.5) <= 5000 + 5000 / 8);
  CHECK(h.Count() == 1010);  // the histogram read is untouched
}

TEST_CASE("histogram: threads record at once, nothing is lost") {
  Histogram h(Histogram::kCoarse);
  constexpr int kThreads = 4;
  constexpr uint64_t kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (uint64_t i = 0; i < kEach; ++i) h.Record(i * kThreads + static_cast<uint64_t>(t));
    });
  }
  for (std::thread& thread : threads) thread.join();
  constexpr uint64_t kAll = kThreads * kEach;
  CHECK(h.Count() == kAll);
  CHECK(h.Sum() == kAll * (kAll - 1) / 2);
  CHECK(h.Max() == kAll - 1);
}

}  // namespace ecomm
