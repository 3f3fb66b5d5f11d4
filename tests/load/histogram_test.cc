#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "latency_histogram.h"

namespace ecomm::load {

TEST_CASE("latency histogram: exact below 64 us, within 1/32 above, max exact") {
  LatencyHistogram h;
  CHECK(h.Count() == 0);
  CHECK(h.PercentileMicros(0.99) == 0);
  for (uint64_t v = 1; v <= 50; ++v) h.Record(v);
  CHECK(h.Count() == 50);
  CHECK(h.PercentileMicros(0.5) == 25);
  CHECK(h.PercentileMicros(1.0) == 50);
  CHECK(h.MaxMicros() == 50);

  std::mt19937_64 random(5);
  std::vector<uint64_t> samples;
  LatencyHistogram wide;
  for (int i = 0; i < 100'000; ++i) {
    // log-uniform from 1 us to about 100 s
    uint64_t v =
        static_cast<uint64_t>(std::exp(std::uniform_real_distribution<double>(0, 18.4)(random)));
    samples.push_back(v);
    wide.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {0.5, 0.9, 0.99, 0.999}) {
    CAPTURE(p);
    uint64_t exact = samples[static_cast<size_t>(std::ceil(p * samples.size())) - 1];
    uint64_t approx = wide.PercentileMicros(p);
    CHECK(approx >= exact);                   // a bucket's upper bound: never optimistic
    CHECK(approx <= exact + exact / 32 + 1);  // and at most 1/32 above
  }
  CHECK(wide.MaxMicros() == samples.back());
  CHECK(wide.PercentileMicros(1.0) == samples.back());
}

TEST_CASE("latency histogram: huge values land in the last bucket; merge adds counts") {
  LatencyHistogram a, b;
  a.Record(uint64_t{1} << 40);  // 12 days
  b.Record(10);
  b.Record(1000);
  a.Merge(b);
  CHECK(a.Count() == 3);
  CHECK(a.MaxMicros() == uint64_t{1} << 40);
  CHECK(a.PercentileMicros(0.33) == 10);
  CHECK(a.PercentileMicros(0.66) >= 1000);
  CHECK(a.PercentileMicros(0.66) <= 1000 + 1000 / 32);
  CHECK(a.PercentileMicros(1.0) == uint64_t{1} << 40);
}

}  // namespace ecomm::load
