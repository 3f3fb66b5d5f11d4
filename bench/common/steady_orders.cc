#include "steady_orders.h"

#include <algorithm>
#include <limits>

#include "ecomm/json_writer.h"

namespace ecomm::bench {

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

double PercentileMs(const Histogram& us, double p) {
  return static_cast<double>(us.Percentile(p)) / 1000;
}

void OrderSchedule::AddFlags(CLI::App& app) {
  using tools::AddNumber;
  AddNumber(app, "--rate", &rate_, 1.0, 1'000'000.0, "orders per second, on a fixed schedule");
  AddNumber(app, "--seconds", &seconds_, 1, 86'400, "seconds of orders counted");
  AddNumber(app, "--warmup", &warmup_, 0, 3600, "seconds of orders sent first, not counted");
  AddNumber(app, "--threads", &threads_, 1, 4096, "client threads");
  AddNumber(app, "--users", &users_, 1, 1'000'000, "users bench0.. the orders spread over");
  AddNumber(app, "--products", &products_, 1, 1'000'000, "products bench-p0.. ordered");
}

void OrderSchedule::Begin() {
  warm_ = Clock::now() + std::chrono::milliseconds(100);
  start_ = warm_ + std::chrono::seconds(warmup_);
}

int OrderSchedule::PerThread() const {
  // The flags' largest (a million a second for a day) would overflow an int.
  double each = rate_ * (warmup_ + seconds_) / threads_;
  return static_cast<int>(std::min(each, static_cast<double>(std::numeric_limits<int>::max())));
}

Clock::time_point OrderSchedule::Intended(int t, int k) const {
  auto offset = std::chrono::duration<double>(t / rate_);
  auto interval = std::chrono::duration<double>(threads_ / rate_);
  return warm_ + std::chrono::duration_cast<Clock::duration>(offset + k * interval);
}

std::string OrderSchedule::Body(int t, int k) const {
  JsonWriter w;
  w.StartObject();
  // In 64 bits: t (up to 4096) times the prime, plus k (up to an int), fits with room.
  int64_t spread = static_cast<int64_t>(t) * 7919 + k;
  w.Field("userId", "bench" + std::to_string(spread % users_));
  w.Key("items");
  w.StartArray();
  w.StartObject();
  w.Field("productId", "bench-p" + std::to_string(k % products_));
  w.Field("quantity", 1);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string JsonString(std::string_view json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  size_t at = json.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  size_t end = json.find('"', at);
  return end == std::string_view::npos ? std::string() : std::string(json.substr(at, end - at));
}

}  // namespace ecomm::bench
