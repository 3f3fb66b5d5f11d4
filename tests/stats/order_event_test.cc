// Decoding the orders topic's records (SPEC "Data platform") and their RFC 3339 times.
#include "order_event.h"

#include <doctest/doctest.h>

#include <string>

namespace ecomm::stats {

namespace {

constexpr char kPlaced[] =
    R"({"eventType":"ORDER_PLACED","orderId":"o-1","userId":"u-1",)"
    R"("items":[{"productId":"p-1","name":"Mug","quantity":2,"price":1500},)"
    R"({"productId":"p-2","name":"Pen","quantity":1,"price":300}],"totalPrice":3300,)"
    R"("orderStatus":"SUCCESS","orderDate":"2026-11-30T12:34:56.789Z",)"
    R"("occurredAt":"2026-11-30T12:34:56.789Z","lsn":42})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

bool Rejects(const std::string& json) {
  std::string error;
  bool rejected = !DecodeOrderEvent(json, &error);
  if (rejected) CHECK_FALSE(error.empty());
  return rejected;
}

}  // namespace

TEST_CASE("RFC 3339 UTC times parse to epoch milliseconds and format back") {
  CHECK(ParseTime("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseTime("1970-01-01T00:00:00.001Z") == 1);
  CHECK(ParseTime("2026-11-30T12:34:56.789Z") == 1'796'042'096'789);
  CHECK(ParseTime("2026-11-30T12:34:56.7Z") == 1'796'042'096'700);
  CHECK(ParseTime("2026-11-30T12:34:56.789999Z") == 1'796'042'096'789);  // truncated
  CHECK(ParseTime("2028-02-29T00:00:00Z").has_value());                  // leap day
  CHECK(ParseTime("1969-12-31T23:59:59.999Z") == -1);
  CHECK(FormatTime(1'796'042'096'789) == "2026-11-30T12:34:56.789Z");
  CHECK(FormatTime(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatTime(*ParseTime("2028-02-29T23:59:59.000Z")) == "2028-02-29T23:59:59.000Z");
  CHECK(MinuteOf(-1) == -1);
  CHECK(MinuteOf(59'999) == 0);
}

TEST_CASE("times that are not RFC 3339 UTC are refused") {
  for (const char* bad : {"", "2026-11-30", "2026-11-30T12:34:56", "2026-11-30T12:34:56+00:00",
                          "2026-11-30 12:34:56Z", "2026-11-30T12:34:56.Z", "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-30T24:00:00Z",
                          "2026-11-30T12:60:00Z", "2026-11-30T12:00:60Z", "2026-11-30T12:34:56ZZ",
                          "２026-11-30T12:34:56Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTime(bad));
  }
}

TEST_CASE("an event of the contract decodes") {
  std::string error;
  std::optional<OrderEvent> event = DecodeOrderEvent(kPlaced, &error);
  REQUIRE_MESSAGE(event, error);
  CHECK(event->type == EventType::kPlaced);
  CHECK(event->order_id == "o-1");
  CHECK(event->order_date == *ParseTime("2026-11-30T12:34:56.789Z"));
  CHECK(event->occurred_at == event->order_date);
  REQUIRE(event->items.size() == 2);
  CHECK(event->items[0].product_id == "p-1");
  CHECK(event->items[0].name == "Mug");
  CHECK(event->items[0].quantity == 2);
  CHECK(event->items[0].price == 1500);

  std::string cancelled = Replace(Replace(kPlaced, "ORDER_PLACED", "ORDER_CANCELLED"),
                                  R"("occurredAt":"2026-11-30T12:34:56.789Z")",
                                  R"("occurredAt":"2026-12-01T08:00:00.000Z")");
  event = DecodeOrderEvent(cancelled, &error);
  REQUIRE_MESSAGE(event, error);
  CHECK(event->type == EventType::kCancelled);
  CHECK(event->occurred_at == *ParseTime("2026-12-01T08:00:00.000Z"));
}

TEST_CASE("an item without a name is still counted") {
  std::string error;
  std::optional<OrderEvent> event =
      DecodeOrderEvent(Replace(kPlaced, R"("name":"Mug",)", ""), &error);
  REQUIRE_MESSAGE(event, error);
  CHECK(event->items[0].name.empty());
}

TEST_CASE("records that are not the contract's events are refused") {
  CHECK(Rejects(""));
  CHECK(Rejects("not json"));
  CHECK(Rejects("[]"));
  CHECK(Rejects(std::string(kPlaced).substr(0, 40)));
  CHECK(Rejects(Replace(kPlaced, "ORDER_PLACED", "ORDER_SHIPPED")));
  CHECK(Rejects(Replace(kPlaced, R"("orderId":"o-1")", R"("orderId":"")")));
  CHECK(Rejects(Replace(kPlaced, R"("orderId":"o-1")", R"("orderId":7)")));
  CHECK(Rejects(
      Replace(kPlaced, R"("orderDate":"2026-11-30T12:34:56.789Z")", R"("orderDate":"yesterday")")));
  CHECK(Rejects(Replace(kPlaced, R"("occurredAt")", R"("occurred")")));
  CHECK(Rejects(Replace(kPlaced, R"("quantity":2)", R"("quantity":0)")));
  CHECK(Rejects(Replace(kPlaced, R"("quantity":2)", R"("quantity":2.5)")));
  CHECK(Rejects(Replace(kPlaced, R"("quantity":2)", R"("quantity":"2")")));
  CHECK(Rejects(Replace(kPlaced, R"("quantity":2)", R"("quantity":1000001)")));
  CHECK(Rejects(Replace(kPlaced, R"("price":1500)", R"("price":-1)")));
  CHECK(Rejects(Replace(kPlaced, R"("productId":"p-1",)", "")));
  CHECK(Rejects(Replace(kPlaced, R"("items":[)", R"("items":[7,)")));
}

}  // namespace ecomm::stats
