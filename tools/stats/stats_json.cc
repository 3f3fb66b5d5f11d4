#include "stats_json.h"

#include "ecomm/json_writer.h"

namespace ecomm::stats {

std::string TopJson(const std::vector<TopSeller>& top) {
  JsonWriter w;
  w.StartArray();
  for (const TopSeller& entry : top) Write(w, entry);
  w.EndArray();
  return w.Take();
}

std::string HealthJson(const Health& health) {
  JsonWriter w;
  w.StartObject();
  w.Field("status", "ok");
  w.Key("partitions");
  w.StartArray();
  for (int32_t p : health.partitions) w.Int(p);
  w.EndArray();
  w.Field("caughtUp", health.caught_up);
  w.Key("clock");
  if (health.clock) {
    w.String(FormatTime(*health.clock));
  } else {
    w.Null();
  }
  w.Field("appliedEvents", health.counts.applied);
  w.Field("duplicateEvents", health.counts.duplicate);
  w.Field("expiredEvents", health.counts.expired);
  w.Field("malformedEvents", health.malformed);
  w.Field("trackedOrders", health.tracked_orders);
  w.EndObject();
  return w.Take();
}

}  // namespace ecomm::stats
