// The coupon bodies decoded in-process (server/api_coupons.cc, and POST /order's
// userCouponId in server/api_orders.cc): every field reaches the engine as sent, and a
// field of the wrong type is 400 before the engine is asked. The engine's rules are
// tests/engine's; the answers over real HTTP are tests/e2e/coupons_test.cc's.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "api.h"
#include "ecomm/database.h"
#include "support/fault_file_system.h"
#include "support/seeded_database.h"
#include "url.h"

namespace ecomm::testing {
namespace {

// An Api over a Database on an in-memory file system, asked without sockets.
class InProcessApi {
 public:
  InProcessApi() {
    auto db = Database::Open(QuietDatabaseOptions(fs_));
    REQUIRE(db.ok());
    db_ = std::move(db).value();
    api_ = std::make_unique<server::Api>(*db_, server::ApiOptions{});
  }

  // The answer to one request from loopback (so admin routes are open), whenever and on
  // whichever thread it comes.
  server::Response Send(const std::string& method, const std::string& target, std::string body) {
    server::Target parsed;
    REQUIRE(server::ParseTarget(target, &parsed));
    server::Request request;
    request.method = method;
    request.path = std::move(parsed.path);
    request.segments = std::move(parsed.segments);
    request.query = std::move(parsed.query);
    request.body = std::move(body);
    request.from_loopback = true;
    request.content_type = "application/json";
    std::promise<server::Response> answered;
    std::future<server::Response> answer = answered.get_future();
    api_->Handle(std::move(request),
                 [&answered](server::Response r) { answered.set_value(std::move(r)); });
    REQUIRE(answer.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return answer.get();
  }

  // The body of an answer that must have `status`.
  rapidjson::Document Expect(int status, const std::string& method, const std::string& target,
                             std::string body = "") {
    INFO(method, " ", target, " ", body);
    server::Response response = Send(method, target, std::move(body));
    INFO("answer: ", response.body);
    REQUIRE(response.status == status);
    rapidjson::Document doc;
    doc.Parse(response.body.data(), response.body.size());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
  }

  // 400 INVALID_REQUEST.
  void ExpectInvalid(const std::string& target, const std::string& body) {
    rapidjson::Document problem = Expect(400, "POST", target, body);
    CHECK(std::string(problem["code"].GetString()) == "INVALID_REQUEST");
  }

 private:
  FaultFileSystem fs_{1};
  std::unique_ptr<Database> db_;
  std::unique_ptr<server::Api> api_;
};

std::string Text(const rapidjson::Value& object, const char* name) {
  REQUIRE(object[name].IsString());
  return object[name].GetString();
}

TEST_CASE("POST /coupons hands every field to the engine as sent") {
  InProcessApi api;
  rapidjson::Document full = api.Expect(
      201, "POST", "/coupons",
      R"({"couponId":"c-full","name":"Full","discountType":"PERCENT","discountValue":15,)"
      R"("totalQuantity":7,"minOrderAmount":1000,"maxDiscount":250,)"
      R"("validFrom":"2001-02-03T04:05:06.789Z","validUntil":"2999-01-01T00:00:00Z"})");
  CHECK(Text(full, "couponId") == "c-full");
  CHECK(Text(full, "name") == "Full");
  CHECK(Text(full, "discountType") == "PERCENT");
  CHECK(full["discountValue"].GetInt64() == 15);
  CHECK(full["totalQuantity"].GetInt64() == 7);
  CHECK(full["remainingQuantity"].GetInt64() == 7);
  CHECK(full["minOrderAmount"].GetInt64() == 1000);
  CHECK(full["maxDiscount"].GetInt64() == 250);
  CHECK(Text(full, "validFrom") == "2001-02-03T04:05:06.789Z");
  CHECK(Text(full, "validUntil") == "2999-01-01T00:00:00.000Z");

  rapidjson::Document bare =
      api.Expect(201, "POST", "/coupons",
                 R"({"name":"Bare","discountType":"FIXED","discountValue":5,"totalQuantity":1})");
  CHECK(Text(bare, "discountType") == "FIXED");
  CHECK(bare["minOrderAmount"].GetInt64() == 0);
  CHECK(bare["maxDiscount"].IsNull());
  CHECK(Text(bare, "validFrom") < Text(bare, "validUntil"));
}

TEST_CASE("POST /coupons: a field of the wrong type or an unknown discountType is 400") {
  InProcessApi api;
  const std::string head = R"({"couponId":"c-bad","name":"Bad",)";
  for (const char* rest : {
           R"("discountType":"FIXED","discountValue":5})",                       // no quantity
           R"("discountType":"FIXED","totalQuantity":5})",                       // no value
           R"("discountValue":5,"totalQuantity":5})",                            // no type
           R"("discountType":"fixed","discountValue":5,"totalQuantity":5})",     // its case
           R"("discountType":"SHIPPING","discountValue":5,"totalQuantity":5})",  // unknown
           R"("discountType":0,"discountValue":5,"totalQuantity":5})",           // a number
           R"("discountType":"FIXED","discountValue":5.0,"totalQuantity":5})",   // a float
           R"("discountType":"FIXED","discountValue":"5","totalQuantity":5})",   // a string
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":true})",  // a boolean
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,"minOrderAmount":null})",
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,"minOrderAmount":"1"})",
           R"("discountType":"PERCENT","discountValue":5,"totalQuantity":5,"maxDiscount":1e2})",
           R"("discountType":"PERCENT","discountValue":5,"totalQuantity":5,"maxDiscount":[1]})",
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,"validFrom":0})",
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,"validFrom":"now"})",
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,"validUntil":false})",
           R"("discountType":"FIXED","discountValue":5,"totalQuantity":5,)"
           R"("validUntil":"2999-01-01T00:00:00+01:00"})",
       }) {
    api.ExpectInvalid("/coupons", head + rest);
  }
  api.ExpectInvalid("/coupons", R"({"couponId":7,"name":"Bad","discountType":"FIXED",)"
                                R"("discountValue":5,"totalQuantity":5})");
  api.ExpectInvalid("/coupons", R"({"couponId":"c-bad","name":["Bad"],"discountType":"FIXED",)"
                                R"("discountValue":5,"totalQuantity":5})");
  CHECK(Text(api.Expect(404, "GET", "/coupons/c-bad"), "code") == "COUPON_NOT_FOUND");
}

TEST_CASE("issue and order decode userId and userCouponId strictly") {
  InProcessApi api;
  api.Expect(201, "POST", "/users", R"({"userId":"u","name":"U","email":"u@x"})");
  api.Expect(201, "POST", "/products", R"({"productId":"p","name":"P","price":1000,"stock":5})");
  api.Expect(200, "POST", "/balance/charge", R"({"userId":"u","amount":5000})");
  api.Expect(201, "POST", "/coupons",
             R"({"couponId":"c","name":"C","discountType":"FIXED","discountValue":300,)"
             R"("totalQuantity":5})");
  for (const char* body : {"{}", R"({"userId":1})", R"({"userId":null})", R"({"userId":false})",
                           R"({"userId":{"id":"u"}})", "[]", "u"}) {
    api.ExpectInvalid("/coupons/c/issue", body);
  }
  CHECK(api.Expect(200, "GET", "/coupons/c")["remainingQuantity"].GetInt64() == 5);

  rapidjson::Document issued = api.Expect(200, "POST", "/coupons/c/issue", R"({"userId":"u"})");
  std::string id = Text(issued, "userCouponId");
  CHECK(Text(issued, "couponId") == "c");
  CHECK(Text(issued, "userId") == "u");
  rapidjson::Document listed = api.Expect(200, "GET", "/users/u/coupons");
  REQUIRE(listed.IsArray());
  REQUIRE(listed.Size() == 1);
  CHECK(Text(listed[0], "userCouponId") == id);

  const std::string order = R"({"userId":"u","items":[{"productId":"p","quantity":1}],)";
  for (const char* value : {"1", "true", "null", R"(["x"])", "{}"}) {
    api.ExpectInvalid("/order", order + R"("userCouponId":)" + value + "}");
  }
  CHECK(api.Expect(200, "GET", "/orders?userId=u")["items"].Size() == 0);
  rapidjson::Document placed =
      api.Expect(200, "POST", "/order", order + R"("userCouponId":")" + id + R"("})");
  CHECK(placed["discount"].GetInt64() == 300);
  CHECK(placed["totalPrice"].GetInt64() == 700);
  CHECK(Text(placed, "userCouponId") == id);
}

}  // namespace
}  // namespace ecomm::testing
