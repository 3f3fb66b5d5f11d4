#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

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

// POST /order's body: one unit of `product` for `user`.
std::string OrderBody(const std::string& user, const std::string& product);
// The first string field `name` of the server's compact JSON (an answer or an event),
// empty when absent.
std::string JsonString(std::string_view json, std::string_view name);

}  // namespace ecomm::bench
