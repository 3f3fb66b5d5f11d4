// The record codec: every record type survives encode -> decode unchanged, and the
// decoder refuses each kind of malformed payload (one case per error path).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/record.h"

namespace ecomm {
namespace {

std::vector<Record> OneOfEach() {
  Uuid a = Uuid::Random(), b = Uuid::Random();
  PlaceOrderRecord order;
  order.at = 123;
  order.order_id = a;
  order.user_id = "u1";
  order.status = OrderStatus::kFailed;
  order.reason = StatusReason::kOutOfStock;
  order.from_cart = true;
  order.lines = {{"p1", 2, 100}, {"p2", 1, 0}};
  order.idempotency = IdempotencyTag{"key-1", "fp"};
  return {
      CreateUserRecord{1, "u1", "Ann", "ann@example.com"},
      CreateProductRecord{2, "p1", "Pen", 100, 1'000'000'000'000},
      RestockRecord{3, "p1", 5},
      ChargeRecord{4, "u1", 1'000'000'000, b, std::nullopt},
      order,
      CancelOrderRecord{5, a, b, ChangedBy::kUser, IdempotencyTag{"k", "f"}},
      CartAddRecord{6, "u1", "p1", 7},
      CartRemoveRecord{7, "u1", "p1"},
      AdvanceClockRecord{8, 3600},
  };
}

TEST_CASE("every record type round-trips through the codec") {
  for (const Record& record : OneOfEach()) {
    std::string payload;
    EncodeRecord(record, &payload);
    auto decoded = DecodeRecord(TypeOf(record), AsBytes(payload));
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().message());
    std::string again;
    EncodeRecord(*decoded, &again);
    CHECK(again == payload);
    CHECK(DescribeRecord(*decoded) == DescribeRecord(record));
  }
}

// One case per error path of DecodeRecord.
TEST_CASE("decoder refuses an empty payload") {
  auto r = DecodeRecord(RecordType::kCharge, {});
  CHECK(r.code() == ErrorCode::kInternal);
}

TEST_CASE("decoder refuses an unknown payload version") {
  std::string payload;
  EncodeRecord(RestockRecord{1, "p", 1}, &payload);
  payload[0] = static_cast<char>(kRecordVersion + 1);
  auto r = DecodeRecord(RecordType::kRestock, AsBytes(payload));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("version") != std::string::npos);
}

TEST_CASE("decoder refuses every truncation and a trailing byte") {
  for (const Record& record : OneOfEach()) {
    std::string payload;
    EncodeRecord(record, &payload);
    for (size_t n = 0; n < payload.size(); ++n) {
      CHECK_FALSE(DecodeRecord(TypeOf(record), AsBytes(payload.substr(0, n))).ok());
    }
    CHECK_FALSE(DecodeRecord(TypeOf(record), AsBytes(payload + "x")).ok());
  }
}

TEST_CASE("decoder refuses out-of-range enums and booleans") {
  PlaceOrderRecord order;
  order.user_id = "u";
  order.lines = {{"p", 1, 1}};
  std::string payload;
  EncodeRecord(order, &payload);
  const size_t status_at = 1 + 8 + 16 + 2 + 1;  // version, at, order_id, user_id
  std::string bad = payload;
  bad[status_at] = 9;
  CHECK_FALSE(DecodeRecord(RecordType::kPlaceOrder, AsBytes(bad)).ok());
  bad = payload;
  bad[status_at + 2] = 2;  // from_cart
  CHECK_FALSE(DecodeRecord(RecordType::kPlaceOrder, AsBytes(bad)).ok());
}

TEST_CASE("decoder refuses an order without lines and an oversized string") {
  PlaceOrderRecord order;
  order.user_id = "u";
  std::string payload;
  EncodeRecord(order, &payload);
  CHECK_FALSE(DecodeRecord(RecordType::kPlaceOrder, AsBytes(payload)).ok());

  std::string long_id(300, 'x');
  payload.clear();
  EncodeRecord(CartRemoveRecord{1, long_id, "p"}, &payload);
  CHECK_FALSE(DecodeRecord(RecordType::kCartRemove, AsBytes(payload)).ok());
}

TEST_CASE("uuids print canonically and parse back") {
  for (int i = 0; i < 100; ++i) {
    Uuid id = Uuid::Random();
    std::string text = id.ToString();
    CHECK(text.size() == 36);
    CHECK(text[14] == '4');                                          // version 4
    CHECK(std::string("89ab").find(text[19]) != std::string::npos);  // RFC 4122 variant
    CHECK(Uuid::Parse(text) == id);
  }
  CHECK_FALSE(Uuid::Parse("not-a-uuid").has_value());
  CHECK_FALSE(Uuid::Parse("0123456789abcdef0123456789abcdef0123").has_value());
  CHECK(Uuid::Parse("ABCDEF01-2345-4678-89AB-CDEF01234567").has_value());
}

}  // namespace
}  // namespace ecomm
