#include "stats_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ecomm::stats {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void String(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string Text(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string TopJson(const std::vector<TopEntry>& top) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartArray();
  for (const TopEntry& entry : top) {
    w.StartObject();
    w.Key("productId");
    String(w, entry.product_id);
    w.Key("name");
    String(w, entry.name);
    w.Key("price");
    w.Int64(entry.price);
    w.Key("totalSales");
    w.Int64(entry.total_sales);
    w.EndObject();
  }
  w.EndArray();
  return Text(buffer);
}

std::string HealthJson(const Health& health) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("status");
  w.String("ok");
  w.Key("partitions");
  w.StartArray();
  for (int32_t p : health.partitions) w.Int(p);
  w.EndArray();
  w.Key("caughtUp");
  w.Bool(health.caught_up);
  w.Key("clock");
  if (health.clock) {
    String(w, FormatTime(*health.clock));
  } else {
    w.Null();
  }
  w.Key("appliedEvents");
  w.Uint64(health.counts.applied);
  w.Key("duplicateEvents");
  w.Uint64(health.counts.duplicate);
  w.Key("expiredEvents");
  w.Uint64(health.counts.expired);
  w.Key("malformedEvents");
  w.Uint64(health.malformed);
  w.Key("trackedOrders");
  w.Uint64(health.tracked_orders);
  w.EndObject();
  return Text(buffer);
}

}  // namespace ecomm::stats
