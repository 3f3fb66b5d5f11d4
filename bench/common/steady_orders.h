#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli_flags.h"
#include "ecomm/histogram.h"

// What the benchmarks that send orders on a steady schedule share (lag_bench,
// follower_lag_bench): the order they send, the fields they read back from its answer,
// and the clock arithmetic of their reports.
namespace ecomm::bench {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d);
uint64_t Micros(Clock::duration d);
// The p-th percentile of a histogram of microseconds, in milliseconds.
double PercentileMs(const Histogram& us, double p);

// Orders at a steady `rate` a second from `threads` client threads, each thread on its
// own schedule of intended send times (staggered by 1/rate, so that together they send
// evenly), so a slow answer makes the next sends late but never fewer. The first
// `warmup` seconds of orders are sent but not counted; then `seconds` are. Each order is
// one unit of one of bench/shop.sh's products bench-p0.. for one of its users bench0...
class OrderSchedule {
 public:
  explicit OrderSchedule(int threads) : threads_(threads) {}

  // --rate, --seconds, --warmup, --threads, --users, --products.
  void AddFlags(CLI::App& app);
  // Fixes the times: the warm-up begins 100 ms from now.
  void Begin();

  double rate() const { return rate_; }
  int threads() const { return threads_; }
  // Orders each thread sends.
  int PerThread() const;
  // When thread `t` is to send its `k`-th order.
  Clock::time_point Intended(int t, int k) const;
  // Whether an order intended then is counted (after the warm-up).
  bool Counted(Clock::time_point intended) const { return intended >= start_; }
  // The end of the warm-up.
  Clock::time_point start() const { return start_; }
  // POST /order's body for thread `t`'s `k`-th order.
  std::string Body(int t, int k) const;

 private:
  double rate_ = 5000;
  int seconds_ = 20;
  int warmup_ = 2;
  int threads_;
  int users_ = 200;
  int products_ = 10;
  Clock::time_point warm_;
  Clock::time_point start_;
};
// The first string field `name` of the server's compact JSON (an answer or an event),
// empty when absent.
std::string JsonString(std::string_view json, std::string_view name);

}  // namespace ecomm::bench
