#include "steady_orders.h"

#include "ecomm/json_writer.h"

namespace ecomm::bench {

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

double PercentileMs(const Histogram& us, double p) {
  return static_cast<double>(us.Percentile(p)) / 1000;
}

std::string OrderBody(const std::string& user, const std::string& product) {
  JsonWriter w;
  w.StartObject();
  w.Field("userId", user);
  w.Key("items");
  w.StartArray();
  w.StartObject();
  w.Field("productId", product);
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
